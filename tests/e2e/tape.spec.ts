import { expect, test } from '@playwright/test';
import { dashboardUrl, waitLive } from './support/fixtures';

test.describe('Trade tape', () => {
  test('grows with trades of the selected instrument only, newest first', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'SOL-USD', interval: '1m' }));
    await waitLive(page);
    const tape = page.getByTestId('trade-tape');
    const start = Number(await tape.getAttribute('data-count'));
    await expect.poll(async () => Number(await tape.getAttribute('data-count'))).toBeGreaterThan(start);
    const symbols = await page.getByTestId('tape-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-symbol')));
    expect(symbols.length).toBeGreaterThan(0);
    expect(new Set(symbols)).toEqual(new Set(['SIM:SOL-USD']));
    const times = await page.locator('[data-testid=tape-row] .tape-time').allTextContents();
    expect(times).toEqual([...times].sort().reverse());
    await expect(page.locator('[data-testid=tape-row][data-side=buy]').first()).toBeVisible();
    await expect(page.locator('[data-testid=tape-row][data-side=sell]').first()).toBeVisible();

    await page.locator('[data-testid=watchlist-row][data-symbol="SIM:XRP-USD"]').click();
    await expect.poll(async () => Number(await tape.getAttribute('data-count'))).toBeGreaterThan(0);
    await expect
      .poll(async () => new Set(await page.getByTestId('tape-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-symbol')))))
      .toEqual(new Set(['SIM:XRP-USD']));
  });

  test('keeps only the prints in view in the page, and scrolls back to the oldest', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1m' }));
    await waitLive(page);
    const tape = page.getByTestId('trade-tape');
    // More prints than fit: 60 rows of 22 px are taller than the tape's 900 px viewport.
    await expect.poll(async () => Number(await tape.getAttribute('data-count')), { timeout: 30_000 }).toBeGreaterThanOrEqual(60);
    const count = Number(await tape.getAttribute('data-count'));
    const rendered = await page.getByTestId('tape-row').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(count);

    await page.locator('.tape-viewport').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect
      .poll(async () => {
        const total = Number(await tape.getAttribute('data-count'));
        const last = await page.getByTestId('tape-row').last().getAttribute('aria-posinset');
        return Number(last) === total;
      })
      .toBe(true);
    await expect(page.getByTestId('tape-row').last()).toBeInViewport();
  });
});
