import { expect, Page, test } from '@playwright/test';

import { BUILTINS, open, option, stepTotal, watchConsole } from './helpers';

// The stage, as issue 17 asks it to be, at a laptop, a large screen and a phone, light
// and dark, at every step of every built-in scenario:
// - the diagram's top edge is within the first screen;
// - the Next button does not move, ever;
// - nothing overflows sideways;
// - no diagram text is drawn under 12 px, and no name is cut (every line of text ends
//   inside its box);
// - a failed step shows its failure in the SVG, with the AWS error name.

const VIEWPORTS = [
  { name: 'laptop', width: 1366, height: 768 },
  { name: 'large screen', width: 1920, height: 1080 },
  { name: 'phone', width: 390, height: 844 },
];

interface Probe {
  step: string;
  next: number[];
  overflow: number;
  minFont: number;
  smallest: string;
  minBoxHeight: number;
  cut: string[];
  stripFailed: boolean;
  failure: string | null;
  error: string | null;
}

/** Everything the checks need about the step shown, measured in the page. */
async function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => {
    const nextRect = document.querySelector('button[aria-label="Next step"]')!.getBoundingClientRect();
    const svg = document.querySelector('svg[data-testid="diagram"]') as SVGSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    let minFont = Infinity;
    let smallest = '';
    let minBoxHeight = Infinity;
    for (const t of Array.from(svg.querySelectorAll('text'))) {
      if (!t.textContent?.trim()) continue;
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (size < minFont) {
        minFont = size;
        smallest = t.textContent;
      }
      minBoxHeight = Math.min(minBoxHeight, t.getBoundingClientRect().height);
    }
    // A line of text that runs out of its node, grant or boundary is a cut name.
    const cut: string[] = [];
    const inside = (texts: Element[], box: DOMRect) => {
      for (const t of texts) {
        const r = t.getBoundingClientRect();
        if (r.right > box.right + 1 || r.left < box.left - 1) cut.push(t.textContent ?? '');
      }
    };
    for (const node of Array.from(svg.querySelectorAll('.node'))) {
      const box = node.querySelector('.box')!.getBoundingClientRect();
      inside(Array.from(node.querySelectorAll('text')), box);
    }
    for (const region of Array.from(svg.querySelectorAll('.region'))) {
      const box = region.querySelector('rect')!.getBoundingClientRect();
      inside(Array.from(region.querySelectorAll(':scope > text')), box);
    }
    const failure = svg.querySelector('[data-testid="failure"]');
    return {
      step: svg.getAttribute('data-step') ?? '',
      next: [nextRect.x, nextRect.y, nextRect.width, nextRect.height].map((v) => Math.round(v * 10) / 10),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      minFont,
      smallest,
      minBoxHeight,
      cut,
      stripFailed: !!document.querySelector('[data-testid="step-strip"].failed'),
      failure: failure ? failure.getAttribute('data-error') : null,
      error: document.querySelector('[data-testid="step-strip"].failed .badge') ? 'failed' : null,
    };
  });
}

for (const viewport of VIEWPORTS) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`${viewport.name} (${viewport.width}×${viewport.height}), ${colorScheme}: the stage holds at every step of every built-in`, async ({
      page,
    }) => {
      test.setTimeout(240_000);
      const problems = watchConsole(page);
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
      let next: number[] | null = null;
      for (const name of BUILTINS) {
        await open(page, name);
        // The diagram is the first thing: its top edge is on the first screen.
        const top = await page.getByTestId('diagram').evaluate((el) => el.getBoundingClientRect().top);
        expect(top, `${name}: the diagram's top`).toBeGreaterThanOrEqual(0);
        expect(top, `${name}: the diagram's top`).toBeLessThan(viewport.height * 0.25);
        const total = await stepTotal(page);
        await page.locator('body').click({ position: { x: 1, y: viewport.height - 1 } });
        for (let i = 0; i < total; i++) {
          if (i > 0) {
            await page.keyboard.press('ArrowRight');
            await expect(page.getByTestId('diagram')).toHaveAttribute('data-step', String(i));
          }
          const p = await probe(page);
          const at = `${name} step ${i + 1}`;
          next ??= p.next;
          expect(p.next, `${at}: the Next button moved`).toEqual(next);
          expect(p.overflow, `${at}: sideways overflow`).toBeLessThanOrEqual(0);
          expect(p.minFont, `${at}: "${p.smallest}" is under 12 px`).toBeGreaterThanOrEqual(11.99);
          expect(p.minBoxHeight, `${at}: a text box under 12 px`).toBeGreaterThanOrEqual(12);
          expect(p.cut, `${at}: text cut at its box`).toEqual([]);
          // A failed step draws its failure, with the AWS error name; no other step does.
          expect(p.failure !== null, `${at}: failure drawn iff the step failed`).toBe(p.stripFailed);
          if (p.stripFailed) {
            expect(p.failure, at).toMatch(/Exception$|^InvalidCiphertext$/);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
}

test('at 320 px nothing overflows, and the strip stays on screen', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 320, height: 640 });
  for (const name of ['workmail-revoke-grant', 'ses-receive', 'location-least-privilege']) {
    await open(page, name);
    const total = await stepTotal(page);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    for (let i = 0; i < total; i++) {
      if (i > 0) {
        await page.keyboard.press('ArrowRight');
        await expect(page.getByTestId('diagram')).toHaveAttribute('data-step', String(i));
      }
      const p = await probe(page);
      expect(p.overflow, `${name} step ${i + 1}`).toBeLessThanOrEqual(0);
      expect(p.minFont, `${name} step ${i + 1}`).toBeGreaterThanOrEqual(11.99);
      expect(p.cut, `${name} step ${i + 1}`).toEqual([]);
      const next = p.next;
      expect(next[0] + next[2], 'Next fits the screen').toBeLessThanOrEqual(320);
      expect(next[1] + next[3], 'Next is on screen').toBeLessThanOrEqual(640);
    }
  }
  expect(problems).toEqual([]);
});

