import { expect, test } from '@playwright/test';

import { atStep, open, showTab, stepTotal, watchConsole } from './helpers';

// Issue 15: every KMS call as code, and a recording of `kmsplay serve --record` opened in
// the page (picked or dropped; read in the page, never uploaded).

/** A recording as `kmsplay serve --record` writes it: the scenario served, then each
 * request since as a step. */
const RECORDING = JSON.stringify({
  name: 'recorded',
  title: 'Recorded by kmsplay serve',
  account: '111122223333',
  principals: {
    app: {
      arn: 'arn:aws:iam::111122223333:role/App',
      accessKeyId: 'AKIAKMSPLAYAPP000001',
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }],
    },
  },
  steps: [
    { id: 'key', as: 'app', call: 'kms:CreateKey', request: { Description: 'made by boto3' } },
    { id: 'enc', as: 'app', call: 'kms:Encrypt', request: { KeyId: '${key.KeyMetadata.KeyId}', Plaintext: 'aGVsbG8=', EncryptionContext: { app: 'demo' } } },
    { as: 'app', call: 'kms:Decrypt', request: { CiphertextBlob: '${enc.CiphertextBlob}' }, expect: { error: 'InvalidCiphertextException' } },
  ],
});

test('each KMS call is shown as an AWS CLI command, boto3 and SDK v3 code', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page, 'encryption-context');
  const total = await stepTotal(page);
  await page.getByRole('button', { name: 'Next step' }).click();
  await atStep(page, 2, total);
  await showTab(page, 'Step');
  const code = page.getByTestId('code');
  await expect(code).toHaveAttribute('data-language', 'cli');
  await expect(code).toContainText('aws kms encrypt');
  await expect(code).toContainText('--encryption-context \'{"purpose":"demo","tenant":"blue"}\'');
  await expect(code).toContainText('--endpoint-url http://127.0.0.1:4599');
  await page.getByTestId('code-python').click();
  await expect(code).toContainText('response = kms.encrypt(');
  await expect(code).toContainText('Plaintext=b64decode("aGVsbG8gd29ybGQ="),');
  await page.getByTestId('code-javascript').click();
  await expect(code).toContainText('new EncryptCommand({');
  // The language chosen stays while stepping.
  await page.getByRole('button', { name: 'Next step' }).click();
  await atStep(page, 3, total);
  await expect(code).toHaveAttribute('data-language', 'javascript');
  await expect(code).toContainText('new DecryptCommand({');
  expect(problems).toEqual([]);
});

test('a recording opens from the file picker and steps like a built-in', async ({ page }) => {
  const problems = watchConsole(page);
  await open(page);
  await page.getByTestId('open-file-input').setInputFiles({
    name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(RECORDING),
  });
  await expect(page.getByTestId('step-count')).toHaveText('Step 1 of 3');
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await page.getByRole('button', { name: 'Next step' }).click();
  await atStep(page, 2, 3);
  await showTab(page, 'Step');
  await expect(page.getByTestId('inspector')).toContainText('kms:Encrypt');
  await page.getByRole('button', { name: 'Next step' }).click();
  await atStep(page, 3, 3);
  await expect(page.getByTestId('diagram')).toContainText('InvalidCiphertextException');
  expect(problems).toEqual([]);
});

test('a dropped recording opens; a malformed or too large file says why and the view stays', async ({ page }) => {
  await open(page, 'key-rotation');
  const before = await page.getByTestId('step-count').textContent();
  const drop = (name: string, text: string) =>
    page.evaluate(([name, text]) => {
      const data = new DataTransfer();
      data.items.add(new File([text], name, { type: 'application/json' }));
      for (const type of ['dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    }, [name, text]);

  await drop('notes.json', '{ "steps": [ }');
  await expect(page.getByTestId('notice')).toContainText('notes.json is not a scenario or a recording of kmsplay serve');
  await expect(page.getByTestId('notice')).toContainText('The view shown is unchanged.');
  await expect(page.getByTestId('step-count')).toHaveText(before!);

  await drop('huge.json', 'x'.repeat(6 * 1024 * 1024));
  await expect(page.getByTestId('notice')).toContainText('more than the 5 MB a recording may be');
  await expect(page.getByTestId('step-count')).toHaveText(before!);

  await drop('run.json', RECORDING);
  await expect(page.getByTestId('step-count')).toHaveText('Step 1 of 3');
  await expect(page.getByTestId('notice')).toHaveCount(0);
});
