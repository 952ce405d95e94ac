import { expect, Page, test } from '@playwright/test';

import { open, watchConsole } from './helpers';

// The page's wasm is in two parts (crates/xtask/src/dist.rs, split_page): what the first
// diagram runs, in kmsplay_web_bg.wasm, and the rest, in kmsplay_web_deferred.wasm,
// fetched at the first sign of use (web/deferred.js).

const DEFERRED = 'kmsplay_web_deferred.wasm';

/** Every request for the deferred module, with how it was made ("fetch" or "xhr"). */
function watchDeferred(page: Page): string[] {
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith(DEFERRED)) requests.push(request.resourceType());
  });
  return requests;
}

test('a page that is only looked at never loads the rest of the wasm', async ({ page }) => {
  const problems = watchConsole(page);
  const deferred = watchDeferred(page);
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(new URL(request.url()).pathname);
  });
  await open(page);
  await page.waitForLoadState('networkidle');
  // If this fails, the first diagram calls functions that web/deferred-keep.txt does not
  // list: `cargo xtask deferred-profile` renews it.
  expect(deferred, 'the first diagram needed the deferred module').toEqual([]);
  expect(wasm).toHaveLength(1);
  expect(problems).toEqual([]);
});

test('the first flow named in the URL, in the page and in an embed, needs only the first part', async ({
  page,
}) => {
  // Documentation embeds and permalinks name their flow: the scenario parameter runs code
  // that a bare load does not, and it must be in web/deferred-keep.txt too.
  const problems = watchConsole(page);
  const deferred = watchDeferred(page);
  for (const path of ['./?scenario=workmail-basics', './embed.html?scenario=workmail-basics']) {
    await page.goto(path);
    await expect(page.getByTestId('diagram')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
    await page.waitForLoadState('networkidle');
    expect(deferred, `${path} needed the deferred module`).toEqual([]);
  }
  expect(problems).toEqual([]);
});

test('the first click fetches the rest in the background, and everything works', async ({
  page,
}) => {
  const problems = watchConsole(page);
  const deferred = watchDeferred(page);
  await open(page);
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of \d+$/);
  await expect.poll(() => deferred).toEqual(['fetch']);
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 3 of \d+$/);
  // Fetched once: the second click found it there.
  expect(deferred).toEqual(['fetch']);
  expect(problems).toEqual([]);
});

test('a flow that needs the rest on its first run loads it there and then', async ({ page }) => {
  const problems = watchConsole(page);
  const deferred = watchDeferred(page);
  // Nothing has been clicked: key rotation's first run calls code that the first flow
  // (web/deferred-keep.txt) does not, so the page loads the rest synchronously.
  await open(page, 'key-rotation');
  expect(deferred).toEqual(['xhr']);
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of \d+$/);
  expect(problems).toEqual([]);
});
