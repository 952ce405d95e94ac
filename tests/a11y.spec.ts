import { expect, test } from '@playwright/test';

import { axeViolations, breakIt, closeDrawer, open, openDrawer, openShare, showTab } from './helpers';

// axe-core is injected as a script, which the page's own CSP would refuse: these tests
// only look at the markup, so they run without it.
test.use({ bypassCSP: true });

test('axe finds nothing in the main view, with an experiment and the policy editor open', async ({
  page,
}) => {
  await open(page, 'ses-receive');
  expect(await axeViolations(page)).toEqual([]);
  await breakIt(page, 'Edit the key policy');
  await page.getByTestId('policy-preset').selectOption({ label: 'Default key policy' });
  await expect(page.getByTestId('experiment-failure')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await closeDrawer(page);
  await page.getByTestId('experiment-failure').getByRole('button', { name: /^Step \d+$/ }).click();
  await showTab(page, 'Authorization');
  expect(await axeViolations(page)).toEqual([]);
  await showTab(page, 'Step');
  await page.getByTestId('break-it').click();
  expect(await axeViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  for (const tab of ['Bytes', 'CloudTrail', 'All steps']) {
    await showTab(page, tab);
    expect(await axeViolations(page), tab).toEqual([]);
  }
  await openDrawer(page, 'Scenario editor');
  expect(await axeViolations(page)).toEqual([]);
});

test('axe finds nothing in the dark theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await open(page, 'workmail-revoke-grant');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  expect(await axeViolations(page)).toEqual([]);
  await breakIt(page, 'Disable the key');
  await expect(page.getByTestId('experiment-outcome')).toBeVisible();
  await page.getByRole('button', { name: 'Legend' }).click();
  await openDrawer(page, 'CloudTrail log');
  expect(await axeViolations(page)).toEqual([]);
});

test('axe finds nothing in the embed view, light and dark', async ({ page }) => {
  await page.goto('./embed.html?scenario=workmail-basics&step=12');
  await expect(page.getByTestId('diagram')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await page.goto('./embed.html?scenario=workmail-revoke-grant&step=27&controls=0&theme=dark');
  await expect(page.getByTestId('diagram')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});

test('axe finds nothing in "Check my key policy", light and dark, with a refusal and its fix', async ({ page }) => {
  await open(page);
  await page.getByTestId('open-check').click();
  await expect(page.getByTestId('check-status')).toBeVisible();
  await page.getByTestId('verdict-cloudtrail').locator('details summary').click();
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await axeViolations(page)).toEqual([]);
});

test('axe finds nothing in the embed dialog, light and dark, on a laptop and a phone', async ({ page }) => {
  for (const [colorScheme, width] of [['light', 1280], ['dark', 390]] as const) {
    await page.setViewportSize({ width, height: 800 });
    await page.emulateMedia({ colorScheme });
    await open(page, 'workmail-basics');
    await openShare(page);
    await page.getByTestId('copy-embed').click();
    const dialog = page.getByRole('dialog', { name: 'Embed this flow' });
    await expect(dialog).toBeVisible();
    await page.getByLabel("Your page's column").selectOption('other');
    expect(await axeViolations(page), `${colorScheme} ${width}`).toEqual([]);
  }
});
