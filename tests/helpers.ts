import { expect, Page } from '@playwright/test';

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
