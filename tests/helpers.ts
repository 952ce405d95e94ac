import { expect, Page } from '@playwright/test';
import { inflateRawSync } from 'node:zlib';

// The built-in scenarios, in the page's order (the default first). The page's picker is
// checked against this list, so a new built-in fails a test until it is added here.
export const BUILTINS = [
  'workmail-basics',
  'workmail-cache',
  'workmail-revoke-grant',
  'workmail-disabled-key',
  'workmail-legacy-mailbox',
  'workmail-asymmetric-key',
  'ses-receive',
  'ses-missing-statement',
  'ses-managed-key',
  'encryption-context',
  'key-rotation',
  'location-least-privilege',
  'cloudtrail-confused-deputy',
  'cross-account-key',
];

/** Collects console errors and warnings and uncaught exceptions of a page. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

/** Opens the page (optionally a built-in) and waits for the run to be drawn. */
export async function open(page: Page, scenario?: string): Promise<void> {
  await page.goto(scenario ? `./?scenario=${scenario}` : './');
  // Scenarios that generate RSA keys take seconds in wasm on a busy machine.
  await expect(page.getByTestId('diagram')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
}

/** Shows an inspector tab ("Step", "Authorization", "Bytes", "CloudTrail", "All steps"). */
export async function showTab(page: Page, name: string): Promise<void> {
  const tab = page.getByTestId('inspector').getByRole('tab', { name: new RegExp(`^${name}`) });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/** The list of every step (the inspector's "All steps" tab), shown. */
export async function stepList(page: Page) {
  await showTab(page, 'All steps');
  return page.getByRole('navigation', { name: 'Steps' });
}

/** Goes to step `n` (1-based) with the scrubber. */
export async function scrubTo(page: Page, n: number): Promise<void> {
  await page.getByTestId('scrubber').fill(String(n - 1));
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-step', String(n - 1));
}

/** Runs the experiment `label` from the "Break it" menu and waits for its outcome. */
export async function breakIt(page: Page, label: string): Promise<void> {
  await page.getByTestId('break-it').click();
  await option(page, label).click();
  if (label !== 'Edit the key policy') {
    await expect(page.getByTestId('experiment-outcome').locator('.experiment-title')).toContainText(label);
  }
}

/** The "Break it" menu's option `label` (the menu must be open). */
export function option(page: Page, label: string) {
  return page.getByTestId('experiment-option').filter({
    has: page.locator('.option-label').getByText(label, { exact: true }),
  });
}

/** Closes the drawer, if it is open (it lies over the inspector). */
export async function closeDrawer(page: Page): Promise<void> {
  const drawer = page.getByTestId('drawer');
  if (await drawer.isVisible()) {
    await drawer.getByRole('button', { name: 'Close the drawer' }).click();
    await expect(drawer).toHaveCount(0);
  }
}

/** The experiments the "Break it" menu offers, by label. */
export async function offeredExperiments(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="experiment-option"]')
    .evaluateAll((options) => options.map((o) => o.getAttribute('data-label') ?? ''));
}

/** Opens the drawer at a panel ("CloudTrail log", "Scenario editor", "Key policy"). */
export async function openDrawer(page: Page, panel: string): Promise<void> {
  const drawer = page.getByTestId('drawer');
  if (!(await drawer.isVisible())) {
    await page.getByTestId('open-drawer').click();
  }
  await drawer.getByRole('tab', { name: panel }).click();
  await expect(drawer.getByRole('tab', { name: panel })).toHaveAttribute('aria-selected', 'true');
}

/** Opens the Share menu. */
export async function openShare(page: Page): Promise<void> {
  const share = page.getByTestId('share');
  if ((await share.getAttribute('aria-expanded')) !== 'true') await share.click();
}

/** The number of steps of the run shown. */
export async function stepTotal(page: Page): Promise<number> {
  const text = (await page.getByTestId('step-count').textContent()) ?? '';
  const match = text.match(/of (\d+)/);
  expect(match, `step count "${text}"`).not.toBeNull();
  return Number(match![1]);
}

/** Everything a step shows: its sentence, the diagram's markup, the inspector's text. */
export interface View {
  count: string;
  sentence: string;
  diagram: string;
  inspector: string;
}

export async function view(page: Page): Promise<View> {
  // The step count comes with the stage; the diagram once its box is measured, and the
  // inspector a frame after the diagram has been painted.
  await expect(page.getByTestId('diagram')).toBeVisible();
  await expect(page.getByTestId('inspector')).toBeVisible();
  return page.evaluate(() => {
    const text = (id: string) =>
      document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
    return {
      count: text('step-count'),
      sentence: text('step-sentence'),
      diagram: document.querySelector('[data-testid="diagram"]')?.outerHTML ?? '',
      inspector: text('inspector'),
    };
  });
}

/** Waits until the page shows step `n` (1-based) of `total`. */
export async function atStep(page: Page, n: number, total: number): Promise<void> {
  await expect(page.getByTestId('step-count')).toHaveText(`Step ${n} of ${total}`);
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-step', String(n - 1));
}

/**
 * Collects the page's Content-Security-Policy violations (from every frame it loads),
 * reported as `securitypolicyviolation` events; call the returned function to read them.
 */
export async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const violations: string[] = [];
  await page.exposeFunction('__reportCspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation?: (t: string) => void })
        .__reportCspViolation;
      report?.(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} in ${location.href}`);
    });
  });
  return async () => violations;
}

/** Collects every request that leaves `origin` (data: and blob: URLs are the page's own). */
export function watchOutside(page: Page, origin: string): string[] {
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin) {
      outside.push(request.url());
    }
  });
  return outside;
}

/** Runs axe-core on the page and returns its violations, one readable line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document) => Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: { id: string; help: string; nodes: { target: string[] }[] }[];
    }
    const results = await axe.run(document);
    return results.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
  });
}

/** The view a `#v1:` permalink holds (base64url of raw DEFLATE of JSON), or null. */
export function permalinkView(url: string): Record<string, unknown> | null {
  const match = url.match(/#v1:([A-Za-z0-9_-]+)$/);
  if (!match) return null;
  const json = inflateRawSync(Buffer.from(match[1], 'base64url')).toString('utf8');
  return JSON.parse(json);
}

/** Waits until the address bar's permalink shows trace step `step` (0-based). */
export async function urlShowsStep(page: Page, step: number): Promise<void> {
  await expect.poll(() => permalinkView(page.url())?.step ?? null).toBe(step);
}
