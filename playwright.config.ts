import { defineConfig } from '@playwright/test';

import { args, executablePath } from './tests/chromium.mjs';

// `cargo xtask test` builds dist/, serves it and passes its URL in KMSPLAY_BASE_URL.
// Run on its own (`npx playwright test`), Playwright starts `cargo xtask serve` itself.
const port = 4173;
const baseURL = process.env.KMSPLAY_BASE_URL ?? `http://127.0.0.1:${port}/`;

export default defineConfig({
  testDir: 'tests',
  testMatch: '**/*.spec.ts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: 'list',
  // Generous: on a loaded 2-core CI machine a page compiles its 2.5 MB wasm in seconds,
  // and the default 5 s for an assertion has run out before an embed's first frame.
  // Load time is measured by `cargo xtask bench`, never by a test's timeout.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    trace: 'off',
    screenshot: 'off',
    // Debian's Chromium; Playwright must never download a browser.
    browserName: 'chromium',
    launchOptions: {
      executablePath,
      args,
    },
  },
  webServer: process.env.KMSPLAY_BASE_URL
    ? undefined
    : {
        command: `cargo xtask serve --port ${port}`,
        url: baseURL,
        reuseExistingServer: !process.env.CI,
        timeout: 600_000,
      },
});
