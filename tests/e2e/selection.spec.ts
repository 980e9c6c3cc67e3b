import { expect, test, type Page } from '@playwright/test';
import { dashboardUrl, waitLive } from './support/fixtures';
import { freePort, startFeed, type FeedProcess } from './support/processes';

/** The store's chart state, read through the page's test hook. */
async function chartState(page: Page) {
  return page.evaluate(() => {
    const state = window.__tickwireStore?.getState();
    if (!state) throw new Error('store hook missing');
    return {
      instrumentId: state.chart.instrumentId,
      symbol: state.chart.instrumentId === undefined ? undefined : state.instruments[state.chart.instrumentId]?.symbol,
      interval: state.chart.interval,
      status: state.chart.status,
      bars: state.chart.bars.map((b) => ({ id: b.instrumentId, interval: b.interval, openTimeUs: b.openTimeUs })),
    };
  });
}

test.describe('Selection', () => {
  test('selecting another instrument and interval changes the chart and the URL; reload restores them', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1m' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    await expect(chart).toHaveAttribute('data-symbol', 'SIM:BTC-USD');
    await expect.poll(async () => (await chartState(page)).status).toBe('ready');

    await page.locator('[data-testid=watchlist-row][data-symbol="SIM:ETH-USD"]').click();
    await expect(chart).toHaveAttribute('data-symbol', 'SIM:ETH-USD');
    // The URL carries the bare symbol while only one venue lists it.
    await expect.poll(() => new URL(page.url()).searchParams.get('symbol')).toBe('ETH-USD');
    await page.getByTestId('interval-5s').click();
    await expect(chart).toHaveAttribute('data-interval', '5s');
    await expect(page).toHaveURL(/interval=5s/);

    // The new history arrives and holds only ETH-USD bars at 5 s: nothing stale from before.
    await expect.poll(async () => (await chartState(page)).status).toBe('ready');
    await expect.poll(async () => (await chartState(page)).bars.length).toBeGreaterThan(0);
    const state = await chartState(page);
    expect(state.symbol).toBe('SIM:ETH-USD');
    for (const bar of state.bars) {
      expect(bar).toMatchObject({ id: state.instrumentId, interval: 5 });
      expect(bar.openTimeUs % 5_000_000).toBe(0);
    }
    await expect(page.getByTestId('chart-legend')).toContainText('ETH-USD');
    await expect(page.getByTestId('summary-symbol')).toHaveText('ETH-USD');

    await page.reload();
    await waitLive(page);
    await expect(chart).toHaveAttribute('data-symbol', 'SIM:ETH-USD');
    await expect(chart).toHaveAttribute('data-interval', '5s');
    await expect(page.getByTestId('interval-5s')).toHaveAttribute('aria-checked', 'true');
    await expect(page.locator('[data-testid=watchlist-row][data-symbol="SIM:ETH-USD"]')).toHaveAttribute('aria-selected', 'true');
    await expect.poll(async () => Number(await chart.getAttribute('data-bar-count'))).toBeGreaterThan(0);
  });

  test('keyboard up and down move the selection through the sorted rows', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'AAPL', interval: '1m' }));
    await waitLive(page);
    await page.locator('[data-testid=watchlist-row][data-symbol="SIM:AAPL"]').click();
    const symbols = await page.getByTestId('watchlist-row').evaluateAll((els) =>
      els
        .map((el) => ({ symbol: el.getAttribute('data-symbol'), top: el.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.symbol),
    );
    const index = symbols.indexOf('SIM:AAPL');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => new URL(page.url()).searchParams.get('symbol')).toBe(symbols[index + 2]?.replace('SIM:', ''));
    await page.keyboard.press('ArrowUp');
    await expect(page.getByTestId('price-chart')).toHaveAttribute('data-symbol', symbols[index + 1] as string);
  });

  test('sorts by a column and filters by text', async ({ page }) => {
    await page.goto(dashboardUrl());
    await waitLive(page);
    await page.getByTestId('sort-symbol').click(); // symbol descending
    await expect(page.getByTestId('sort-symbol')).toHaveAttribute('aria-sort', 'descending');
    const order = await page.getByTestId('watchlist-row').evaluateAll((els) =>
      els
        .map((el) => ({ symbol: el.getAttribute('data-symbol') ?? '', top: el.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.symbol),
    );
    expect(order).toEqual([...order].sort((a, b) => b.localeCompare(a)));

    await page.getByTestId('sort-volume').click();
    await expect(page.getByTestId('sort-volume')).toHaveAttribute('aria-sort', 'descending');

    await page.getByTestId('watchlist-filter').fill('usd');
    await expect
      .poll(async () =>
        page.getByTestId('watchlist-row').evaluateAll((els) => els.every((el) => /usd/i.test(el.getAttribute('data-symbol') ?? ''))),
      )
      .toBe(true);
    const shown = Number(await page.getByTestId('watchlist').getAttribute('data-row-count'));
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(20);
  });
  test('an interval the URL names wrongly is replaced by the one shown, and a full name by the bare one', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'SIM:ETH-USD', interval: '7m' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    await expect(chart).toHaveAttribute('data-symbol', 'SIM:ETH-USD');
    await expect(chart).toHaveAttribute('data-interval', '1m');
    await expect.poll(() => new URL(page.url()).searchParams.get('interval')).toBe('1m');
    await expect.poll(() => new URL(page.url()).searchParams.get('symbol')).toBe('ETH-USD');
  });

  test.describe('with 600 instruments', () => {
    let feed: FeedProcess | undefined;

    test.afterEach(async () => {
      await feed?.stop();
      feed = undefined;
    });

    test('scrolls the selected row into view when the selection comes from the URL', async ({ page }) => {
      feed = await startFeed({ port: await freePort(), instruments: 600, rate: 1, seed: 3 });
      await page.goto(dashboardUrl({ feed: feed.url, symbol: 'SYN0570-USD' }));
      await waitLive(page);
      await expect(page.getByTestId('watchlist')).toHaveAttribute('data-total', '600');
      await expect(page.getByTestId('price-chart')).toHaveAttribute('data-symbol', 'SIM:SYN0570-USD');
      const row = page.locator('[data-testid=watchlist-row][data-symbol="SIM:SYN0570-USD"]');
      await expect(row).toHaveAttribute('aria-selected', 'true');
      const grid = await page.getByTestId('watchlist-grid').boundingBox();
      const box = await row.boundingBox();
      expect(grid && box).toBeTruthy();
      expect(box!.y).toBeGreaterThanOrEqual(grid!.y);
      expect(box!.y + box!.height).toBeLessThanOrEqual(grid!.y + grid!.height + 1);
    });
  });
});
