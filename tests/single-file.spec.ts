import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { breakIt, watchConsole, watchCsp } from './helpers';

// `cargo xtask dist --single-file` (which `cargo xtask test` runs): the whole page in one
// HTML file, opened from disk.
const file = resolve(__dirname, '../dist/kms-playground.html');
const url = pathToFileURL(file).href;

test('the single-file build works from file:// and loads nothing else', async ({ page }) => {
  test.skip(!existsSync(file), 'run `cargo xtask dist --single-file` first');
  const problems = watchConsole(page);
  const csp = await watchCsp(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));

  await page.goto(url);
  await expect(page.getByTestId('scenario-title')).toHaveText(
    'WorkMail: a message encrypted, stored and read back',
  );
  await expect(page.locator('svg[data-testid="diagram"]')).toBeVisible();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of/);
  await breakIt(page, "Revoke WorkMail's grant");
  await expect(page.getByTestId('experiment-failure')).toBeVisible();
  // The diagram measures its text on a canvas: allowed under the file's policy too.
  await page.getByTestId('experiment-failure').getByRole('button', { name: /^Step \d+$/ }).click();
  await expect(page.getByTestId('diagram').getByTestId('failure')).toHaveAttribute(
    'data-error',
    'AccessDeniedException',
  );

  // Its policy allows nothing from outside the file: no default source, its own inline
  // script and style by hash.
  const policy = await page
    .locator('meta[http-equiv="Content-Security-Policy"]')
    .getAttribute('content');
  expect(policy).toMatch(
    /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:$/,
  );

  // The embed dialog embeds the file in itself; its policy allows no frames, so there is
  // no preview (nor a <kms-playground> element: there is no embed.js).
  await page.getByTestId('share').click();
  await page.getByTestId('copy-embed').click();
  const dialog = page.getByRole('dialog', { name: 'Embed this flow' });
  await expect(dialog.getByLabel('Embed code')).toHaveValue(
    /^<iframe src="file:\/\/[^"]+\/kms-playground\.html\?embed=1#v1:[A-Za-z0-9_-]+" /,
  );
  await dialog.getByLabel('Theme').selectOption('dark');
  await expect(dialog.getByLabel('Embed code')).toHaveValue(/kms-playground\.html\?embed=1&amp;theme=dark#v1:/);
  await expect(dialog.locator('iframe')).toHaveCount(0);
  await expect(dialog.getByLabel('<kms-playground> (sizes itself)')).toHaveCount(0);
  await expect(dialog.getByTestId('embed-note')).toContainText('is a guess');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Embed mode from the same file.
  await page.goto(`${url}?embed=1&scenario=ses-receive&step=2&controls=0`);
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of/);
  await expect(page.getByRole('button', { name: 'Next step' })).toHaveCount(0);
  expect(await page.getByRole('link', { name: /Open in playground/ }).getAttribute('href')).toMatch(
    /^kms-playground\.html#v1:/,
  );

  expect(requests.filter((r) => !r.startsWith(url) && !r.startsWith('data:'))).toEqual([]);
  expect(await csp()).toEqual([]);
  expect(problems).toEqual([]);
});
