import { expect, test } from '@playwright/test';

import {
  breakIt,
  closeDrawer,
  open,
  openDrawer,
  openShare,
  permalinkView,
  showTab,
  stepList,
  urlShowsStep,
  view,
  watchConsole,
} from './helpers';

test('a copied link restores the same view in a new page', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(baseURL!).origin,
  });
  const problems = watchConsole(page);
  await open(page, 'ses-receive');
  await breakIt(page, 'Flip a byte of the encrypted data key');
  await expect(page.getByTestId('experiment-failure')).toBeVisible();
  // Another step and another inspector tab than the ones the experiment opened with.
  await (await stepList(page)).getByRole('button').nth(4).click();
  await showTab(page, 'CloudTrail');
  const before = await view(page);

  await openShare(page);
  await page.getByTestId('copy-link').click();
  await expect(page.getByTestId('share-done')).toHaveText('Link copied to the clipboard.');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v1:[A-Za-z0-9_-]+$/);
  expect(permalinkView(link)).toMatchObject({
    scenario: { builtin: 'ses-receive' },
    step: 4,
    experiment: { kind: 'flipByte' },
    panel: 'cloudtrail',
  });
  // The address bar holds the same view.
  await expect(page).toHaveURL(link);

  const other = await context.newPage();
  const otherProblems = watchConsole(other);
  await other.goto(link);
  await expect(other.getByTestId('experiment-outcome')).toContainText(
    'Flip a byte of the encrypted data key',
  );
  await expect(other.getByTestId('step-count')).toHaveText(before.count);
  await expect(other.getByTestId('inspector').getByRole('tab', { name: /^CloudTrail/ }))
    .toHaveAttribute('aria-selected', 'true');
  expect(await view(other)).toEqual(before);
  await expect(other.getByTestId('scenario-title')).toContainText('(experiment: flip one bit');

  // The embed code embeds the same view, through embed.html beside the page.
  await openShare(page);
  await page.getByTestId('copy-embed').click();
  const dialog = page.getByRole('dialog', { name: 'Embed this flow' });
  await expect(dialog.getByTestId('embed-note')).toHaveAttribute('data-measured', 'true', { timeout: 20_000 });
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByTestId('embed-copied')).toHaveText('Copied to the clipboard.');
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  expect(snippet).toMatch(
    /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html#v1:[A-Za-z0-9_-]+" title="KMS Playground: [^"]+" width="100%"/,
  );
  const embedded = permalinkView(snippet.match(/src="([^"]+)"/)![1]);
  expect(embedded).toMatchObject({ scenario: { builtin: 'ses-receive' }, step: 4, experiment: { kind: 'flipByte' } });
  expect(embedded).not.toHaveProperty('panel');
  // Its options go in the query, before the permalink.
  await dialog.getByLabel('Theme').selectOption('dark');
  await expect(dialog.getByLabel('Embed code')).toHaveValue(/\/embed\.html\?theme=dark#v1:/);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(problems).toEqual([]);
  expect(otherProblems).toEqual([]);
});

test('an edited scenario travels in the link', async ({ page, context }) => {
  const problems = watchConsole(page);
  await open(page);
  await openDrawer(page, 'Scenario editor');
  const editor = page.getByTestId('editor');
  const edited = (await editor.inputValue()).replace('"Subject": "Quarterly numbers"', '"Subject": "Linked"');
  await editor.fill(edited);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('Showing your edited scenario.')).toBeVisible();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of/);
  await closeDrawer(page);
  // The address bar is rewritten once the view settles: the whole scenario, step 2.
  await expect.poll(() => Object.keys(permalinkView(page.url())?.scenario ?? {})).toEqual(['custom']);
  await urlShowsStep(page, 1);
  const url = page.url();
  const before = await view(page);
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('step-count')).toHaveText(/^Step 2 of/);
  expect(await view(other)).toEqual(before);
  await openDrawer(other, 'Scenario editor');
  await expect(other.getByText('Showing your edited scenario.')).toBeVisible();
  await expect(other.getByTestId('editor')).toHaveValue(/"Subject": "Linked"/);
  expect(problems).toEqual([]);
});

test('a damaged or unknown link says so and shows the default view', async ({ page }) => {
  for (const [fragment, words] of [
    ['#v1:AAAA', 'damaged'],
    ['#v1:%%%', 'damaged'],
    ['#v9:abcdef', 'format "v9"'],
  ]) {
    await page.goto(`./${fragment}`);
    const notice = page.getByTestId('notice');
    await expect(notice).toContainText('Could not open the link');
    await expect(notice).toContainText(words);
    await expect(notice).toContainText('default view');
    // Never a blank page: the default scenario is there.
    await expect(page.getByTestId('scenario-title')).toHaveText(
      'WorkMail: a message encrypted, stored and read back',
    );
    await expect(page.getByTestId('diagram')).toBeVisible();
    await notice.getByRole('button', { name: 'Dismiss this message' }).click();
    await expect(notice).toHaveCount(0);
  }
  // A permalink pasted into the address bar of the open page is restored.
  await open(page, 'ses-receive');
  await page.getByRole('button', { name: 'Next step' }).click();
  await page.getByRole('button', { name: 'Next step' }).click();
  await urlShowsStep(page, 2);
  const third = page.url();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of/);
  await page.goto('./#v1:AAAA');
  await expect(page.getByTestId('notice')).toBeVisible();
  await page.evaluate((hash) => { location.hash = hash; }, new URL(third).hash);
  await expect(page.getByTestId('scenario-title')).toContainText('SES');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 3 of/);
});

test('without a clipboard the link is selected in a field to copy by hand', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
  });
  const problems = watchConsole(page);
  await open(page, 'key-rotation');
  await openShare(page);
  await page.getByTestId('copy-link').click();
  const field = page.getByTestId('share-text');
  await expect(field).toBeVisible();
  await expect(field).toHaveValue(/#v1:/);
  await expect(field).toHaveJSProperty('readOnly', true);
  await expect(field).toBeFocused();
  const selected = await field.evaluate(
    (el) => (el as HTMLInputElement).selectionEnd! - (el as HTMLInputElement).selectionStart!,
  );
  expect(selected).toBe((await field.inputValue()).length);
  await expect(page.getByLabel(/There is no clipboard here/)).toBeVisible();

  // In the embed dialog, the code is selected in its own read-only field.
  await page.getByTestId('copy-embed').click();
  const dialog = page.getByRole('dialog', { name: 'Embed this flow' });
  // (Once the preview has said its height: the code changes then, and the selection with it.)
  await expect(dialog.getByTestId('embed-note')).toHaveAttribute('data-measured', 'true', { timeout: 20_000 });
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByTestId('embed-manual')).toContainText('There is no clipboard here');
  const code = dialog.getByLabel('Embed code');
  await expect(code).toBeFocused();
  await expect(code).toHaveJSProperty('readOnly', true);
  await expect(code).toHaveValue(/^<iframe src="[^"]+\/embed\.html\?scenario=key-rotation&amp;step=1"/);
  const codeSelected = await code.evaluate(
    (el) => (el as HTMLTextAreaElement).selectionEnd - (el as HTMLTextAreaElement).selectionStart,
  );
  expect(codeSelected).toBe((await code.inputValue()).length);
  expect(problems).toEqual([]);
});
