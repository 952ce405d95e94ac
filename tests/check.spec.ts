import { expect, Page, test } from '@playwright/test';

import { open, watchConsole } from './helpers';

// "Check my key policy": paste a policy, read the verdicts, apply a fix, open a flow.

const ACCOUNT = '111122223333';
const root = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
};
const ses = (account: string) => ({
  Sid: 'AllowSESToEncryptMessagesBelongingToThisAccount',
  Effect: 'Allow',
  Principal: { Service: 'ses.amazonaws.com' },
  Action: ['kms:Encrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
  Condition: {
    Null: { 'kms:EncryptionContext:aws:ses:rule-name': 'false', 'kms:EncryptionContext:aws:ses:message-id': 'false' },
    StringEquals: { 'kms:EncryptionContext:aws:ses:source-account': account },
  },
});
const policy = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [root, ...statements] }, null, 2);

async function openCheck(page: Page): Promise<void> {
  await open(page);
  await page.getByTestId('open-check').click();
  await expect(page.getByTestId('policy-check')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Check my key policy' })).toBeVisible();
}

async function paste(page: Page, text: string): Promise<void> {
  await page.getByTestId('check-policy').fill(text);
  await expect(page.getByTestId('check-status')).toBeVisible();
}

const verdict = (page: Page, slug: string) => page.getByTestId(`verdict-${slug}`);

async function expectVerdict(page: Page, slug: string, allowed: boolean): Promise<void> {
  await expect(verdict(page, slug)).toHaveAttribute('data-allowed', String(allowed));
}

test('each seed preset gets its verdicts and findings', async ({ page, baseURL }) => {
  const problems = watchConsole(page);
  const origin = new URL(baseURL!).origin;
  const outside: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:') {
      outside.push(r.url());
    }
  });
  await openCheck(page);
  const expected: Record<string, Record<string, boolean>> = {
    'Default key policy': { workmail: true, ses: false, location: true, cloudtrail: false },
    'WorkMail managed key': { workmail: true, ses: false, cloudtrail: false },
    'SES receiving': { workmail: true, ses: true, location: true, cloudtrail: false },
    'Amazon Location': { location: true, ses: false, 'principal-role-locationteam': true },
    'CloudTrail': { cloudtrail: true, ses: false },
  };
  const options = await page.getByTestId('check-preset').locator('option').allTextContents();
  for (const [name, verdicts] of Object.entries(expected)) {
    const label = options.find((o) => o.startsWith(name));
    expect(label, name).toBeTruthy();
    await page.getByTestId('check-preset').selectOption({ label: label! });
    await expect(page.getByTestId('check-status')).toBeVisible();
    for (const [slug, allowed] of Object.entries(verdicts)) {
      await expectVerdict(page, slug, allowed);
    }
  }
  // The WorkMail managed key's policy lets no one change it: the lockout finding.
  await page.getByTestId('check-preset').selectOption({ label: options.find((o) => o.startsWith('WorkMail'))! });
  await expect(page.getByTestId('warning-LOCKOUT')).toBeVisible();
  // The Location preset names us-west-2 and the role: the names follow the policy.
  await page.getByTestId('check-preset').selectOption({ label: options.find((o) => o.startsWith('Amazon Location'))! });
  await expect(page.getByTestId('check-name-region')).toHaveValue('us-west-2');
  await expect(page.getByTestId('check-name-location-role')).toHaveValue(`arn:aws:iam::${ACCOUNT}:role/LocationTeam`);
  expect(outside).toEqual([]);
  expect(problems).toEqual([]);
});

test('a missing SES statement: refused, the documented fix applied in one click, the flow passes', async ({ page }) => {
  await openCheck(page);
  await paste(page, policy());
  await expectVerdict(page, 'ses', false);
  const card = verdict(page, 'ses');
  await expect(card).toContainText('AccessDeniedException');
  await expect(card).toContainText('ses.amazonaws.com');
  await expect(page.getByTestId('fix-ses')).toContainText('AllowSESToEncryptMessagesBelongingToThisAccount');
  await page.getByTestId('apply-fix-ses').click();
  await expect(page.getByTestId('check-applied')).toBeVisible();
  await expectVerdict(page, 'ses', true);
  await expect(page.getByTestId('check-policy')).toHaveValue(/AllowSESToEncryptMessagesBelongingToThisAccount/);
});

