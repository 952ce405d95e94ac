
// ---- appended by `cargo xtask dist` (web/deferred.js) ----
// The page's wasm comes in two parts (crates/xtask/src/dist.rs, `split_page`): what the
// first diagram runs, and the rest, in DEFERRED_FILE, loaded on demand. Binaryen's
// wasm-split left the rest's table slots pointing at imports `placeholder.<slot>`;
// instantiating the deferred module fills those slots with the real functions.
//
// The deferred module is fetched and compiled in the background at the first sign of
// use (a pointer press, a key or focus moving into the page). A call that comes before
// it is there (a flow that needs it on its first run) loads it synchronously.

const DEFERRED_FILE = 'DEFERRED_FILE_NAME';
// The one-file page replaces null with the module's base64 (dist.rs, single_file_html).
const DEFERRED_INLINE = null;

let deferredInstance = null;
let deferredCompiling = null;

function deferredImports() {
  return { primary: wasm };
}

function instantiateDeferred(module) {
  if (!deferredInstance) {
    deferredInstance = new WebAssembly.Instance(module, deferredImports());
  }
}

function deferredBytesNow() {
  if (DEFERRED_INLINE !== null) {
    return Uint8Array.from(atob(DEFERRED_INLINE), (c) => c.charCodeAt(0));
  }
  // A synchronous request cannot ask for an ArrayBuffer; x-user-defined maps each byte
  // to one character (0x80-0xFF to U+F780-U+F7FF).
  const request = new XMLHttpRequest();
  request.open('GET', new URL(DEFERRED_FILE, import.meta.url), false);
  request.overrideMimeType('text/plain; charset=x-user-defined');
  request.send();
  if (request.status !== 200 && request.status !== 0) {
    throw new Error(`KMS Playground: ${DEFERRED_FILE} answered HTTP ${request.status}`);
  }
  const text = request.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

function loadDeferredNow() {
  if (!deferredInstance) {
    instantiateDeferred(new WebAssembly.Module(deferredBytesNow()));
  }
}

function prefetchDeferred() {
  if (deferredInstance || deferredCompiling) return;
  deferredCompiling = (
    DEFERRED_INLINE !== null
      ? WebAssembly.compile(deferredBytesNow())
      : WebAssembly.compileStreaming(fetch(new URL(DEFERRED_FILE, import.meta.url)))
  )
    .then((module) => {
      // Only between tasks: no wasm is running, so replacing table slots is safe.
      if (wasm) instantiateDeferred(module);
    })
    .catch((error) => {
      // A failed prefetch is not fatal: the first call that needs the module retries.
      deferredCompiling = null;
      console.info('KMS Playground: the deferred wasm will load when needed:', error);
    });
}

// The primary module's imports `placeholder.<slot>`: load the rest, then call the real
// function now in that slot.
const deferredPlaceholders = new Proxy(
  {},
  {
    get(_, slot) {
      const index = Number(slot);
      return (...args) => {
        loadDeferredNow();
        return deferredTable().get(index)(...args);
      };
    },
  },
);

function deferredTable() {
  for (const value of Object.values(wasm)) {
    if (value instanceof WebAssembly.Table) return value;
  }
  throw new Error('KMS Playground: the page wasm exports no table');
}

if (typeof window !== 'undefined') {
  for (const type of ['pointerdown', 'keydown', 'focusin']) {
    window.addEventListener(type, prefetchDeferred, { once: true, capture: true, passive: true });
  }
}
