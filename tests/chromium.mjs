// Debian's Chromium and the flags it needs on these machines (no sandbox as root; no
// background connections, which this machine's closed network refuses). Shared by the
// Playwright config, the screenshot script and the browser benchmark; xtask's
// CHROMIUM_FLAGS (for the wasm test runner) must match.
export const executablePath = '/usr/bin/chromium';
export const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
