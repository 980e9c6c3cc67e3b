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

    // Scroll to the end, let the list render, then the last row in the page must be the oldest print
    // and on screen. The tape keeps growing (each print moves every row down one), so each attempt
    // scrolls again and looks within two frames.
    await expect
      .poll(
        () =>
          page.locator('.tape-viewport').evaluate(
            (viewport) =>
              new Promise<boolean>((resolve) => {
                viewport.scrollTop = viewport.scrollHeight;
                requestAnimationFrame(() =>
                  requestAnimationFrame(() => {
                    const rows = viewport.querySelectorAll('[data-testid=tape-row]');
                    const last = rows[rows.length - 1];
                    if (!last) return resolve(false);
                    const box = last.getBoundingClientRect();
                    const view = viewport.getBoundingClientRect();
                    const oldest = last.getAttribute('aria-posinset') === last.getAttribute('aria-setsize');
                    resolve(oldest && box.top >= view.top && box.bottom <= view.bottom + 1);
                  }),
                );
              }),
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
  });

  test('holds the view still while scrolled down to older prints, as new ones arrive above', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1m' }));
    await waitLive(page);
    const tape = page.getByTestId('trade-tape');
    await expect.poll(async () => Number(await tape.getAttribute('data-count')), { timeout: 30_000 }).toBeGreaterThanOrEqual(40);
    const viewport = page.locator('.tape-viewport');
    await viewport.evaluate((el) => el.scrollTo(0, 10 * 22));
    // The print at the top of the view and its offset from the viewport's top edge (px).
    const topOfView = () =>
      viewport.evaluate((el) => {
        const top = el.getBoundingClientRect().top;
        const row = [...el.querySelectorAll('[data-testid=tape-row]')].find((r) => r.getBoundingClientRect().bottom > top + 1);
        return row ? { key: row.getAttribute('data-key'), offset: Math.round(row.getBoundingClientRect().top - top) } : null;
      });
    await expect.poll(topOfView).not.toBeNull();
    const before = await topOfView();
    const count = Number(await tape.getAttribute('data-count'));
    await expect.poll(async () => Number(await tape.getAttribute('data-count'))).toBeGreaterThan(count);
    expect(await topOfView()).toEqual(before);
    expect(await viewport.evaluate((el) => el.scrollTop)).toBeGreaterThan(10 * 22);
  });
});
