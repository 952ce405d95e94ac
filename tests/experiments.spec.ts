import { expect, Page, test } from '@playwright/test';

import { open, stepTotal, watchConsole } from './helpers';

// Experiments that change the flow without breaking it: the outcome says so.
const NOT_BREAKING = ['Advance the clock 61 s', 'Use a customer managed key'];

// Spot checks: the AWS error each experiment ends in.
const EXPECTED: Record<string, Record<string, string>> = {
  'workmail-basics': {
    "Revoke WorkMail's grant": 'AccessDeniedException',
    'Disable the key': 'DisabledException',
    "Schedule the key's deletion": 'KMSInvalidStateException',
    'Flip a byte of the stored mailbox key': 'InvalidCiphertextException',
  },
  'ses-receive': {
    'Disable the key': 'DisabledException',
    'Flip a byte of the encrypted data key': 'InvalidCiphertextException',
  },
  'encryption-context': {
    'Change "purpose" in step 3\'s context': 'InvalidCiphertextException',
    'Drop "purpose" from step 3\'s context': 'InvalidCiphertextException',
  },
};

async function offered(page: Page): Promise<string[]> {
  return page
    .getByTestId('experiment-choice')
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
}

async function tryExperiment(page: Page, label: string): Promise<void> {
  await page.getByTestId('experiment-choice').selectOption(label);
  await page.getByTestId('experiment-try').click();
  const outcome = page.getByTestId('experiment-outcome');
  await expect(outcome.locator('.experiment-title')).toContainText(label);
}

// Every experiment offered for a few representative scenarios runs, marks and shows the
// step where the run first differs, and shows its failure with the explanation: the
// AWS error and its message, why (for a decryption), and the authorization decision (for
// a refusal). Reset shows the unmodified run again.
for (const scenario of Object.keys(EXPECTED)) {
  test(`${scenario}: every offered experiment shows where and why it fails`, async ({ page }) => {
    const problems = watchConsole(page);
    await open(page, scenario);
    const baseTotal = await stepTotal(page);
    const labels = (await offered(page)).filter((l) => l !== 'Edit the key policy');
    expect(labels.length).toBeGreaterThan(2);
    for (const label of labels) {
      await tryExperiment(page, label);
      const outcome = page.getByTestId('experiment-outcome');
      await expect(page.getByTestId('scenario-title')).toContainText('(experiment)');

      // The first difference is marked in the step list, and the page went there.
      const differs = page.getByTestId('first-difference');
      await expect(differs, label).toHaveCount(1);
      await expect(differs).toContainText('First difference');
      const number = Number(await differs.locator('.step-num').textContent());
      await expect(page.getByTestId('step-count')).toHaveText(new RegExp(`^Step ${number} of`));
      await expect(page.getByTestId('diagram')).toHaveAttribute('data-step', String(number - 1));

      const failure = outcome.getByTestId('experiment-failure');
      if (NOT_BREAKING.includes(label)) {
        await expect(outcome, label).toContainText('No call fails');
        continue;
      }
      await expect(failure, label).toBeVisible();
      const code = (await failure.locator('.error-code').textContent()) ?? '';
      expect(code, label).toMatch(/Exception$|^InvalidCiphertext$/);
      const expected = EXPECTED[scenario][label];
      if (expected) expect(code, label).toBe(expected);
      await expect(failure.locator('.experiment-message')).not.toBeEmpty();
      if (code === 'AccessDeniedException') {
        await expect(failure.getByTestId('experiment-decision'), label).toContainText('denied');
      }
      if (code === 'InvalidCiphertextException') {
        await expect(failure, label).toContainText('Why:');
      }
      // The failing step is one click away, and the step list says it failed.
      await failure.getByRole('button', { name: /^Step \d+$/ }).click();
      await expect(page.getByTestId('inspector').getByTestId('step-error')).toContainText(code);
    }
    await page.getByTestId('experiment-reset').click();
    await expect(page.getByTestId('experiment-outcome')).toHaveCount(0);
    await expect(page.getByTestId('first-difference')).toHaveCount(0);
    await expect(page.getByTestId('scenario-title')).not.toContainText('(experiment)');
    expect(await stepTotal(page)).toBe(baseTotal);
    expect(problems).toEqual([]);
  });
}

test('a refusal shows its decision, statement by statement', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-basics');
  await tryExperiment(page, "Revoke WorkMail's grant");
  const decision = page.getByTestId('experiment-decision');
  await expect(decision).toContainText('kms:Decrypt');
  await decision.getByRole('button', { name: /statement by statement/ }).click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByRole('tab', { name: /Authorization/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(inspector.getByTestId('decision').first()).toContainText('Denied');
  // The CloudTrail log of the experiment's run records the refused call.
  await expect(page.getByTestId('cloudtrail').locator('.badge.bad').first()).toHaveText(
    'AccessDeniedException',
  );
  expect(problems).toEqual([]);
});

test('the key policy editor re-evaluates the decisions as you type', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'ses-receive');
  await page.getByTestId('experiment-choice').selectOption('Edit the key policy');
  await page.getByTestId('experiment-try').click();
  const editor = page.getByTestId('policy-text');
  await expect(editor).toHaveValue(/ses\.amazonaws\.com/);
  // The scenario's own policy: the run is unchanged.
  await expect(page.getByTestId('experiment-outcome')).toContainText('Edit the key policy');
  await expect(page.getByTestId('experiment-outcome')).toContainText('same as the unmodified');

  // A typing mistake is shown inline, and nothing runs.
  await editor.fill('{ "Version": "2012-10-17", "Statement": [ ');
  const error = page.getByTestId('policy-error');
  await expect(error).toContainText('not valid JSON');
  await expect(editor).toHaveAttribute('aria-invalid', 'true');
  // Valid JSON, but not a policy: the path of the mistake.
  await editor.fill('{ "Version": "2012-10-17", "Statement": [ { "Effect": "Perhaps" } ] }');
  await expect(error).toContainText('Effect');

  // The default key policy has no statement for SES: its GenerateDataKey is denied.
  await page.getByTestId('policy-preset').selectOption({ label: 'Default key policy' });
  await expect(error).toHaveCount(0);
  const failure = page.getByTestId('experiment-failure');
  await expect(failure.locator('.error-code')).toHaveText('AccessDeniedException');
  await expect(failure.getByTestId('experiment-decision')).toContainText('ses.amazonaws.com');

  // Back to the SES preset: allowed again.
  await page.getByTestId('policy-preset').selectOption({ label: 'SES receiving' });
  await expect(failure).toHaveCount(0);
  await expect(page.getByTestId('experiment-outcome')).toBeVisible();
  expect(problems).toEqual([]);
});

test('an experiment can be inserted before the step shown', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-basics');
  await page.getByTestId('experiment-choice').selectOption('Advance the clock 61 s');
  // Step 9: the message is encrypted for delivery (scenario step 4, DeliverMessage).
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button').nth(8).click();
  await page.getByRole('radio', { name: /before the step shown: scenario step 4/ }).check();
  await page.getByTestId('experiment-try').click();
  const differs = page.getByTestId('first-difference');
  await expect(differs).toContainText('Time passes');
  await expect(differs.locator('.step-num')).toHaveText('9');
  // With an experiment on, the insertion point is chosen from the unmodified run.
  await expect(page.getByRole('radio', { name: /before the step shown/ })).toBeDisabled();
  expect(problems).toEqual([]);
});