test('a wrong account: the condition that decided, expected against actual, and the value fix', async ({ page }) => {
  await openCheck(page);
  await paste(page, policy(ses('444455556666')));
  await expectVerdict(page, 'ses', false);
  const card = verdict(page, 'ses');
  const row = card.locator('tr.fails');
  await expect(row).toContainText('kms:EncryptionContext:aws:ses:source-account');
  await expect(row).toContainText('444455556666');
  await expect(row).toContainText(ACCOUNT);
  await expect(card).toContainText('Decided by statement 2 ("AllowSESToEncryptMessagesBelongingToThisAccount")');
  await expect(page.getByTestId('fix-ses')).toContainText(`set StringEquals kms:EncryptionContext:aws:ses:source-account to ${ACCOUNT} (it was 444455556666)`);
  await page.getByTestId('apply-fix-ses').click();
  await expectVerdict(page, 'ses', true);
});

test('a wrong SourceArn for CloudTrail is refused against the trail named, and fixed', async ({ page }) => {
  await openCheck(page);
  const trail = {
    Sid: 'Allow CloudTrail to encrypt logs',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey',
    Resource: '*',
    Condition: {
      ArnEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-west-2:444455556666:trail/finance` },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
    },
  };
  await paste(page, policy(trail));
  // The trail and Region come from the policy; the account from its root statement.
  await expect(page.getByTestId('check-name-trail')).toHaveValue('finance');
  await expect(page.getByTestId('check-name-region')).toHaveValue('us-west-2');
  await expectVerdict(page, 'cloudtrail', false);
  const row = verdict(page, 'cloudtrail').locator('tr.fails');
  await expect(row).toContainText('aws:SourceArn');
  await expect(row).toContainText(`arn:aws:cloudtrail:us-west-2:${ACCOUNT}:trail/finance`);
  await page.getByTestId('apply-fix-cloudtrail').click();
  await expectVerdict(page, 'cloudtrail', true);
  // Renaming the trail breaks it again: the names are editable and re-checked.
  await page.getByTestId('check-name-trail').fill('audit');
  await expectVerdict(page, 'cloudtrail', false);
  await page.getByTestId('check-names-from-policy').click();
  await expect(page.getByTestId('check-name-trail')).toHaveValue('finance');
  await expectVerdict(page, 'cloudtrail', true);
});

test('kms:* to a service and Principal "*" are findings with their AWS documentation', async ({ page }) => {
  await openCheck(page);
  await paste(page, policy(
    { Sid: 'SES may do anything', Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: 'kms:*', Resource: '*' },
    { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
  ));
  await expectVerdict(page, 'ses', true);
  const full = page.getByTestId('warning-SERVICE_FULL_ACCESS');
  await expect(full).toContainText('gives ses.amazonaws.com every KMS action');
  await expect(full.getByRole('link', { name: /AWS documentation/ })).toHaveAttribute('href', /docs\.aws\.amazon\.com/);
  await expect(page.getByTestId('warning-PUBLIC_PRINCIPAL')).toBeVisible();
  await expect(page.getByTestId('warning-MISSING_SOURCE_CONDITION').first()).toBeVisible();
});

test('bad JSON says where; the last verdicts stay', async ({ page }) => {
  await openCheck(page);
  await page.getByTestId('check-policy').fill('{"Statement": [');
  await expect(page.getByTestId('check-error')).toContainText('line 1');
  await page.getByTestId('check-policy').fill('{"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}');
  await expect(page.getByTestId('check-error')).toContainText('Principal');
});

test('open as scenario shows the refused flow in the diagram; the check is in the URL', async ({ page }) => {
  await openCheck(page);
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#check1:/);
  const before = await page.evaluate(() => location.hash);
  await paste(page, policy());
  await expectVerdict(page, 'ses', false);
  // The link holds the check: a reload shows the same policy and verdicts.
  await expect.poll(() => page.evaluate(() => location.hash)).not.toBe(before);
  await page.reload();
  await expect(page.getByTestId('policy-check')).toBeVisible({ timeout: 20_000 });
  await expectVerdict(page, 'ses', false);
  await page.getByTestId('open-ses').click();
  await expect(page.getByTestId('diagram')).toBeVisible();
  await expect(page.getByTestId('scenario-title')).toHaveText('Check: SES receiving with this key policy');
  await expect(page.locator('.step-strip')).toContainText('AccessDeniedException');
  // Back to the check, as it was.
  await page.getByTestId('open-check').click();
  await expectVerdict(page, 'ses', false);
});
