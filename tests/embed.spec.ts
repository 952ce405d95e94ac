import { expect, test } from '@playwright/test';

import { watchConsole, watchCsp, watchOutside } from './helpers';

test('embed mode shows only the diagram, the step controls and the sentence', async ({
  page,
  context,
  baseURL,
}) => {
  const problems = watchConsole(page);
  const csp = await watchCsp(page);
  const outside = watchOutside(page, new URL(baseURL!).origin);
  // Embed mode never writes to storage: count every write.
  await page.addInitScript(() => {
    const w = window as unknown as { __storageWrites: number };
    w.__storageWrites = 0;
    for (const name of ['setItem', 'removeItem', 'clear'] as const) {
      const original = Storage.prototype[name];
      Storage.prototype[name] = function (this: Storage, ...args: unknown[]) {
        w.__storageWrites += 1;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as never;
    }
  });
  await page.goto('./embed.html?scenario=ses-receive&step=3&seed=42');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 3 of \d+$/);
  await expect(page.locator('svg[data-testid="diagram"]')).toBeVisible();
  await expect(page.getByTestId('step-sentence')).not.toBeEmpty();
  // Nothing else of the playground.
  for (const id of ['inspector', 'cloudtrail', 'editor', 'experiments', 'scenario-picker', 'copy-link']) {
    await expect(page.getByTestId(id), id).toHaveCount(0);
  }
  await expect(page.locator('.legend')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/SES/);
  // The diagram's text alternative reads the current step.
  await expect(page.getByTestId('diagram-text')).toContainText('Step 3 of');

  const url = page.url();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 4 of/);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 5 of/);
  // The embed leaves its URL and storage alone.
  await page.waitForTimeout(300);
  expect(page.url()).toBe(url);
  expect(await page.evaluate(() => (window as unknown as { __storageWrites: number }).__storageWrites)).toBe(0);
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

  // "Open in playground": a relative link to the same view, in a new tab.
  const open = page.getByRole('link', { name: /Open in playground/ });
  await expect(open).toHaveAttribute('target', '_blank');
  expect(await open.getAttribute('href')).toMatch(/^index\.html#v1:[A-Za-z0-9_-]+$/);
  const [full] = await Promise.all([context.waitForEvent('page'), open.click()]);
  await expect(full.getByTestId('step-count')).toHaveText(/^Step 5 of/);
  await full.getByTestId('inspector').getByRole('tab', { name: 'All steps' }).click();
  await expect(full.locator('.facts-line')).toContainText('seed 42');
  await expect(full.getByTestId('inspector')).toBeVisible();

  expect(await csp()).toEqual([]);
  expect(outside).toEqual([]);
  expect(problems).toEqual([]);
});

test('embed options: controls=0, theme, autoplay and ?embed=1', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto('./embed.html?scenario=workmail-basics&step=12&controls=0&theme=dark');
  await expect(page.getByTestId('step-count')).toHaveText('Step 12 of 17');
  await expect(page.getByTestId('step-sentence')).toContainText('encrypted message');
  await expect(page.getByRole('button', { name: 'Next step' })).toHaveCount(0);
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(100);
  await expect(page.getByTestId('step-count')).toHaveText('Step 12 of 17');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(dark).toBe('rgb(14, 19, 26)');

  // A light theme wins over a dark system.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('./embed.html?scenario=workmail-basics&theme=light');
  await expect(page.getByTestId('diagram')).toBeVisible();
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
    'rgb(243, 245, 248)',
  );
  await page.emulateMedia({ colorScheme: 'light' });

  // Autoplay plays from the first step.
  await page.goto('./embed.html?scenario=ses-receive&autoplay');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of/, { timeout: 5000 });

  // ?embed=1 on any page file is embed mode too.
  await page.goto('./?embed=1&scenario=key-rotation&step=2');
  await expect(page.getByTestId('embed')).toBeVisible();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of/);
  await expect(page.getByTestId('inspector')).toHaveCount(0);
  expect(await page.getByRole('link', { name: /Open in playground/ }).getAttribute('href')).toMatch(
    /^\.\/#v1:/,
  );
  expect(problems).toEqual([]);
});

