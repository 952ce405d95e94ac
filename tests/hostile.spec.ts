import { expect, Page, test } from '@playwright/test';

import { closeDrawer, open, openDrawer, scrubTo, showTab, watchConsole } from './helpers';

// Hostile input through the editor: each is refused (or fails) with a clear message, and
// the page keeps working afterwards.

async function run(page: Page, text: string): Promise<void> {
  await openDrawer(page, 'Scenario editor');
  const editor = page.getByTestId('editor');
  await editor.fill(text);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

async function stillWorks(page: Page): Promise<void> {
  await closeDrawer(page);
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.keyboard.press('Home');
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 2 of \d+$/);
  await expect(page.getByTestId('diagram')).toBeVisible();
}

const key = { id: 'key', call: 'kms:CreateKey' };

test('a scenario over 1 MiB is refused', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  await run(page, JSON.stringify({ description: 'x'.repeat(1_100_000), steps: [key] }));
  const error = page.getByTestId('editor-error');
  await expect(error).toContainText(/the scenario is 11\d{5} bytes; the limit is 1048576 \(1 MiB\)/);
  await stillWorks(page);
  expect(problems).toEqual([]);
});

test('deeply nested JSON is refused', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  await run(page, '['.repeat(100_000) + ']'.repeat(100_000));
  const error = page.getByTestId('editor-error');
  await expect(error).toContainText('recursion limit exceeded');
  let nested: unknown = 1;
  for (let i = 0; i < 100; i++) nested = { a: nested };
  await run(page, JSON.stringify({ steps: [{ ...key, request: { Description: nested } }] }));
  await expect(error).toContainText('nests deeper than 64 levels');
  await stillWorks(page);
  expect(problems).toEqual([]);
});

test('invalid UTF-8 inside base64 is bytes, and random bytes are not a ciphertext', async ({
  page,
}) => {
  const problems = watchConsole(page);
  await open(page);
  await run(
    page,
    JSON.stringify({
      steps: [
        key,
        { id: 'enc', call: 'kms:Encrypt', request: { KeyId: '${key.KeyMetadata.Arn}', Plaintext: '/w==' } },
        { call: 'kms:Decrypt', request: { CiphertextBlob: '${enc.CiphertextBlob}' } },
        { call: 'kms:Decrypt', request: { CiphertextBlob: 'q83vASNFZ4mrze8BI0VniavN7wEjRWeJ' } },
      ],
    }),
  );
  await expect(page.getByText('Showing your edited scenario.')).toBeVisible();
  // The byte 0xFF (not UTF-8) encrypts and decrypts like any other.
  await closeDrawer(page);
  await showTab(page, 'Step');
  await scrubTo(page, 3);
  await expect(page.getByTestId('inspector')).toContainText('"Plaintext"');
  await expect(page.getByTestId('inspector').getByTestId('step-error')).toHaveCount(0);
  // Random bytes: KMS says it is not a ciphertext it issued.
  await scrubTo(page, 4);
  await expect(page.getByTestId('inspector').getByTestId('step-error')).toContainText(
    'InvalidCiphertextException',
  );
  await stillWorks(page);
  expect(problems).toEqual([]);
});

test('a 10,000-statement identity policy runs, and its decision stays readable', async ({
  page,
}) => {
  const problems = watchConsole(page);
  await open(page);
  const statements = Array.from({ length: 10_000 }, (_, i) => ({
    Sid: `S${i}`,
    Effect: 'Allow',
    Action: 'kms:Encrypt',
    Resource: '*',
  }));
  await run(
    page,
    JSON.stringify({
      principals: {
        big: {
          arn: 'arn:aws:iam::111122223333:role/Big',
          policies: [{ Version: '2012-10-17', Statement: statements }],
        },
      },
      steps: [
        { ...key, as: 'big', expect: { error: 'AccessDeniedException' } },
        { call: 'clock:Advance', request: { Seconds: 1 } },
      ],
    }),
  );
  await expect(page.getByText('Showing your edited scenario.')).toBeVisible({ timeout: 15_000 });
  await closeDrawer(page);
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('step-error')).toContainText('AccessDeniedException');
  await expect(inspector.getByTestId('step-error')).toContainText('no identity-based policy allows');
  await inspector.getByRole('tab', { name: /Authorization/ }).click();
  await expect(inspector).toContainText('9800 more statements of 10000 are not shown');
  await stillWorks(page);
  expect(problems).toEqual([]);
});

test('an unknown operation is refused with the operations there are', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  await run(page, JSON.stringify({ steps: [{ call: 'kms:Frobnicate' }] }));
  const error = page.getByTestId('editor-error');
  await expect(error).toContainText('steps[0].call');
  await expect(error).toContainText('kms has no operation "Frobnicate"; available: CreateKey');
  await run(page, JSON.stringify({ steps: [{ call: 'nope:Thing' }] }));
  await expect(error).toContainText('steps[0].call');
  await stillWorks(page);
  expect(problems).toEqual([]);
});

test('a ${} reference to its own step or to a missing step is refused', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  const error = page.getByTestId('editor-error');
  await run(page, JSON.stringify({ steps: [{ ...key, request: { Description: '${key.KeyMetadata.Arn}' } }] }));
  await expect(error).toContainText('steps[0].request.Description');
  await expect(error).toContainText('refers to its own step');
  await run(page, JSON.stringify({ steps: [{ ...key, request: { Description: '${nope.KeyId}' } }] }));
  await expect(error).toContainText('refers to no step: no earlier step has id "nope"');
  await stillWorks(page);
  expect(problems).toEqual([]);
});
