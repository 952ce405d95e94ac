// Takes the README's screenshot of the served page in Debian's Chromium:
//   cargo xtask serve --port 4173 &   then   node tests/screenshot.mjs docs/screenshot.png
import { chromium } from '@playwright/test';

const url = process.env.KMSPLAY_BASE_URL ?? 'http://127.0.0.1:4173/';
const out = process.argv[2] ?? 'docs/screenshot.png';

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 560 } });
await page.goto(url);
await page.getByTestId('engine-status').waitFor();
await page.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
