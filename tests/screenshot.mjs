// Takes the README's screenshots of the served page in Debian's Chromium:
//   cargo xtask serve --port 4173 &   then   node tests/screenshot.mjs
// docs/screenshot.png (light), docs/screenshot-dark.png, docs/screenshot-phone.png, and
// docs/screenshot-docs.png (the example documentation page with its embedded flows).
import { chromium } from '@playwright/test';
import { args, executablePath } from './chromium.mjs';

const url = process.env.KMSPLAY_BASE_URL ?? 'http://127.0.0.1:4173/';
// The moment the message key is wrapped under the mailbox key: most of the hierarchy
// is on screen.
const query = '?scenario=workmail-basics&step=11';

const browser = await chromium.launch({ executablePath, args });

const shots = [
  { out: 'docs/screenshot.png', width: 1440, height: 960, colorScheme: 'light' },
  { out: 'docs/screenshot-dark.png', width: 1440, height: 960, colorScheme: 'dark' },
  { out: 'docs/screenshot-phone.png', width: 360, height: 800, colorScheme: 'light', scale: 2, scroll: 'diagram' },
];
for (const shot of shots) {
  const page = await browser.newPage({
    viewport: { width: shot.width, height: shot.height },
    colorScheme: shot.colorScheme,
    deviceScaleFactor: shot.scale ?? 1,
    reducedMotion: 'reduce',
  });
  await page.goto(url + query);
  await page.getByTestId('diagram').waitFor();
  if (shot.scroll) {
    // On a phone, show the step bar over the diagram, as while stepping.
    await page.getByTestId('diagram').evaluate((el) => {
      const top = el.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, top - 260);
    });
  }
  await page.screenshot({ path: shot.out });
  await page.close();
  console.log(`wrote ${shot.out}`);
}
{
  // The example documentation page, once both embedded flows have drawn.
  const page = await browser.newPage({
    viewport: { width: 1000, height: 1400 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  await page.goto(url + 'docs.html');
  for (const frame of ['#element-demo iframe', '#iframe-demo']) {
    await page.locator(frame).scrollIntoViewIfNeeded();
    await page.frameLocator(frame).getByTestId('diagram').waitFor();
  }
  // The custom element has taken the height its flow reported.
  await page.waitForFunction(
    () => document.querySelector('#element-demo iframe')?.style.height !== '520px',
  );
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/screenshot-docs.png', fullPage: true });
  await page.close();
  console.log('wrote docs/screenshot-docs.png');
}
await browser.close();
