// <kms-playground> — embed one KMS Playground flow, at one step, in any page.
//
//   <script type="module" src="https://your.site/kms-playground/embed.js"></script>
//   <kms-playground scenario="workmail-basics" step="12"></kms-playground>
//
// Attributes (all optional): scenario (a built-in name), step (1-based, as the page shows
// it), seed, controls ("0" hides the step buttons), theme ("light" | "dark"), autoplay
// (present = play), view (a permalink "v1:..." copied from the playground, for an edited
// scenario or an experiment; it wins over scenario, step and seed), label (the iframe's
// accessible name), height (px until the page reports its own; 520 by default).
//
// The element makes an <iframe> of embed.html next to this script (so it works from any
// sub-path) and sizes it from the height the embedded page posts
// ({type: "kms-playground:height", height}); only messages from its own iframe count.

const FALLBACK_HEIGHT = 520;
const MESSAGE_TYPE = "kms-playground:height";
const OPTIONS = ["scenario", "step", "seed", "controls", "theme"];
const here = new URL(".", import.meta.url);

class KmsPlayground extends HTMLElement {
  static get observedAttributes() {
    return [...OPTIONS, "autoplay", "view", "label", "height"];
  }

  constructor() {
    super();
    this.reported = false;
    this.onMessage = (event) => {
      if (!this.frame || event.source !== this.frame.contentWindow) return;
      const data = event.data;
      if (!data || data.type !== MESSAGE_TYPE || !Number.isFinite(data.height)) return;
      this.reported = true;
      this.frame.style.height = `${Math.max(120, Math.min(4000, Math.ceil(data.height)))}px`;
    };
  }

  connectedCallback() {
    if (!this.frame) {
      this.frame = document.createElement("iframe");
      this.frame.loading = "lazy";
      // Set through the CSSOM, which a host page's CSP without 'unsafe-inline' allows.
      this.frame.style.display = "block";
      this.frame.style.width = "100%";
      this.frame.style.border = "0";
      this.frame.style.borderRadius = "8px";
      this.append(this.frame);
    }
    // Listening again after the element is moved (disconnect, then connect).
    window.addEventListener("message", this.onMessage);
    this.update();
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.onMessage);
  }

  attributeChangedCallback() {
    if (this.frame) this.update();
  }

  update() {
    const url = new URL("embed.html", here);
    for (const name of OPTIONS) {
      const value = this.getAttribute(name);
      if (value !== null && value !== "") url.searchParams.set(name, value);
    }
    if (this.hasAttribute("autoplay")) url.searchParams.set("autoplay", "1");
    const view = this.getAttribute("view");
    if (view) url.hash = view.replace(/^#/, "");
    const scenario = this.getAttribute("scenario") || "workmail-basics";
    this.frame.title = this.getAttribute("label") || `KMS Playground: ${scenario}`;
    if (!this.reported) {
      this.frame.style.height = `${Number(this.getAttribute("height")) || FALLBACK_HEIGHT}px`;
    }
    if (this.frame.src !== url.href) {
      this.reported = false;
      this.frame.src = url.href;
    }
  }
}

if (!customElements.get("kms-playground")) customElements.define("kms-playground", KmsPlayground);
