import { expect, test } from '@playwright/test';

import {
  atStep,
  BUILTINS,
  open,
  permalinkView,
  showTab,
  stepList,
  stepTotal,
  urlShowsStep,
  view,
  View,
  watchConsole,
} from './helpers';

// Every built-in scenario, first to last by the buttons, back by the keyboard, forward
// again by the keyboard: each step changes the sentence, the diagram and the inspector,
// and a step seen twice looks exactly the same both times.
for (const name of BUILTINS) {
  test(`${name}: steps by button and by keyboard, and going back restores each view`, async ({
    page,
  }) => {
    const problems = watchConsole(page);
    await open(page, name);
    const total = await stepTotal(page);
    expect(total).toBeGreaterThan(1);

    const first = page.getByRole('button', { name: 'First step' });
    const next = page.getByRole('button', { name: 'Next step' });
    await expect(first).toHaveAttribute('aria-disabled', 'true');

    // The first view as it is when the first step shows: the diagram is laid out at its
    // measured width before anything is painted, so going back must find it unchanged
    // (a guessed width replaced later was a visible jump from two lanes to three).
    const seen: View[] = [await view(page)];
    for (let n = 2; n <= total; n++) {
      await next.click();
      await atStep(page, n, total);
      const now = await view(page);
      const before = seen[seen.length - 1];
      expect(now.diagram, `diagram at step ${n}`).not.toBe(before.diagram);
      expect(now.inspector, `inspector at step ${n}`).not.toBe(before.inspector);
      expect(now.sentence.length, `sentence at step ${n}`).toBeGreaterThan(10);
      seen.push(now);
    }
    await expect(next).toHaveAttribute('aria-disabled', 'true');
    // The sentence is each step's own: most steps say something new.
    expect(new Set(seen.map((v) => v.sentence)).size).toBeGreaterThan(total / 2);

    // Back to the start with ←, from the page (not from a control).
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    for (let n = total - 1; n >= 1; n--) {
      await page.keyboard.press('ArrowLeft');
      await atStep(page, n, total);
      expect(await view(page), `step ${n} again, going back`).toEqual(seen[n - 1]);
    }
    // Forward again with →.
    for (let n = 2; n <= total; n++) {
      await page.keyboard.press('ArrowRight');
      await atStep(page, n, total);
      expect(await view(page), `step ${n} again, by keyboard`).toEqual(seen[n - 1]);
    }
    await page.keyboard.press('Home');
    await atStep(page, 1, total);
    expect(await view(page)).toEqual(seen[0]);
    await page.keyboard.press('End');
    await atStep(page, total, total);
    expect(await view(page)).toEqual(seen[total - 1]);

    expect(problems, 'console errors and warnings').toEqual([]);
  });
}

test('the step list marks the current step and jumps to a clicked one', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  const total = await stepTotal(page);
  const list = await stepList(page);
  const items = list.getByRole('button');
  await expect(items).toHaveCount(total);
  await expect(list.locator('[aria-current="step"]')).toHaveCount(1);
  await items.nth(6).click();
  await atStep(page, 7, total);
  await expect(items.nth(6)).toHaveAttribute('aria-current', 'step');
  const sentence = await page.getByTestId('step-sentence').textContent();
  await expect(items.nth(6)).toContainText(sentence ?? '');
  // The URL holds the view (a #v1: permalink), so reloading shows it again.
  await urlShowsStep(page, 6);
  expect(permalinkView(page.url())?.scenario).toEqual({ builtin: 'workmail-basics' });
  await page.reload();
  await atStep(page, 7, total);
  // The scrubber goes there too: dragged, or set.
  await page.getByTestId('scrubber').fill('2');
  await atStep(page, 3, total);
  await expect(page.getByRole('slider', { name: 'Step' })).toHaveAttribute('aria-valuetext', /^Step 3 of/);
  expect(problems).toEqual([]);
});

test('space plays and pauses; focus stays visible on every control', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  const total = await stepTotal(page);
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await atStep(page, 2, total);
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  const paused = await page.getByTestId('step-count').textContent();
  await page.waitForTimeout(1800);
  await expect(page.getByTestId('step-count')).toHaveText(paused ?? '');

  // Tab to the Next button: it shows a focus outline.
  const next = page.getByRole('button', { name: 'Next step' });
  await next.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const outline = await next.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  expect(problems).toEqual([]);
});

