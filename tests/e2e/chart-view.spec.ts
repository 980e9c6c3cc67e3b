/**
 * The chart keeps what the person is looking at when the whole bar history is replaced under it:
 * a feed restart (new epoch), a resync after a sequence gap, and the trim of the series to the
 * store's window (driven on the controller alone in a bare page, as a day of 1 s bars would take
 * too long through the dashboard). The controller publishes its view
 * on the chart element: `data-bar-spacing` (px per bar), `data-scroll-position` (bars from the
 * newest bar to the right edge) and `data-visible-from` / `data-visible-to` (open times, s, of the
 * bars at the edges).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { SERIES_TRIM_SLACK_BARS } from '../../components/chart/chart-controller';
import { dashboardUrl, waitLive } from './support/fixtures';
import { freePort, ROOT, startFeed, type FeedProcess } from './support/processes';
import { page as sitePage, startStaticSite } from './support/static-site';

const SHOTS = join(ROOT, 'test-results', 'chart-view');
/** The chart's default zoom (px per bar) and margin right of the newest bar (bars): chart-controller.ts. */
const DEFAULT_BAR_SPACING = 9;
const DEFAULT_RIGHT_OFFSET_BARS = 6;

/** The ChartController and its palettes as one classic script exposing `window.__chartHarness`. */
async function controllerBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        "import { ChartController } from './components/chart/chart-controller';",
        "import { CHART_PALETTES } from './components/chart/chart-palette';",
        'Object.assign(window, { __chartHarness: { ChartController, CHART_PALETTES } });',
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced nothing');
  return file.text;
}

/** What the chart element says it shows. */
async function view(chart: Locator) {
  const read = async (name: string) => Number(await chart.getAttribute(name));
  return {
    revision: await read('data-revision'),
    bars: await read('data-bar-count'),
    barSpacing: await read('data-bar-spacing'),
    scrollPosition: await read('data-scroll-position'),
    from: await read('data-visible-from'),
    to: await read('data-visible-to'),
  };
}

/** Zooms in with the mouse wheel over the newest bars (the view stays at the live edge). */
async function zoomIn(page: Page, chart: Locator): Promise<void> {
  const box = await chart.boundingBox();
  if (!box) throw new Error('chart has no box');
  // Right part of the candle pane, left of the price scale.
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.3);
  for (let i = 0; i < 6; i += 1) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(100);
  }
  await page.mouse.move(0, 0);
}

/** Drags the chart right by `pixels`: older bars come into view, the newest go off the right edge. */
async function dragBack(page: Page, chart: Locator, pixels: number): Promise<void> {
  const box = await chart.boundingBox();
  if (!box) throw new Error('chart has no box');
  const y = box.y + box.height * 0.3;
  const x = box.x + box.width * 0.3;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + pixels, y, { steps: 10 });
  await page.mouse.up();
  await page.mouse.move(0, 0);
}

