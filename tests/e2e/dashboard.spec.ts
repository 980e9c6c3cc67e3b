import { expect, test } from '@playwright/test';
import { SHARED_INSTRUMENTS, changedCount, dashboardUrl, lastPrices, waitLive } from './support/fixtures';

test.describe('Dashboard', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
  });

  test('loads and fills the watchlist with every instrument', async ({ page }) => {
    const watchlist = page.getByTestId('watchlist');
    await expect(watchlist).toHaveAttribute('data-total', String(SHARED_INSTRUMENTS));
    await expect(page.getByTestId('watchlist-row')).toHaveCount(SHARED_INSTRUMENTS);
    // Every row has a price once the first snapshots are in.
    await expect.poll(async () => [...(await lastPrices(page)).values()].filter((p) => /^\d/.test(p)).length).toBe(SHARED_INSTRUMENTS);
  });

  test('prices change over time', async ({ page }) => {
    await expect.poll(async () => (await lastPrices(page)).size).toBe(SHARED_INSTRUMENTS);
    const before = await lastPrices(page);
    await expect.poll(async () => changedCount(before, await lastPrices(page)), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  });

  test('shows prices as exact decimals at each instrument precision', async ({ page }) => {
    const shib = page.locator('[data-testid=watchlist-row][data-symbol="SIM:SHIB-USD"] [data-testid=cell-last]');
    await expect(shib).toHaveText(/^0\.\d{8}$/);
    const btc = page.locator('[data-testid=watchlist-row][data-symbol="SIM:BTC-USD"] [data-testid=cell-last]');
    await expect(btc).toHaveText(/^\d+\.\d{2}$/);
  });

  test('renders the chart canvas and its last candle changes', async ({ page }) => {
    const chart = page.getByTestId('price-chart');
    await expect(chart.locator('canvas').first()).toBeVisible();
    await expect.poll(async () => Number(await chart.getAttribute('data-bar-count'))).toBeGreaterThan(0);
    const first = { close: await chart.getAttribute('data-last-close'), time: await chart.getAttribute('data-last-time') };
    const image = await chart.screenshot();
    await expect
      .poll(async () => {
        const now = { close: await chart.getAttribute('data-last-close'), time: await chart.getAttribute('data-last-time') };
        return now.close !== first.close || now.time !== first.time;
      })
      .toBe(true);
    // And what is drawn changed, not only the attributes.
    await expect.poll(async () => (await chart.screenshot()).equals(image)).toBe(false);
    await expect(page.getByTestId('chart-legend')).toContainText('BTC-USD');
    await expect(page.locator('[data-testid=chart-legend] [data-field=close]')).toHaveText(/^\d+\.\d{2}$/);
  });

  test('keeps the chart series bounded to the store window plus slack', async ({ page }) => {
    const chart = page.getByTestId('price-chart');
    await expect(chart).toHaveAttribute('data-bar-count', /[1-9]/);
    // Drive the chart as a day of live 1 s bars would, faster: the store keeps a 50-bar window
    // while each frame appends a newer bar.
    const seriesBars = await page.evaluate(async () => {
      const store = window.__tickwireStore;
      if (!store) throw new Error('no store');
      const start = store.getState().chart.bars.at(-1);
      if (!start) throw new Error('no bars');
      for (let i = 1; i <= 800; i += 1) {
        const { chart } = store.getState();
        const bar = { ...start, openTimeUs: start.openTimeUs + i * 3_600_000_000 };
        store.setState({ chart: { ...chart, bars: [...chart.bars, bar].slice(-50) } });
      }
      await new Promise((r) => requestAnimationFrame(r));
      return Number(document.querySelector('[data-testid=price-chart]')?.getAttribute('data-series-bars'));
    });
    expect(seriesBars).toBeGreaterThan(0);
    expect(seriesBars).toBeLessThanOrEqual(50 + 500);
  });

  test('shows rtt, update rate and data age in the connection badge', async ({ page }) => {
    await expect(page.getByTestId('metric-rtt')).toHaveText(/\d+ ms/);
    await expect(page.getByTestId('metric-updates')).toHaveText(/[1-9]\d*(\.\d)?k?\/s/);
    await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-stale', 'false');
  });
});
