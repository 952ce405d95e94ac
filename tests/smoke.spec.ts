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
