// Starts the page's wasm. A module file, not an inline script, so the CSP needs no
// 'unsafe-inline'; relative paths, so the page works from any sub-path.
import init from './kmsplay_web.js';

// Something on screen while the wasm (~0.45 MB gzip) downloads and compiles: the page is
// otherwise blank until the app's first render. The app removes it as it starts
// (web/src/main.rs), in the same task as its first render, so nothing moves.
const loading = document.createElement('p');
loading.id = 'boot-loading';
loading.className = 'loading boot-loading';
loading.setAttribute('role', 'status');
loading.textContent = 'Loading the playground…';
document.body.append(loading);

init().catch((error) => {
  console.error('KMS Playground failed to start:', error);
  loading.remove();
  const message = document.createElement('p');
  message.className = 'boot-error';
  message.textContent =
    'The playground could not start: this browser needs WebAssembly and JavaScript modules.';
  document.body.append(message);
});