test('the strip says a failure in one line; the inspector explains it once, in full', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-revoke-grant');
  const total = await stepTotal(page);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('step-count')).toHaveText(`Step ${total - 1} of ${total}`);
  // In the diagram: the broken arrow from the encrypted mailbox key to the KMS key.
  const failure = page.getByTestId('diagram').getByTestId('failure');
  await expect(failure).toHaveAttribute('data-error', 'AccessDeniedException');
  await expect(failure.locator('.failure-path')).toHaveCount(1);
  await expect(failure.locator('.failure-break')).toHaveCount(1);
  await expect(page.locator('.node.failed[data-node-id^="kms-key:"]')).toHaveCount(1);
  // The error's name is written in the key that refused the call.
  await expect(page.locator('.node.failed[data-node-id^="kms-key:"] .node-error')).toHaveText(
    '✕ AccessDeniedException',
  );
  await expect(page.locator('.node.failed[data-node-id^="mailbox-key-ct:"]')).toHaveCount(1);
  // On the key: WorkMail's grant, struck through.
  await expect(page.locator('.grant.revoked')).toContainText('revoked at step');
  // The strip: one line of summary.
  await expect(page.getByTestId('step-sentence')).toHaveText(/^AccessDeniedException: The grant that let workmail/);
  // The inspector: the error's one full explanation, with expected against actual.
  const error = page.getByTestId('inspector').getByTestId('step-error');
  await expect(error.locator('.error-name')).toHaveText('AccessDeniedException');
  await expect(error).toContainText('Amazon WorkMail');
  await expect(error.getByTestId('error-why')).toContainText('was revoked at step');
  const checks = error.getByTestId('error-checks');
  await expect(checks).toContainText('kms:ViaService');
  await expect(checks).toContainText('workmail.us-east-1.amazonaws.com');
  await expect(checks).toContainText('(absent)');
  // The error's words are on screen once in full, once as the strip's summary (the AWS
  // message only behind a disclosure; the diagram's text alternative is for screen readers).
  const why = (await error.getByTestId('error-why').textContent())!.replace(/^Why: /, '').trim();
  const count = await page.evaluate((text) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts: string[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (parent && !parent.closest('.sr-only, details:not([open]) > :not(summary)')) parts.push(n.textContent ?? '');
    }
    const visible = parts.join('');
    return visible.split(text.slice(0, 40)).length - 1;
  }, why);
  expect(count).toBe(2); // the inspector, and the strip's one line
  // The next step, a consequence, points back to it.
  await page.keyboard.press('ArrowRight');
  await expect(error.getByTestId('error-why')).toContainText(`It relies on step ${total - 1}`);
  await error.getByRole('button', { name: `See step ${total - 1}` }).click();
  await expect(page.getByTestId('step-count')).toHaveText(`Step ${total - 1} of ${total}`);
  expect(problems).toEqual([]);
});

