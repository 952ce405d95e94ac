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
  timeout: 30_000,
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
