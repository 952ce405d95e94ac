import { expect, test } from '@playwright/test';

import { atStep, closeDrawer, open, openDrawer, stepList, stepTotal, view, watchConsole } from './helpers';

test('the editor rejects a broken scenario inline and keeps the last run', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  const total = await stepTotal(page);
  await page.getByRole('button', { name: 'Next step' }).click();
  await page.getByRole('button', { name: 'Next step' }).click();
  await atStep(page, 3, total);
  const before = await view(page);

  await openDrawer(page, 'Scenario editor');
  const editor = page.getByTestId('editor');
  const original = await editor.inputValue();
  expect(JSON.parse(original).name).toBe('workmail-basics');

  // Not JSON at all.
  await editor.fill('{ "steps": [ ');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const error = page.getByTestId('editor-error');
  await expect(error).toContainText('Not run');
  await expect(error).toContainText(/line \d+ column \d+/);
  await expect(editor).toHaveAttribute('aria-invalid', 'true');
  expect(await view(page)).toEqual(before);

  // JSON, but not a scenario: the path of the bad value.
  await editor.fill(JSON.stringify({ steps: [{ call: 'kms:Nope' }] }));
  await editor.press('Control+Enter');
  await expect(error).toContainText('steps[0].call');
  await expect(error).toContainText('kms has no operation');
  expect(await view(page)).toEqual(before);

  // The keyboard's arrows belong to the editor while it has focus.
  await editor.press('ArrowRight');
  await expect(page.getByTestId('step-count')).toHaveText(`Step 3 of ${total}`);

  // Undo brings the running scenario's text back.
  await page.getByRole('button', { name: 'Undo edits' }).click();
  await expect(editor).toHaveValue(original);
  await expect(error).toHaveCount(0);

  // A valid edit runs: the subject changes, so the scenario's expectation fails, visibly.
  const edited = original.replace('"Subject": "Quarterly numbers"', '"Subject": "Annual numbers"');
  expect(edited).not.toBe(original);
  await editor.fill(edited);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('Showing your edited scenario.')).toBeVisible();
  await closeDrawer(page);
  await stepList(page);
  await expect(page.locator('.step-list .badge.bad').first()).toContainText('unexpected');
  await expect(page.getByTestId('step-count')).toHaveText(`Step 3 of ${total}`);
  expect(problems).toEqual([]);
});

test('the CloudTrail log filters by event name and outcome and exports JSON', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-disabled-key');
  await openDrawer(page, 'CloudTrail log');
  const log = page.getByTestId('cloudtrail');
  const rows = log.locator('tbody tr');
  const all = await rows.count();
  expect(all).toBeGreaterThan(3);

  await log.getByTestId('trail-outcome').selectOption('error');
  const errors = await rows.count();
  expect(errors).toBeGreaterThan(0);
  expect(errors).toBeLessThan(all);
  for (const row of await rows.all()) {
    await expect(row.locator('.badge.bad')).toHaveText('DisabledException');
  }

  await log.getByTestId('trail-outcome').selectOption('all');
  await log.getByTestId('trail-name').selectOption('Decrypt');
  for (const row of await rows.all()) {
    await expect(row.locator('td').nth(1)).toHaveText('Decrypt');
  }
  const decrypts = await rows.count();

  const download = page.waitForEvent('download');
  await log.getByRole('button', { name: /^Export \d+ events? as JSON$/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('cloudtrail-workmail-disabled-key.json');
  const path = await file.path();
  const fs = await import('node:fs');
  const json = JSON.parse(fs.readFileSync(path!, 'utf8'));
  expect(json.Records).toHaveLength(decrypts);
  expect(json.Records.every((r: { eventName: string }) => r.eventName === 'Decrypt')).toBe(true);
  expect(json.Records.some((r: { errorCode?: string }) => r.errorCode === 'DisabledException')).toBe(
    true,
  );

  // A row's step button jumps to the step that made the call.
  await rows.last().getByRole('button').click();
  await expect(page.getByTestId('inspector')).toContainText('kms:Decrypt');
  expect(problems).toEqual([]);
});

test('at phone width nothing overflows and the diagram stacks its regions', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 360, height: 740 });
  await open(page);
  await page.keyboard.press('End');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  const box = await page.getByTestId('diagram').boundingBox();
  expect(box!.width).toBeLessThanOrEqual(360);
  const xs = await page
    .locator('[data-testid="diagram"] .region')
    .evaluateAll((regions) => regions.map((r) => Math.round(r.getBoundingClientRect().x)));
  expect(new Set(xs).size).toBe(1);
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-lanes', '1');
  await expect(page.getByRole('button', { name: 'Next step' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('reduced motion turns the animations off', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await open(page);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  const changed = page.locator('[data-testid="diagram"] .node.changed .halo').first();
  await expect(changed).toBeAttached();
  expect(await changed.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
});
