// <kms-playground> — embed one KMS Playground flow, at one step, in any page.
//
//   <script type="module" src="https://your.site/kms-playground/embed.js"></script>
//   <kms-playground scenario="workmail-basics" step="7"></kms-playground>
//
// Attributes (all optional): scenario (a built-in name), step (0-based trace step), seed,
// controls ("0" hides the step controls), theme ("light" | "dark"), autoplay (present =
// play), height (fallback height in px before the page reports its own). The element makes
// an <iframe> of embed.html next to this script (so it works from any sub-path), and sizes
// it from the height the embedded page posts ({type: "kms-playground:height"}); only
// messages from that iframe are accepted.

const FALLBACK_HEIGHT = 520;
const MESSAGE_TYPE = "kms-playground:height";
const here = new URL(".", import.meta.url);

class KmsPlayground extends HTMLElement {
  static get observedAttributes() {
    return ["scenario", "step", "seed", "controls", "theme", "autoplay"];
  }

  connectedCallback() {
    if (!this.frame) {
      this.frame = document.createElement("iframe");
      this.frame.loading = "lazy";
      this.frame.style.cssText = "display:block;width:100%;border:0;border-radius:8px;";
      this.frame.style.height = `${Number(this.getAttribute("height")) || FALLBACK_HEIGHT}px`;
      this.onMessage = (event) => {
        if (event.source !== this.frame.contentWindow) return;
        const data = event.data;
        if (!data || data.type !== MESSAGE_TYPE || !Number.isFinite(data.height)) return;
        this.frame.style.height = `${Math.max(120, Math.min(4000, Math.ceil(data.height)))}px`;
      };
      window.addEventListener("message", this.onMessage);
      this.append(this.frame);
    }
    this.update();
  }

  disconnectedCallback() {
    if (this.onMessage) window.removeEventListener("message", this.onMessage);
  }

  attributeChangedCallback() {
    if (this.frame) this.update();
  }

  update() {
    const url = new URL("embed.html", here);
    for (const name of ["scenario", "step", "seed", "controls", "theme"]) {
      const value = this.getAttribute(name);
      if (value !== null && value !== "") url.searchParams.set(name, value);
    }
    if (this.hasAttribute("autoplay")) url.searchParams.set("autoplay", "1");
    const scenario = this.getAttribute("scenario") || "workmail-basics";
    this.frame.title = this.getAttribute("title") || `KMS Playground: ${scenario}`;
    if (this.frame.src !== url.href) this.frame.src = url.href;
  }
}

if (!customElements.get("kms-playground")) customElements.define("kms-playground", KmsPlayground);
