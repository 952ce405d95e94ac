// Starts the page's wasm. A module file, not an inline script, so the CSP needs no
// 'unsafe-inline'; relative paths, so the page works from any sub-path.
import init from './kmsplay_web.js';

init().catch((error) => {
  console.error('KMS Playground failed to start:', error);
  const message = document.createElement('p');
  message.className = 'boot-error';
  message.textContent =
    'The playground could not start: this browser needs WebAssembly and JavaScript modules.';
  document.body.append(message);
});