test.describe('Chart view', () => {
  let feed: FeedProcess | undefined;

  test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

  test.afterEach(async () => {
    await feed?.stop();
    feed = undefined;
  });

  test('keeps the zoom and the live edge when the feed restarts with a new epoch', async ({ page }) => {
    const port = await freePort();
    feed = await startFeed({ port, instruments: 4, rate: 20, seed: 7 });
    await page.goto(dashboardUrl({ feed: feed.url, symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => (await view(chart)).bars, { timeout: 30_000 }).toBeGreaterThanOrEqual(15);

    await zoomIn(page, chart);
    await expect.poll(async () => (await view(chart)).barSpacing).toBeGreaterThan(DEFAULT_BAR_SPACING * 1.5);
    const before = await view(chart);
    expect(before.scrollPosition).toBeGreaterThan(-1); // the newest bar is on screen
    await page.screenshot({ path: join(SHOTS, 'restart-before.png') });

    await feed.stop();
    await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'reconnecting');
    feed = await startFeed({ port, instruments: 4, rate: 20, seed: 7 });
    await waitLive(page);
    // The new epoch's snapshot has reloaded the series: a few bars since the restart.
    await expect.poll(async () => (await view(chart)).revision, { timeout: 20_000 }).toBeGreaterThan(before.revision);
    await expect.poll(async () => (await view(chart)).bars, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await page.waitForTimeout(500); // let a default-zoom scroll animation (the bug) play out
    const after = await view(chart);
    await page.screenshot({ path: join(SHOTS, 'restart-after.png') });
    expect(after.barSpacing).toBeCloseTo(before.barSpacing, 2);
    expect(Math.abs(after.scrollPosition - before.scrollPosition)).toBeLessThan(1);
  });

  test('keeps the same times on screen when a sequence gap forces a fresh snapshot', async ({ page }) => {
    test.setTimeout(120_000);
    const feedUrl = new URL(process.env.E2E_FEED_URL ?? '');
    let dropping = false;
    let dropped = 0;
    // The page's feed connection goes through the test, which can lose server frames on purpose.
    await page.routeWebSocket(
      (url) => url.host === feedUrl.host,
      (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => server.send(message));
        server.onMessage((message) => {
          if (dropping && typeof message !== 'string') {
            dropped += 1;
            return;
          }
          ws.send(message);
        });
      },
    );
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => (await view(chart)).bars, { timeout: 60_000 }).toBeGreaterThanOrEqual(40);

    await zoomIn(page, chart);
    await expect.poll(async () => (await view(chart)).barSpacing).toBeGreaterThan(DEFAULT_BAR_SPACING * 1.5);
    const zoomed = await view(chart);
    // Back by about 20 bars: the newest bars are off the right edge, the view no longer follows them.
    await dragBack(page, chart, Math.round(zoomed.barSpacing * 20));
    await expect.poll(async () => (await view(chart)).scrollPosition).toBeLessThan(-10);
    await page.waitForTimeout(1_500); // new bars arrive and must not move the view
    const before = await view(chart);
    expect(before.to).toBeLessThan(Date.now() / 1000 - 10);
    await page.screenshot({ path: join(SHOTS, 'gap-before.png') });

    dropping = true;
    await page.waitForTimeout(800);
    dropping = false;
    expect(dropped).toBeGreaterThan(0);
    // The client notices the gap on the next batch and resubscribes: a fresh snapshot reloads the series.
    await expect.poll(async () => (await view(chart)).revision, { timeout: 15_000 }).toBeGreaterThan(before.revision);
    await page.waitForTimeout(500); // let a default-zoom scroll animation (the bug) play out
    const after = await view(chart);
    await page.screenshot({ path: join(SHOTS, 'gap-after.png') });
    // The same times within a bar (1 s), at the same zoom.
    expect(Math.abs(after.from - before.from)).toBeLessThanOrEqual(1);
    expect(Math.abs(after.to - before.to)).toBeLessThanOrEqual(1);
    expect(after.barSpacing).toBeCloseTo(before.barSpacing, 1);
  });

  test('starts another interval at the default zoom on the newest bars, as a new view', async ({ page }) => {
    await page.goto(dashboardUrl({ symbol: 'BTC-USD', interval: '1s' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => (await view(chart)).bars, { timeout: 30_000 }).toBeGreaterThanOrEqual(15);
    await zoomIn(page, chart);
    await expect.poll(async () => (await view(chart)).barSpacing).toBeGreaterThan(DEFAULT_BAR_SPACING * 1.5);
    await page.getByTestId('interval-5s').click();
    await expect(chart).toHaveAttribute('data-interval', '5s');
    await expect.poll(async () => (await view(chart)).barSpacing).toBeCloseTo(DEFAULT_BAR_SPACING, 2);
    await expect.poll(async () => (await view(chart)).scrollPosition).toBeCloseTo(DEFAULT_RIGHT_OFFSET_BARS, 1);
  });

  test('keeps the zoom and the margin right of the newest bar when the series is trimmed to the store window', async ({ page }) => {
    const site = await startStaticSite();
    try {
      site.put('/controller.js', await controllerBundle(), 'text/javascript');
      site.put(
        '/',
        sitePage(
          'chart',
          '<div id="legend"></div><div id="chart" data-testid="price-chart" style="width:900px;height:420px"></div><script src="/controller.js"></script>',
        ),
      );
      await page.goto(`${site.origin}/`);
      const windowBars = 200;
      // A chart of a 200-bar store window at 1 min, scrolled to the newest bar.
      await page.evaluate((count) => {
        type Harness = {
          ChartController: new (...args: unknown[]) => { sync(state: unknown, instrument: unknown): void };
          CHART_PALETTES: Record<string, unknown>;
        };
        const { ChartController, CHART_PALETTES } = (globalThis as unknown as { __chartHarness: Harness }).__chartHarness;
        const chart = new ChartController(document.getElementById('chart'), document.getElementById('legend'), CHART_PALETTES.dark, 'utc');
        const instrument = { id: 1, symbol: 'SIM:BTC-USD', venue: 'SIM', assetClass: 0, priceDecimals: 2, sizeDecimals: 4 };
        const closeAt = (minute: number) => 6_000_000 + Math.round(Math.sin(minute / 9) * 40_000 + Math.sin(minute * 1.7) * 9_000);
        const bar = (minute: number) => {
          const open = closeAt(minute - 1);
          const close = closeAt(minute);
          return {
            kind: 'bar',
            instrumentId: 1,
            seq: minute,
            eventTimeUs: 0,
            receiveTimeUs: 0,
            interval: 60,
            openTimeUs: (28_000_000 + minute) * 60_000_000,
            open,
            high: Math.max(open, close) + 4_000,
            low: Math.min(open, close) - 4_000,
            close,
            volume: 10_000 + (minute % 7) * 3_000,
            tradeCount: 3,
            vwap: close,
          };
        };
        let bars = Array.from({ length: count }, (_, i) => bar(i));
        let next = count;
        const sync = () => chart.sync({ instrumentId: 1, interval: 60, bars, revision: 1, status: 'ready' }, instrument);
        sync();
        /** Live bars, the store dropping its oldest as each new one comes. */
        (globalThis as unknown as { addBars: (n: number) => void }).addBars = (n) => {
          for (let i = 0; i < n; i += 1) {
            bars = [...bars.slice(1), bar(next)];
            next += 1;
            sync();
          }
        };
      }, windowBars);
      const chart = page.getByTestId('price-chart');
      await zoomIn(page, chart);
      await expect.poll(async () => (await view(chart)).barSpacing).toBeGreaterThan(DEFAULT_BAR_SPACING * 1.5);
      // Up to the last bar before the trim: the series holds window + slack bars.
      await page.evaluate((n) => (globalThis as unknown as { addBars: (n: number) => void }).addBars(n), SERIES_TRIM_SLACK_BARS);
      await expect.poll(async () => Number(await chart.getAttribute('data-series-bars'))).toBe(windowBars + SERIES_TRIM_SLACK_BARS);
      await page.waitForTimeout(200);
      const before = await view(chart);
      expect(before.scrollPosition).toBeGreaterThan(-1);
      await page.screenshot({ path: join(SHOTS, 'trim-before.png') });
      await page.evaluate(() => (globalThis as unknown as { addBars: (n: number) => void }).addBars(1));
      await expect.poll(async () => Number(await chart.getAttribute('data-series-bars'))).toBe(windowBars);
      await page.waitForTimeout(200);
      const after = await view(chart);
      await page.screenshot({ path: join(SHOTS, 'trim-after.png') });
      expect(after.barSpacing).toBeCloseTo(before.barSpacing, 2);
      expect(after.scrollPosition).toBeCloseTo(before.scrollPosition, 2);
      expect(after.to).toBe(before.to + 60); // one new bar, shown where the newest bar was
    } finally {
      await site.close();
    }
  });
});
