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
  await expect(page.getByTestId('diagram')).toBeVisible();
  await expect(page.getByTestId('step-count')).toHaveText(/^Step 1 of \d+$/);
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