test('the Bytes tab shows a ciphertext as its named fields, and the S3 envelope', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'ses-receive');
  const inspector = page.getByTestId('inspector');
  await page.getByTestId('scrubber').fill('8');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 9 of/);
  await inspector.getByRole('tab', { name: /^Bytes/ }).click();
  const fields = inspector.locator('.bytes-item', { hasText: 'Encrypted data key' }).first().getByTestId('fields');
  await expect(fields.locator('.field-name')).toHaveText([
    'version',
    'key id',
    'backing key version',
    'nonce',
    'ciphertext',
    'tag',
  ]);
  await expect(fields.locator('[data-field="key id"] .field-value')).toHaveText(
    '9a374450-4560-439e-8670-b7a17d492b27',
  );
  await expect(fields.locator('[data-field="backing key version"] .field-value')).toHaveText('1');
  // Each field has its own colour.
  const colours = await fields
    .locator('.field')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).borderTopColor));
  expect(new Set(colours).size).toBe(6);
  // The object's metadata: the S3 encryption client's envelope, entry by entry.
  const envelope = inspector.getByTestId('envelope');
  for (const name of ['x-amz-key-v2', 'x-amz-iv', 'x-amz-matdesc', 'x-amz-wrap-alg', 'x-amz-cek-alg', 'x-amz-tag-len']) {
    await expect(envelope.locator(`[data-entry="${name}"]`), name).toBeVisible();
  }
  await expect(envelope.locator('[data-entry="x-amz-matdesc"]')).toContainText('aws:ses:rule-name');
  await expect(envelope.locator('[data-entry="x-amz-key-v2"] .field')).toHaveCount(6);
  expect(problems).toEqual([]);
});

test('an experiment that switches to a customer managed key first says so, and focus moves to its outcome', async ({
  page,
}) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-basics');
  await page.getByTestId('break-it').click();
  const disable = option(page, 'Disable the key');
  await expect(disable).toContainText('AWS managed keys cannot be disabled');
  await disable.click();
  const outcome = page.getByTestId('experiment-outcome');
  await expect(outcome).toBeFocused();
  await expect(outcome.locator('.experiment-title')).toContainText('on a new customer managed key');
  await expect(outcome).toContainText('First differs at step 1');
  await expect(outcome).toContainText('switches to a new customer managed key');
  await expect(page.getByTestId('scenario-title')).toContainText(
    '(experiment: disable the key, on a new customer managed key)',
  );
  // The first difference and the failure are ticks on the scrubber.
  await expect(page.locator('.scrubber .tick.difference')).toHaveCount(1);
  await expect(page.locator('.scrubber .tick.error')).not.toHaveCount(0);
  // Drawn on the diagram: the disabled key, then the refused Decrypt.
  await outcome.getByRole('button', { name: /^Step \d+$/ }).click();
  await expect(page.locator('.node.unusable[data-node-id^="kms-key:"]')).toContainText('Disabled');
  await expect(page.getByTestId('diagram').getByTestId('failure')).toHaveAttribute(
    'data-error',
    'DisabledException',
  );
  expect(problems).toEqual([]);
});

test('a flipped byte is marked on the stored ciphertext and in its bytes', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-basics');
  await page.getByTestId('break-it').click();
  await option(page, 'Flip a byte of the stored mailbox key').click();
  await expect(page.getByTestId('experiment-outcome')).toBeVisible();
  const tampered = page.locator('.node.tampered[data-node-id^="mailbox-key-ct:"]');
  await expect(tampered).toContainText('byte 40 flipped at step');
  await tampered.locator('[role="button"]').click();
  const selected = page.getByTestId('selected-node');
  await expect(selected.locator('.byte.flipped')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('the stage menus close on Escape and on a click elsewhere', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'ses-receive');
  const breakIt = page.getByTestId('break-it');
  await breakIt.click();
  await expect(breakIt).toHaveAttribute('aria-expanded', 'true');
  await page.mouse.click(200, 500);
  await expect(breakIt).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('#break-menu')).toBeHidden();
  await breakIt.click();
  await page.keyboard.press('Escape');
  await expect(breakIt).toHaveAttribute('aria-expanded', 'false');
  await expect(breakIt).toBeFocused();
  const share = page.getByTestId('share');
  await share.click();
  await expect(page.getByTestId('copy-link')).toBeVisible();
  await page.mouse.click(200, 500);
  await expect(page.getByTestId('copy-link')).toBeHidden();
  const picker = page.getByTestId('scenario-picker');
  await picker.click();
  await expect(picker).toHaveAttribute('aria-expanded', 'true');
  await page.mouse.click(10, 700);
  await expect(picker).toHaveAttribute('aria-expanded', 'false');
  expect(problems).toEqual([]);
});
