import { expect, Page, test } from '@playwright/test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { open, openShare, scrubTo, watchConsole, watchCsp, watchOutside } from './helpers';

/** `text` as a literal in a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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

/** Opens Share → "Embed code…" at step `step` of `scenario` and waits for the dialog. */
async function openEmbedDialog(page: Page, scenario: string, step: number) {
  await open(page, scenario);
  await scrubTo(page, step);
  await openShare(page);
  await page.getByTestId('copy-embed').click();
  const dialog = page.getByRole('dialog', { name: 'Embed this flow' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Waits until the preview has posted its height, and returns the height in the code. */
async function measuredHeight(page: Page): Promise<number> {
  const note = page.getByTestId('embed-note');
  await expect(note).toHaveAttribute('data-measured', 'true', { timeout: 20_000 });
  return Number(await note.getAttribute('data-height'));
}

/**
 * Waits until the height in the code is the preview's flow's own height (it follows the
 * flow as it reflows), and returns it.
 */
async function fittedHeight(page: Page): Promise<number> {
  await measuredHeight(page);
  const note = page.getByTestId('embed-note');
  let height = 0;
  await expect
    .poll(async () => {
      height = Number(await note.getAttribute('data-height'));
      return height === (await previewContentHeight(page));
    }, { timeout: 10_000 })
    .toBe(true);
  return height;
}

/** The height of the flow in the preview iframe, as the embed measures itself. */
async function previewContentHeight(page: Page): Promise<number> {
  return page
    .frameLocator('[data-testid="embed-preview"]')
    .getByTestId('embed')
    .evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
}

test('the embed dialog writes the code for its options and previews it', async ({
  page,
  context,
  baseURL,
}) => {
  // Several whole loads of the embed, wasm and all: on a busy machine, seconds each.
  test.slow();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(baseURL!).origin,
  });
  const problems = watchConsole(page);
  const csp = await watchCsp(page);
  const outside = watchOutside(page, new URL(baseURL!).origin);
  const dialog = await openEmbedDialog(page, 'workmail-basics', 12);
  // A real modal: the page behind is inert, the first option has focus, the menu is shut.
  expect(await dialog.evaluate((d) => d.matches('dialog:modal'))).toBe(true);
  await expect(page.getByTestId('share')).toHaveAttribute('aria-expanded', 'false');
  const step = dialog.getByLabel('Step', { exact: true });
  await expect(step).toBeFocused();
  await expect(step).toHaveValue('11');

  const code = dialog.getByLabel('Embed code');
  const preview = dialog.getByTestId('embed-preview');
  const frame = page.frameLocator('[data-testid="embed-preview"]');
  const src = (query: string) => new URL(`embed.html?${query}`, baseURL).href;
  // The code and the preview load the same URL, at the step shown.
  await expect(code).toHaveValue(
    new RegExp(`^<iframe src="${escape(src('scenario=workmail-basics&step=12').replace(/&/g, '&amp;'))}" title="KMS Playground: WorkMail: [^"]+" width="100%" height="\\d+"`),
  );
  await expect(preview).toHaveAttribute('src', src('scenario=workmail-basics&step=12'));
  await expect(preview).toHaveAttribute('width', '700');
  await expect(frame.getByTestId('step-count')).toHaveText('Step 12 of 17');

  // At 700 px the height written is the flow's own, not the old fixed 560.
  const height = await fittedHeight(page);
  expect(height).toBeGreaterThan(560);
  await expect(code).toHaveValue(new RegExp(` height="${height}" `));
  await expect(preview).toHaveAttribute('height', String(height));

  // Each option goes into the query, and the preview reloads with it.
  await step.selectOption('3');
  await expect(code).toHaveValue(/step=4"/);
  await expect(frame.getByTestId('step-count')).toHaveText('Step 4 of 17');
  const step4 = await fittedHeight(page);
  await dialog.getByLabel('Step buttons').uncheck();
  await expect(preview).toHaveAttribute('src', src('scenario=workmail-basics&step=4&controls=0'));
  await expect(frame.getByTestId('step-count')).toHaveText('Step 4 of 17');
  await expect(frame.getByRole('button', { name: 'Next step' })).toHaveCount(0);
  // Without the buttons the flow is shorter: measured again.
  expect(await fittedHeight(page)).toBeLessThan(step4);
  await dialog.getByLabel('Theme').selectOption('dark');
  await expect(code).toHaveValue(/step=4&amp;controls=0&amp;theme=dark"/);
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');
  await dialog.getByLabel('Play on load').check();
  await expect(preview).toHaveAttribute(
    'src',
    src('scenario=workmail-basics&step=4&controls=0&theme=dark&autoplay=1'),
  );
  await expect(frame.getByTestId('step-count')).toHaveText(/^Step [5-9] of 17$/, { timeout: 10_000 });

  // The element form says the same with attributes, after its script.
  await dialog.getByLabel('<kms-playground> (sizes itself)').check();
  await expect(code).toHaveValue(
    new RegExp(
      `^<script type="module" src="${escape(new URL('embed.js', baseURL).href)}"></script>\\n` +
        '<kms-playground scenario="workmail-basics" step="4" controls="0" theme="dark" autoplay height="\\d+" label="KMS Playground: WorkMail: [^"]+"></kms-playground>$',
    ),
  );

  // Copy puts exactly the code shown on the clipboard.
  await dialog.getByLabel('Step buttons').check();
  await dialog.getByLabel('Play on load').uncheck();
  // Back to the step buttons: as tall as before.
  expect(await fittedHeight(page)).toBe(step4);
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByTestId('embed-copied')).toHaveText('Copied to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await code.inputValue());
  // …and says so only while it holds.
  await dialog.getByLabel('Theme').selectOption('light');
  await expect(dialog.getByTestId('embed-copied')).toHaveCount(0);

  // Keys in the dialog are its own: the page behind does not step.
  await dialog.getByRole('button', { name: 'Copy' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('End');
  // Escape closes it, and focus goes back to Share.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('share')).toBeFocused();
  await expect(page.getByTestId('step-count')).toHaveText('Step 12 of 17');

  expect(await csp()).toEqual([]);
  expect(outside).toEqual([]);
  expect(problems).toEqual([]);
});

test('the height the dialog writes fits: the iframe from its code neither clips nor scrolls', async ({
  page,
  context,
}) => {
  // Several whole loads of the embed, wasm and all: on a busy machine, seconds each.
  test.slow();
  const problems = watchConsole(page);
  const dialog = await openEmbedDialog(page, 'workmail-basics', 12);
  const height = await fittedHeight(page);
  const code = await dialog.getByLabel('Embed code').inputValue();

  // A documentation page with a 700 px column, and the code pasted into it.
  const host = await context.newPage();
  const hostProblems = watchConsole(host);
  await host.setContent(
    `<!doctype html><body style="margin:0"><main style="width:700px">${code}</main></body>`,
  );
  const iframe = host.locator('iframe');
  await expect(iframe).toHaveAttribute('height', String(height));
  const inside = host.frameLocator('iframe');
  await expect(inside.getByTestId('step-count')).toHaveText('Step 12 of 17', { timeout: 20_000 });
  const box = await iframe.boundingBox();
  expect(box?.width).toBe(700);
  expect(box?.height).toBe(height);
  const fit = await inside.locator('html').evaluate((root) => ({
    scroll: root.scrollHeight,
    client: root.clientHeight,
    content: Math.ceil(document.querySelector('[data-testid="embed"]')!.getBoundingClientRect().height),
  }));
  expect(fit.scroll).toBeLessThanOrEqual(fit.client);
  expect(fit.content).toBeLessThanOrEqual(height);
  // The old fixed 560 px would have cut it.
  expect(fit.content).toBeGreaterThan(560);

  // Another column width: the preview follows, and the height with it.
  await dialog.getByLabel("Your page's column").selectOption('480');
  const preview = dialog.getByTestId('embed-preview');
  await expect(preview).toHaveAttribute('width', '480');
  await expect.poll(() => previewContentHeight(page)).toBeGreaterThan(height);
  expect(await fittedHeight(page)).toBeGreaterThan(height);
  await dialog.getByLabel("Your page's column").selectOption('other');
  const typed = dialog.getByLabel('Width (px)');
  await expect(typed).toHaveValue('480');
  await typed.fill('50');
  await expect(typed).toHaveAttribute('aria-invalid', 'true');
  await expect(preview).toHaveAttribute('width', '480');
  await typed.fill('640');
  await expect(typed).toHaveAttribute('aria-invalid', 'false');
  await expect(preview).toHaveAttribute('width', '640');

  // The Close button closes it too, and focus goes back to Share.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('share')).toBeFocused();
  expect(problems).toEqual([]);
  expect(hostProblems).toEqual([]);
});

test('the embed dialog on a phone: it fits the screen and its preview scrolls, the page does not', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const problems = watchConsole(page);
  const dialog = await openEmbedDialog(page, 'ses-receive', 5);
  const box = await dialog.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await measuredHeight(page);
  // The preview is at its true width, scrolled inside its box; the dialog's top (its
  // options) stays where it was, whatever the embedded flow scrolls into view.
  await expect(dialog.getByTestId('embed-preview')).toHaveAttribute('width', '700');
  expect(await dialog.evaluate((d) => d.scrollTop)).toBe(0);
  await expect(dialog.getByLabel('Step', { exact: true })).toBeInViewport();
  const copy = dialog.getByRole('button', { name: 'Copy' });
  await copy.scrollIntoViewIfNeeded();
  await expect(copy).toBeInViewport();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(problems).toEqual([]);
});

test("the element code from the dialog works on another site's page", async ({ page, context, baseURL }) => {
  // Several whole loads of the embed, wasm and all: on a busy machine, seconds each.
  test.slow();
  // The playground's server must let another origin run embed.js, a module script
  // (Access-Control-Allow-Origin), and frame embed.html: `cargo xtask serve` does.
  const problems = watchConsole(page);
  const dialog = await openEmbedDialog(page, 'workmail-basics', 12);
  await dialog.getByLabel('<kms-playground> (sizes itself)').check();
  await dialog.getByLabel('Theme').selectOption('dark');
  const height = await fittedHeight(page);
  const code = await dialog.getByLabel('Embed code').inputValue();
  expect(code).toContain(` height="${height}" `);

  // A documentation site on another origin (another port: a real server, so that the
  // browser sees it on the same machine), with a CSP that allows only the playground.
  const playground = new URL(baseURL!).origin;
  const guide = `<!doctype html><html lang="en"><head><title>Guide</title>
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${playground}; frame-src ${playground}; style-src 'unsafe-inline'">
    </head><body style="margin:0"><main style="width:700px">${code}</main></body></html>`;
  const docs = createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(guide);
  });
  await new Promise<void>((listening) => docs.listen(0, '127.0.0.1', listening));
  try {
    const { port } = docs.address() as AddressInfo;
    const host = await context.newPage();
    const hostProblems = watchConsole(host);
    await host.goto(`http://127.0.0.1:${port}/guide.html`);
    expect(new URL(host.url()).origin).not.toBe(playground);
    const frame = host.locator('kms-playground iframe');
    await expect(frame).toHaveAttribute('src', /^http:\/\/127\.0\.0\.1:\d+\/embed\.html\?scenario=workmail-basics&step=12&theme=dark$/);
    const inside = host.frameLocator('kms-playground iframe');
    await expect(inside.getByTestId('step-count')).toHaveText('Step 12 of 17', { timeout: 20_000 });
    await expect(inside.locator('html')).toHaveAttribute('data-theme', 'dark');
    // Sized by the height the flow posts across origins: the one the dialog wrote.
    await expect.poll(() => frame.evaluate((el) => (el as HTMLElement).style.height)).toBe(`${height}px`);
    expect(problems).toEqual([]);
    expect(hostProblems).toEqual([]);
  } finally {
    docs.close();
  }
});
