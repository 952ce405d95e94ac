// Takes the README's screenshots of the served page in Debian's Chromium:
//   cargo xtask serve --port 4173 &   then   node tests/screenshot.mjs
// docs/screenshot.png (a laptop, light: the stored hierarchy as a message is delivered),
// docs/screenshot-dark.png (dark: a refused Decrypt drawn where it fails, the revoked
// grant on the key, the error explained in the inspector), docs/screenshot-phone.png
// (a phone: the diagram first, the strip docked), docs/screenshot-code.png (the
// inspector's code tabs), docs/screenshot-sdk.png (sdk.html after
// its SDK v3 snippet ran: output, the diagram of the recorded session, decisions,
// CloudTrail; `node tests/screenshot.mjs sdk` takes only this one), and
// docs/screenshot-docs.png (the
// example documentation page with its embedded flows), and docs/screenshot-check.png
// ("Check my key policy" on a broken SES statement; `node tests/screenshot.mjs check`).
import { chromium } from '@playwright/test';
import { args, executablePath } from './chromium.mjs';

const url = process.env.KMSPLAY_BASE_URL ?? 'http://127.0.0.1:4173/';

const browser = await chromium.launch({ executablePath, args });

const shots = [
  { out: 'docs/screenshot.png', width: 1366, height: 768, colorScheme: 'light', query: '?scenario=workmail-basics&step=12' },
  { out: 'docs/screenshot-dark.png', width: 1366, height: 768, colorScheme: 'dark', query: '?scenario=workmail-revoke-grant&step=27' },
  { out: 'docs/screenshot-phone.png', width: 390, height: 844, colorScheme: 'light', scale: 2, query: '?scenario=ses-receive&step=13' },
];
const only = process.argv[2];
for (const shot of only ? [] : shots) {
  const page = await browser.newPage({
    viewport: { width: shot.width, height: shot.height },
    colorScheme: shot.colorScheme,
    deviceScaleFactor: shot.scale ?? 1,
    reducedMotion: 'reduce',
  });
  await page.goto(url + shot.query);
  await page.getByTestId('diagram').waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: shot.out });
  await page.close();
  console.log(`wrote ${shot.out}`);
}
if (!only || only === 'sdk') {
  // sdk.html, once its SDK v3 snippet has run and the recorded session is drawn.
  const page = await browser.newPage({
    viewport: { width: 1440, height: 1300 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  await page.goto(url + 'sdk.html');
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator('#run-sdk').click();
  await page.locator('body[data-sdk="done"]').waitFor();
  await page.frameLocator('kms-playground iframe').getByTestId('diagram').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/screenshot-sdk.png' });
  await page.close();
  console.log('wrote docs/screenshot-sdk.png');
}
if (!only) {
  // The inspector's "As code", boto3 chosen, at the Encrypt step.
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto(url + '?scenario=encryption-context&step=2');
  await page.getByTestId('diagram').waitFor();
  await page.getByTestId('code-python').click();
  await page.getByTestId('code-view').evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: 'docs/screenshot-code.png' });
  await page.close();
  console.log('wrote docs/screenshot-code.png');
}
if (!only) {
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
if (!only || only === 'check') {
  // "Check my key policy" on an SES statement written for the wrong account.
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto(url);
  await page.getByTestId('diagram').waitFor();
  await page.getByTestId('open-check').click();
  const ses = await page.getByTestId('check-preset').locator('option', { hasText: 'SES receiving' }).getAttribute('value');
  await page.getByTestId('check-preset').selectOption(ses);
  const text = await page.getByTestId('check-policy').inputValue();
  await page.getByTestId('check-policy').fill(text.replace(/"kms:EncryptionContext:aws:ses:source-account": "111122223333"/, '"kms:EncryptionContext:aws:ses:source-account": "444455556666"'));
  await page.locator('[data-testid="verdict-ses"][data-allowed="false"]').waitFor();
  await page.screenshot({ path: 'docs/screenshot-check.png' });
  await page.close();
  console.log('wrote docs/screenshot-check.png');
}
await browser.close();
