/**
 * Helpers shared by the specs: URLs of the shared servers and small readers of the dashboard's
 * data-testid attributes.
 */
import { expect, type Page } from '@playwright/test';

/** The dashboard URL with query parameters (`symbol`, `interval`, `feed`). */
export function dashboardUrl(params: Record<string, string> = {}): string {
  const base = process.env.E2E_BASE_URL;
  if (!base) throw new Error('E2E_BASE_URL is not set: run through playwright.config.ts (global setup)');
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/** Instruments the shared feed simulates. */
export const SHARED_INSTRUMENTS = 20;

/** Waits until the badge says the page is live. */
export async function waitLive(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'connected');
}

/** The watchlist's last prices by symbol, as shown. */
export async function lastPrices(page: Page): Promise<Map<string, string>> {
  const rows = await page
    .getByTestId('watchlist-row')
    .evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-symbol') ?? '', el.querySelector('[data-testid=cell-last]')?.textContent ?? '']),
    );
  return new Map(rows as [string, string][]);
}

/** How many entries of `after` differ from `before`. */
export function changedCount(before: Map<string, string>, after: Map<string, string>): number {
  let changed = 0;
  for (const [symbol, price] of after) if (before.get(symbol) !== price) changed += 1;
  return changed;
}