test('a diagram node is a button that shows its details in the inspector', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  await page.keyboard.press('End');
  const node = page.locator('[data-testid="diagram"] [role="button"][data-node^="mailbox-key-ct:"]').first();
  await expect(node).toHaveAttribute('aria-label', /Encrypted mailbox key/);
  await node.click();
  await expect(node).toHaveAttribute('aria-pressed', 'true');
  const details = page.getByTestId('selected-node');
  await expect(details).toContainText('Encrypted mailbox key');
  await expect(details).toContainText('Encrypted under KMS key');
  // Its bytes, as the fields of a KMS ciphertext blob.
  await expect(details.getByTestId('fields').locator('.field-name')).toHaveText([
    'version', 'key id', 'backing key version', 'nonce', 'ciphertext', 'tag',
  ]);

  // By keyboard: focus another node, Enter selects it.
  const kmsKey = page.locator('[data-testid="diagram"] [data-node^="kms-key:"]').first();
  await kmsKey.focus();
  await page.keyboard.press('Enter');
  await expect(kmsKey).toHaveAttribute('aria-pressed', 'true');
  await expect(details).toContainText('KMS key');

  // The text alternative says what is where.
  await expect(page.getByTestId('diagram-text')).toContainText('Inside AWS KMS: KMS key');
  expect(problems).toEqual([]);
});

test('the inspector shows the decision, the CloudTrail event, the bytes and the error', async ({
  page,
}) => {
  const problems = watchConsole(page);
  await open(page, 'ses-missing-statement');
  const total = await stepTotal(page);
  // Find the refused call.
  await stepList(page);
  await page.locator('.step-item.failed').first().click();
  const inspector = page.getByTestId('inspector');
  await showTab(page, 'Step');
  const error = inspector.getByTestId('step-error');
  await expect(error).toContainText('AccessDeniedException');

  await inspector.getByRole('tab', { name: /Authorization/ }).click();
  const decision = inspector.getByTestId('decision').first();
  await expect(decision).toContainText('Denied');
  await expect(decision.getByTestId('decision-reason')).not.toBeEmpty();
  await expect(decision.locator('table.statements tbody tr').first()).toBeVisible();

  await inspector.getByRole('tab', { name: /^CloudTrail/ }).click();
  await expect(inspector.locator('pre.json')).toContainText('"errorCode"');

  // A step with bytes: the first wrap of ses-receive.
  await open(page, 'ses-receive');
  await (await stepList(page)).getByRole('button', { name: /Get a unique data key/ }).first().click();
  await inspector.getByRole('tab', { name: /Bytes/ }).click();
  await expect(inspector.getByTestId('fields').first()).toBeVisible();
  await expect(inspector).toContainText(/\d+ bytes/);
  await expect(inspector.locator('.secret-note').first()).toContainText('never shown');
  expect(total).toBeGreaterThan(1);
  expect(problems).toEqual([]);
});

test('the scenario picker lists every built-in and opens one', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  await expect(page.getByTestId('scenario-title')).toHaveText(
    'WorkMail: a message encrypted, stored and read back',
  );
  const picker = page.getByTestId('scenario-picker');
  await expect(picker).toHaveAttribute('aria-expanded', 'false');
  await picker.click();
  const cards = page.locator('#scenario-menu [data-scenario]');
  await expect(cards).toHaveCount(BUILTINS.length);
  expect(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-scenario')))).toEqual(
    BUILTINS,
  );
  for (const card of await cards.all()) {
    await expect(card.locator('.card-title')).not.toBeEmpty();
    await expect(card.locator('.card-summary')).not.toBeEmpty();
  }
  await page.locator('#scenario-menu [data-scenario="key-rotation"]').click();
  await expect(picker).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('scenario-title')).toContainText('Key rotation');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of/);
  // The address bar holds the new view: a reload opens key-rotation again.
  await expect
    .poll(() => permalinkView(page.url())?.scenario)
    .toEqual({ builtin: 'key-rotation' });
  await page.reload();
  await expect(page.getByTestId('scenario-title')).toContainText('Key rotation');
  expect(problems).toEqual([]);
});
