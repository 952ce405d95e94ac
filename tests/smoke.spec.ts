import { expect, test } from '@playwright/test';

import { watchCsp } from './helpers';

// The page shell loads, the app renders, the engine runs the default scenario in wasm,
// the console stays clean, the CSP is never violated, and no request leaves the page's
// own origin.
test('the playground renders with a clean console and no outside requests', async ({
  page,
  baseURL,
}) => {
  const origin = new URL(baseURL ?? page.url()).origin;
  const problems: string[] = [];
  const outside: string[] = [];
  const failed: string[] = [];

  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== origin) {
      outside.push(request.url());
    }
  });
  page.on('requestfailed', (request) => failed.push(request.url()));
  page.on('response', (response) => {
    if (response.status() >= 400) {
      failed.push(`${response.status()} ${response.url()}`);
    }
  });
  const cspViolations = await watchCsp(page);

  await page.goto('./');
  // The strict policy of issue 9, exactly.
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
    'content',
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
  );

  await expect(page).toHaveTitle('KMS Playground');
  await expect(page.getByRole('heading', { level: 1, name: 'KMS Playground' })).toBeVisible();
  await expect(page.getByTestId('scenario-title')).toHaveText(
    'WorkMail: a message encrypted, stored and read back',
  );
  await expect(page.getByTestId('diagram')).toBeVisible();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
  await page.waitForLoadState('networkidle');

  // Every part of the page under the policy: step, open the picker, run an experiment,
  // the legend, the drawer, the share menu.
  await page.getByRole('button', { name: 'Next step' }).click();
  await page.getByTestId('break-it').click();
  await page.getByTestId('experiment-option').first().click();
  await expect(page.getByTestId('experiment-outcome')).toBeVisible();
  await page.getByTestId('scenario-picker').click();
  await page.getByTestId('scenario-picker').click();
  await page.getByRole('button', { name: 'Legend' }).click();
  await expect(page.locator('.legend')).toBeVisible();
  await page.getByTestId('open-drawer').click();
  await expect(page.getByTestId('cloudtrail')).toBeVisible();
  await page.getByTestId('share').click();
  await expect(page.getByTestId('copy-link')).toBeVisible();

  expect(await cspViolations(), 'CSP violations').toEqual([]);
  expect(problems, 'console errors and warnings').toEqual([]);
  expect(outside, 'requests that left the origin').toEqual([]);
  expect(failed, 'failed requests').toEqual([]);
});

test('the wasm is served as application/wasm', async ({ request }) => {
  const response = await request.get('./kmsplay_web_bg.wasm');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/wasm');
});

// While the wasm downloads (0.9 MB gzip: seconds on a slow network) the page says so,
// and the app replaces the words without anything left behind; a wasm that cannot be
// had says the playground could not start, in place of the words.
test('the page says it is loading until the app starts, and why it could not', async ({ page }) => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/kmsplay_web_bg.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('./');
  const loading = page.getByRole('status').filter({ hasText: 'Loading the playground…' });
  await expect(loading).toBeVisible();
  await expect(page.getByTestId('diagram')).toHaveCount(0);
  release();
  await expect(page.getByTestId('diagram')).toBeVisible();
  await expect(loading).toHaveCount(0);

  await page.unroute('**/kmsplay_web_bg.wasm');
  await page.route('**/kmsplay_web_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  page.on('console', () => {}); // the start failure is logged on purpose
  await page.reload();
  await expect(page.getByText('The playground could not start')).toBeVisible();
  await expect(loading).toHaveCount(0);
});
