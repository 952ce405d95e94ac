import { test, expect, Page } from '@playwright/test';

import { watchConsole, watchCsp, watchOutside } from './helpers';

/** Runs one of sdk.html's snippets ("sdk" or "esdk") and waits for it to finish. */
async function runSnippet(page: Page, which: 'sdk' | 'esdk'): Promise<void> {
  await page.locator(`#run-${which}`).click();
  await expect(page.locator('body')).toHaveAttribute(`data-${which}`, /^(done|failed)$/, { timeout: 30_000 });
  await expect(page.locator('body')).toHaveAttribute(`data-${which}`, 'done');
}

/** The CloudTrail table: [eventName, principal, outcome, encryption context] per row. */
async function trailRows(page: Page): Promise<string[][]> {
  return page
    .locator('#cloudtrail tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

test.describe('sdk.html: the AWS SDKs for JavaScript against the in-page KMS', () => {
  let problems: string[];
  let outside: string[];
  let csp: () => Promise<string[]>;

  test.beforeEach(async ({ page, baseURL }) => {
    problems = watchConsole(page);
    outside = watchOutside(page, new URL(baseURL!).origin);
    csp = await watchCsp(page);
    await page.goto('sdk.html');
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  });

  test.afterEach(async () => {
    expect(outside, 'requests that left the origin').toEqual([]);
    expect(await csp(), 'CSP violations').toEqual([]);
    expect(problems).toEqual([]);
  });

  test('the SDK v3 snippet runs: round trip, refusals as the SDK\'s classes, a grant', async ({ page }) => {
    await runSnippet(page, 'sdk');
    const out = page.locator('#sdk-output li');
    await expect(out).toHaveCount(6);
    await expect(out.nth(0)).toHaveText(/^CreateKey → arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    await expect(out.nth(2)).toHaveText('Decrypt → hello from the SDK');
    await expect(out.nth(3)).toHaveText(
      'Decrypt with another context → InvalidCiphertextException, instanceof InvalidCiphertextException: true, HTTP 400',
    );
    // AccessDeniedException is not in KMS's model: the SDK's base class, AWS's name and message.
    await expect(out.nth(4)).toHaveText(
      /^bob decrypts → AccessDeniedException, instanceof KMSServiceException: true: User: arn:aws:iam::111122223333:role\/Bob is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36} because no identity-based policy allows the kms:Decrypt action$/,
    );
    await expect(out.nth(5)).toHaveText('bob decrypts with a grant → hello from the SDK');

    const rows = await trailRows(page);
    expect(rows.map((r) => r[0])).toEqual(['CreateKey', 'Encrypt', 'Decrypt', 'Decrypt', 'Decrypt', 'CreateGrant', 'Decrypt']);
    expect(rows.map((r) => r[2])).toEqual(['ok', 'ok', 'ok', 'InvalidCiphertextException', 'AccessDeniedException', 'ok', 'ok']);
    expect(rows[4][1]).toBe('arn:aws:iam::111122223333:role/Bob');
    expect(rows[1][3]).toBe('{"tenant":"blue"}');
    await expect(page.locator('#decisions li.err')).toHaveCount(2);

    // The diagram: the recorded session, opened in the embed view.
    const frame = page.frameLocator('kms-playground iframe');
    await expect(frame.getByTestId('diagram')).toBeVisible({ timeout: 30_000 });
    await expect(frame.getByTestId('step-count')).toHaveText(/^Step \d+ of \d+$/);
  });

  test('the same world answers the SDK from outside a snippet: round trip, NotFoundException, the recording', async ({ page }) => {
    await runSnippet(page, 'sdk');
    const result = await page.evaluate(async () => {
      const sdk = await import('./sdk/client-kms.js');
      const world = await import('./sdk-world.js');
      const kms = new sdk.KMSClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'alice', secretAccessKey: 'x' },
        requestHandler: world.playground.requestHandler(),
      });
      const { Keys } = await kms.send(new sdk.ListKeysCommand({}));
      const { KeyMetadata } = await kms.send(new sdk.DescribeKeyCommand({ KeyId: Keys![0].KeyId }));
      const sealed = await kms.send(new sdk.EncryptCommand({ KeyId: KeyMetadata!.Arn, Plaintext: new TextEncoder().encode('again') }));
      const opened = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
      const missing = await kms.send(new sdk.EncryptCommand({ KeyId: 'alias/none', Plaintext: new Uint8Array([1]) })).then(
        () => 'no error',
        (err) => `${err.name} ${err instanceof sdk.NotFoundException} ${err.$metadata.httpStatusCode} ${err.message}`,
      );
      const steps = world.playground.recordedScenario().steps.map((s: { call: string }) => s.call);
      return { plaintext: new TextDecoder().decode(opened.Plaintext), keyId: opened.KeyId === KeyMetadata!.Arn, missing, steps };
    });
    expect(result.plaintext).toBe('again');
    expect(result.keyId).toBe(true);
    expect(result.missing).toBe('NotFoundException true 400 Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.');
    expect(result.steps).toEqual([
      'kms:CreateKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:Decrypt', 'kms:Decrypt', 'kms:CreateGrant', 'kms:Decrypt',
      'kms:ListKeys', 'kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:Encrypt',
    ]);
  });

  test('the Encryption SDK round trip goes through GenerateDataKey and Decrypt', async ({ page }) => {
    await runSnippet(page, 'esdk');
    const out = page.locator('#esdk-output li');
    await expect(out).toHaveCount(3);
    await expect(out.nth(1)).toHaveText('decrypt → a message sealed by the AWS Encryption SDK');
    await expect(out.nth(2)).toContainText('"purpose":"sdk.html"');
    await expect(out.nth(2)).toContainText('aws-crypto-public-key');
    const rows = await trailRows(page);
    expect(rows.map((r) => r[0])).toEqual(['CreateKey', 'GenerateDataKey', 'Decrypt']);
    expect(rows.every((r) => r[2] === 'ok')).toBe(true);
    // The context the Encryption SDK adds (its signing key) is what KMS saw.
    expect(JSON.parse(rows[1][3])).toMatchObject({ purpose: 'sdk.html' });
    expect(Object.keys(JSON.parse(rows[1][3]))).toContain('aws-crypto-public-key');
    expect(rows[2][3]).toBe(rows[1][3]);
    const frame = page.frameLocator('kms-playground iframe');
    await expect(frame.getByTestId('diagram')).toBeVisible({ timeout: 30_000 });
  });

  test('an edited snippet that throws says why, and the page stays usable', async ({ page }) => {
    await page.locator('#sdk-code').fill('import { playground } from "kmsplay";\nthrow new TypeError("boom");\n');
    await page.locator('#run-sdk').click();
    await expect(page.locator('body')).toHaveAttribute('data-sdk', 'failed', { timeout: 30_000 });
    await expect(page.locator('#sdk-output li')).toHaveText(['The snippet stopped → TypeError: boom']);
    await runSnippet(page, 'esdk');
  });
});