test('embed mode posts its height to the embedding page', async ({ page, baseURL }) => {
  const problems = watchConsole(page);
  // A bare host page: an iframe of the embed, and every message the page receives.
  const src = new URL('embed.html?scenario=workmail-basics&step=12', baseURL).href;
  await page.setContent(`
    <script>
      window.__heights = [];
      window.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'kms-playground:height') window.__heights.push(e.data.height);
      });
    </script>
    <iframe id="host-frame" title="Embedded flow" src="${src}" width="900" height="300"></iframe>`);
  const heights = () =>
    page.evaluate(() => (window as unknown as { __heights: number[] }).__heights);
  await expect.poll(async () => (await heights()).length).toBeGreaterThan(0);
  const frame = page.frameLocator('#host-frame');
  await expect(frame.getByTestId('diagram')).toBeVisible();
  const content = await frame
    .getByTestId('embed')
    .evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  await expect.poll(async () => (await heights()).at(-1)).toBe(content);
  expect(content).toBeGreaterThan(300);

  // Narrower: the diagram stacks, the page grows, and says so.
  await page.evaluate(() => {
    (document.getElementById('host-frame') as HTMLIFrameElement).width = '360';
  });
  await expect.poll(async () => (await heights()).at(-1)).toBeGreaterThan(content);
  expect(problems).toEqual([]);
});

test('the custom element and the plain iframe work on the example documentation page', async ({
  page,
  baseURL,
}) => {
  const problems = watchConsole(page);
  const csp = await watchCsp(page);
  const outside = watchOutside(page, new URL(baseURL!).origin);
  // Not waiting for "load": that waits for the embedded flows too, checked one by one below.
  await page.goto('./docs.html', { waitUntil: 'domcontentloaded' });
  const element = page.locator('#element-demo iframe');
  await expect(element).toHaveAttribute('title', 'KMS Playground: WorkMail reads a message');
  await element.scrollIntoViewIfNeeded();
  const inElement = page.frameLocator('#element-demo iframe');
  await expect(inElement.getByTestId('step-count')).toHaveText('Step 16 of 17');
  await expect(inElement.getByRole('button', { name: 'Next step' })).toBeVisible();
  // Sized from the height the embed posts, not the 520 px fallback.
  const content = await inElement
    .getByTestId('embed')
    .evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  await expect
    .poll(() => element.evaluate((el) => (el as HTMLElement).style.height))
    .toBe(`${content}px`);
  await inElement.getByRole('button', { name: 'Next step' }).click();
  await expect(inElement.getByTestId('step-count')).toHaveText('Step 17 of 17');

  // Changing an attribute reloads the flow.
  await page.locator('#element-demo').evaluate((el) => el.setAttribute('step', '3'));
  // (A whole page load of the embed, wasm and all: on a busy machine, seconds.)
  await expect(inElement.getByTestId('step-count')).toHaveText('Step 3 of 17', { timeout: 15_000 });

  const plain = page.locator('#iframe-demo');
  await plain.scrollIntoViewIfNeeded();
  const inPlain = page.frameLocator('#iframe-demo');
  await expect(inPlain.getByTestId('step-count')).toHaveText(/^Step 27 of \d+$/);
  await expect(inPlain.getByTestId('step-sentence')).toContainText('AccessDeniedException');
  await expect(inPlain.getByRole('button', { name: 'Next step' })).toHaveCount(0);
  await expect(inPlain.locator('html')).toHaveAttribute('data-theme', 'light');

  expect(await csp()).toEqual([]);
  expect(outside).toEqual([]);
  expect(problems).toEqual([]);
});
