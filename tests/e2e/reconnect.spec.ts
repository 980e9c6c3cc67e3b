import { expect, test } from '@playwright/test';
import { changedCount, dashboardUrl, lastPrices, waitLive } from './support/fixtures';
import { freePort, startFeed, type FeedProcess } from './support/processes';

test.describe('Reconnection', () => {
  let feed: FeedProcess | undefined;

  test.afterEach(async () => {
    await feed?.stop();
    feed = undefined;
  });

  test('shows reconnecting and stale when the feed stops, and recovers without a reload when it returns', async ({ page }) => {
    const port = await freePort();
    feed = await startFeed({ port, instruments: 8, rate: 20, seed: 7 });
    // This page talks to its own feed, chosen at runtime with ?feed=.
    await page.goto(dashboardUrl({ feed: feed.url, symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    await expect(page.getByTestId('watchlist')).toHaveAttribute('data-total', '8');
    // Cells that just moved are tinted up or down while data flows...
    const flashing = page.locator('[data-testid=watchlist] :is(.flash-up, .flash-down, .soft-up, .soft-down)');
    await expect.poll(() => flashing.count()).toBeGreaterThan(0);
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    await feed.stop();
    const badge = page.getByTestId('connection-badge');
    await expect(badge).toHaveAttribute('data-state', 'reconnecting');
    await expect(page.getByTestId('connection-label')).toHaveText(/Reconnecting( in \d+ s|…)/);
    await expect(page.getByTestId('stale-warning')).toBeVisible({ timeout: 10_000 });
    await expect(badge).toHaveAttribute('data-stale', 'true');
    // ...and no tint outlives the data: once it stops, every flash has faded.
    await expect(flashing).toHaveCount(0);

    feed = await startFeed({ port, instruments: 8, rate: 20, seed: 7 });
    await waitLive(page);
    await expect(page.getByTestId('stale-warning')).toBeHidden({ timeout: 15_000 });
    await expect.poll(async () => (await lastPrices(page)).size).toBe(8);
    const before = await lastPrices(page);
    await expect.poll(async () => changedCount(before, await lastPrices(page))).toBeGreaterThanOrEqual(3);
    // Same document: recovered in place, no reload.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    // The chart reloaded for the new epoch and moves again.
    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-bar-count'))).toBeGreaterThan(0);
  });
  test('judges staleness and flashes on the clock data is stamped with, not on a wall clock that jumped', async ({ page }) => {
    // After a laptop sleeps, Chromium on macOS and Linux resumes with performance.now() behind the
    // wall clock by the sleep (an NTP step does the same): here the wall clock is 10 minutes ahead.
    await page.addInitScript(() => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + 600_000;
    });
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    const flashing = page.locator('[data-testid=watchlist] :is(.flash-up, .flash-down, .soft-up, .soft-down)');
    await expect.poll(() => flashing.count()).toBeGreaterThan(0);
    await expect(page.getByTestId('metric-updates')).not.toHaveText('0/s');
    await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-stale', 'false');
    await expect(page.getByTestId('stale-warning')).toHaveCount(0);
  });
});
