import { expect, test } from '@playwright/test';

import {
  breakIt,
  closeDrawer,
  offeredExperiments,
  open,
  openDrawer,
  option,
  showTab,
  stepList,
  stepTotal,
  watchConsole,
} from './helpers';

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

// Every experiment offered for a few representative scenarios runs; the outcome over
// the diagram says where the run first differs (and the page goes there) and where it
// fails; the failure is drawn on the diagram and explained, once, in the inspector:
// the AWS error, why, and what had to hold. Reset shows the unmodified run again.
for (const scenario of Object.keys(EXPECTED)) {
  test(`${scenario}: every offered experiment shows where and why it fails`, async ({ page }) => {
    test.setTimeout(90_000);
    const problems = watchConsole(page);
    await open(page, scenario);
    const baseTotal = await stepTotal(page);
    await page.getByTestId('break-it').click();
    const labels = (await offeredExperiments(page)).filter((l) => l !== 'Edit the key policy');
    await page.keyboard.press('Escape');
    expect(labels.length).toBeGreaterThan(2);
    for (const label of labels) {
      await breakIt(page, label);
      const outcome = page.getByTestId('experiment-outcome');
      await expect(page.getByTestId('scenario-title')).toContainText('(experiment: ');

      // The page went to the first difference, which the outcome names.
      const first = outcome.getByRole('button', { name: /^step \d+$/ });
      const number = Number(((await first.textContent()) ?? '').replace('step ', ''));
      await expect(page.getByTestId('step-count')).toHaveText(new RegExp(`^Step ${number} of`));
      await expect(page.getByTestId('diagram')).toHaveAttribute('data-step', String(number - 1));
      await expect(page.locator('.scrubber .tick.difference')).toHaveCount(1);

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
      // The failing step is one click away; the diagram draws it, the inspector explains it.
      await failure.getByRole('button', { name: /^Step \d+$/ }).click();
      await expect(page.getByTestId('diagram').getByTestId('failure'), label).toHaveAttribute('data-error', code);
      await showTab(page, 'Step');
      const error = page.getByTestId('inspector').getByTestId('step-error');
      await expect(error.locator('.error-name')).toHaveText(code);
      await expect(error.getByTestId('error-why')).not.toBeEmpty();
      if (code === 'AccessDeniedException') {
        await expect(error.getByTestId('error-checks'), label).toBeVisible();
      }
      if (code === 'InvalidCiphertextException') {
        await expect(error.getByTestId('error-why'), label).toContainText(/Decryption failed because|relies on step/);
      }
    }
    await page.getByTestId('experiment-reset').click();
    await expect(page.getByTestId('experiment-outcome')).toHaveCount(0);
    await expect(page.locator('.scrubber .tick.difference')).toHaveCount(0);
    await expect(page.getByTestId('scenario-title')).not.toContainText('(experiment');
    expect(await stepTotal(page)).toBe(baseTotal);
    expect(problems).toEqual([]);
  });
}

test('a refusal shows its decision, statement by statement', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-basics');
  await breakIt(page, "Revoke WorkMail's grant");
  await page.getByTestId('experiment-failure').getByRole('button', { name: /^Step \d+$/ }).click();
  const inspector = page.getByTestId('inspector');
  await showTab(page, 'Authorization');
  await expect(inspector.getByTestId('decision').first()).toContainText('Denied');
  await expect(inspector.getByTestId('decision').first()).toContainText('kms:Decrypt');
  // The CloudTrail log of the experiment's run records the refused call.
  await openDrawer(page, 'CloudTrail log');
  await expect(page.getByTestId('cloudtrail').locator('.badge.bad').first()).toHaveText(
    'AccessDeniedException',
  );
  expect(problems).toEqual([]);
});

test('the key policy editor re-evaluates the decisions as you type', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'ses-receive');
  await breakIt(page, 'Edit the key policy');
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

  // The default key policy has no statement for SES: its GenerateDataKey is denied, and
  // the diagram draws the refusal.
  await page.getByTestId('policy-preset').selectOption({ label: 'Default key policy' });
  await expect(error).toHaveCount(0);
  const failure = page.getByTestId('experiment-failure');
  await expect(failure.locator('.error-code')).toHaveText('AccessDeniedException');
  await closeDrawer(page);
  await failure.getByRole('button', { name: /^Step \d+$/ }).click();
  await expect(page.getByTestId('diagram').getByTestId('failure')).toHaveAttribute(
    'data-error',
    'AccessDeniedException',
  );
  await showTab(page, 'Authorization');
  await expect(page.getByTestId('inspector').getByTestId('decision').first()).toContainText('ses.amazonaws.com');

  // Back to the SES preset: allowed again.
  await openDrawer(page, 'Key policy');
  await page.getByTestId('policy-preset').selectOption({ label: 'SES receiving' });
  await expect(failure).toHaveCount(0);
  await expect(page.getByTestId('experiment-outcome')).toBeVisible();
  expect(problems).toEqual([]);
});

test('an experiment can be inserted before the step shown', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'workmail-basics');
  // Step 9: the message is encrypted for delivery (the DeliverMessage action).
  await (await stepList(page)).getByRole('button').nth(8).click();
  await page.getByTestId('break-it').click();
  await page.getByRole('radio', { name: /before step 9 \(Encrypt the message with a new message key\): the step shown/ }).check();
  await option(page, 'Advance the clock 61 s').click();
  const differs = page.getByTestId('first-difference');
  await expect(differs).toContainText('Time passes');
  await expect(differs.locator('.step-num')).toHaveText('9');
  // With an experiment on, the insertion point is chosen from the unmodified run.
  await page.getByTestId('break-it').click();
  await expect(page.getByRole('radio', { name: /before the step shown/ })).toBeDisabled();
  expect(problems).toEqual([]);
});
