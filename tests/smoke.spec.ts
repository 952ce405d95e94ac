import { expect, test } from '@playwright/test';

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
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  await page.goto('./');

  await expect(page).toHaveTitle('KMS Playground');
  await expect(page.getByRole('heading', { level: 1, name: 'KMS Playground' })).toBeVisible();
  await expect(page.getByTestId('scenario-title')).toHaveText(
    'WorkMail: a message encrypted, stored and read back',
  );
  await expect(page.getByTestId('diagram')).toBeVisible();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
  await page.waitForLoadState('networkidle');

  expect(problems, 'console errors and warnings').toEqual([]);
  expect(outside, 'requests that left the origin').toEqual([]);
  expect(failed, 'failed requests').toEqual([]);
});

test('the wasm is served as application/wasm', async ({ request }) => {
  const response = await request.get('./kmsplay_web_bg.wasm');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/wasm');
});
