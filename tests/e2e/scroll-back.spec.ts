/**
 * Scroll-back on the dashboard's chart: it opens with at least a snapshot's worth of bars (300),
 * and dragging to the oldest bar loads the page before it (a `history` request) without moving
 * what is on screen, with a loading mark while the request is out, until the start of the data.
 *
 * The feed runs the backdated adapter (tests/unit/adapters/fixtures/backdated-adapter.ts): 800 s of 1 s bars at once,
 * of which the feed's memory keeps 500, so the snapshot brings 300 and one page the rest. The
 * page's history requests (binary message type 0x22) pass through the test, which holds them: the
 * view is read while the request waits, then again once its page is drawn.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { dashboardUrl, waitLive } from './support/fixtures';
import { freePort, ROOT, startFeed, type FeedProcess } from './support/processes';
import { page as html, startStaticSite } from './support/static-site';

const SHOTS = join(ROOT, 'test-results', 'scroll-back');
/** Bars of a fresh snapshot (the gateway's snapshotBars). */
const SNAPSHOT_BARS = 300;
/** First byte of a binary `history` request (docs/protocol.md §2.12). */
const HISTORY_REQUEST_TYPE = 0x22;

/** What the chart element says it shows. */
async function view(chart: Locator) {
  const read = async (name: string) => Number(await chart.getAttribute(name));
  return {
    bars: await read('data-bar-count'),
    from: await read('data-visible-from'),
    to: await read('data-visible-to'),
    lastTime: await read('data-last-time'),
    firstTime: await read('data-first-time'),
    barSpacing: await read('data-bar-spacing'),
    older: (await chart.getAttribute('data-older')) ?? '',
  };
}

/** Drags the chart right by `pixels`: older bars come into view. */
async function dragBack(page: Page, chart: Locator, pixels: number): Promise<void> {
  const box = await chart.boundingBox();
  if (!box) throw new Error('chart has no box');
  const y = box.y + box.height * 0.3;
  const x = box.x + box.width * 0.05;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + pixels, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(0, 0);
}

test.describe('Chart scroll-back', () => {
  let feed: FeedProcess | undefined;

  test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

  test.afterEach(async () => {
    await feed?.stop();
    feed = undefined;
  });

  test('opens with a full chart, loads older bars at the left edge without moving the view, and stops at the start of data', async ({
    page,
  }) => {
    test.setTimeout(150_000);
    const port = await freePort();
    feed = await startFeed({ port, extraArgs: ['--adapter', './tests/unit/adapters/fixtures/backdated-adapter.ts'] });
    let holding = true;
    const held: Array<() => void> = [];
    let historyRequests = 0;
    await page.routeWebSocket(
      (url) => url.port === String(port),
      (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => {
          const isHistory = typeof message !== 'string' && message[0] === HISTORY_REQUEST_TYPE;
          if (isHistory) historyRequests += 1;
          if (isHistory && holding) held.push(() => server.send(message));
          else server.send(message);
        });
        server.onMessage((message) => ws.send(message));
      },
    );
    await page.goto(dashboardUrl({ feed: feed.url, symbol: 'PAST:HIST', interval: '1s' }));
    await waitLive(page);
    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => (await view(chart)).bars, { timeout: 60_000 }).toBeGreaterThanOrEqual(SNAPSHOT_BARS);
    await page.waitForTimeout(1_000);
    const opened = await view(chart);
    expect(opened.older).toBe('idle'); // a full screen: nothing asked for yet
    expect(historyRequests).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'open.png') });

    // Back towards the oldest bar: the chart asks for the page before it (held by the test).
    const box = await chart.boundingBox();
    const stride = Math.round((box?.width ?? 500) * 0.85);
    for (let i = 0; i < 20 && (await view(chart)).older !== 'loading'; i += 1) await dragBack(page, chart, stride);
    await expect.poll(async () => (await view(chart)).older).toBe('loading');
    await expect.poll(() => held.length).toBe(1);
    await expect(page.getByTestId('history-loading')).toBeVisible();
    await expect(page.getByTestId('history-loading')).toHaveText('Loading older bars…');
    await page.waitForTimeout(500);
    const before = await view(chart);
    expect(before.from - before.firstTime).toBeLessThan(60); // the oldest bar near (or at) the left edge
    await page.screenshot({ path: join(SHOTS, 'loading.png') });

    holding = false;
    for (const send of held.splice(0)) send();
    await expect.poll(async () => (await view(chart)).bars, { timeout: 20_000 }).toBeGreaterThan(before.bars + 20);
    await page.waitForTimeout(500);
    const after = await view(chart);
    await page.screenshot({ path: join(SHOTS, 'loaded.png') });
    // Older bars went in front; the bars on screen stayed where they were: the same bar at the right
    // edge at the same zoom. Where the view reached past the oldest bar, the new ones fill that space.
    expect(after.firstTime).toBeLessThan(before.firstTime);
    expect(after.to).toBe(before.to);
    expect(after.barSpacing).toBe(before.barSpacing);
    expect(after.from).toBeLessThanOrEqual(before.from);
    await expect(page.getByTestId('history-loading')).toHaveCount(0);
    // The feed held 500 bars: this page went back to the first, and no more are asked for.
    expect(after.older).toBe('start');

    for (let i = 0; i < 20 && (await page.getByTestId('history-start').count()) === 0; i += 1) await dragBack(page, chart, 600);
    await expect(page.getByTestId('history-start')).toBeVisible();
    await expect(page.getByTestId('history-start')).toHaveText('Start of data');
    await dragBack(page, chart, 300);
    await page.waitForTimeout(1_000);
    const end = await view(chart);
    expect(end.older).toBe('start');
    expect(historyRequests).toBe(1); // one page, then none at the start of data
    await expect(page.getByTestId('history-loading')).toHaveCount(0);
    expect(end.bars).toBeGreaterThanOrEqual(after.bars);
    // Live bars kept coming at the right edge all along.
    expect(end.lastTime).toBeGreaterThan(opened.lastTime);
    await page.screenshot({ path: join(SHOTS, 'start.png') });
  });

  test('an embedded chart scrolls back the same way, to the start of data', async ({ page }) => {
    test.setTimeout(150_000);
    const port = await freePort();
    feed = await startFeed({ port, extraArgs: ['--adapter', './tests/unit/adapters/fixtures/backdated-adapter.ts'] });
    const site = await startStaticSite('127.0.0.1');
    try {
      site.put(
        '/embed.html',
        html(
          'An embedded chart',
          `<tickwire-chart symbol="PAST:HIST" interval="1s" height="420"></tickwire-chart>
           <script src="http://127.0.0.1:${port}/embed/tickwire-chart.js"></script>`,
        ),
      );
      await page.goto(`${site.origin}/embed.html`);
      const element = page.locator('tickwire-chart');
      const chart = element.locator('.tw-chart');
      await expect.poll(async () => (await view(chart)).bars, { timeout: 60_000 }).toBeGreaterThanOrEqual(SNAPSHOT_BARS);
      const opened = await view(chart);
      expect(opened.older).toBe('idle');
      const box = await chart.boundingBox();
      const stride = Math.round((box?.width ?? 500) * 0.85);
      for (let i = 0; i < 20 && (await element.getByTestId('history-start').count()) === 0; i += 1) await dragBack(page, chart, stride);
      await expect(element.getByTestId('history-start')).toBeVisible();
      const end = await view(chart);
      await page.screenshot({ path: join(SHOTS, 'embed-start.png') });
      expect(end.older).toBe('start');
      expect(end.firstTime).toBeLessThan(opened.firstTime);
      expect(end.bars).toBeGreaterThan(opened.bars);
    } finally {
      await site.close();
    }
  });

  test('zooming out on 1m bars of a day of simulator history in the store pages back to its first minute', async ({ page }) => {
    test.setTimeout(240_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'tickwire-scroll-back-'));
    try {
      const port = await freePort();
      feed = await startFeed({ port, instruments: 2, seed: 5, extraArgs: ['--data-dir', dataDir, '--backfill-days', '1'] });
      // The simulator's day of 1m bars (1,440) goes into the store in the background: wait for it.
      await expect
        .poll(
          async () => {
            const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { backfill?: { state: string } };
            return health.backfill?.state;
          },
          { timeout: 120_000, intervals: [500] },
        )
        .toBe('done');
      await page.goto(dashboardUrl({ feed: feed.url, symbol: 'BTC-USD', interval: '1m' }));
      await waitLive(page);
      const chart = page.getByTestId('price-chart');
      await expect.poll(async () => (await view(chart)).bars, { timeout: 60_000 }).toBeGreaterThanOrEqual(SNAPSHOT_BARS);
      const opened = await view(chart);
      await page.screenshot({ path: join(SHOTS, 'store-open.png') });
      // Zoom out over the newest bars: the left edge passes the oldest bar, pages follow one another.
      const box = await chart.boundingBox();
      if (!box) throw new Error('chart has no box');
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3);
      for (let i = 0; i < 30; i += 1) {
        await page.mouse.wheel(0, 240);
        await page.waitForTimeout(50);
      }
      await page.mouse.move(0, 0);
      // At the widest zoom the pane holds about 1,000 bars: drag for the rest.
      for (let i = 0; i < 20 && (await page.getByTestId('history-start').count()) === 0; i += 1) {
        await page.waitForTimeout(1_000);
        if ((await view(chart)).older !== 'loading') await dragBack(page, chart, Math.round(box.width * 0.85));
      }
      await expect(page.getByTestId('history-start')).toBeVisible({ timeout: 30_000 });
      const end = await view(chart);
      await page.screenshot({ path: join(SHOTS, 'store-start.png') });
      expect(end.older).toBe('start');
      // A day of minutes (the backfill) plus the live ones since.
      expect(end.bars).toBeGreaterThanOrEqual(1440);
      expect(opened.lastTime - end.firstTime).toBeGreaterThanOrEqual(1439 * 60);
    } finally {
      await feed?.stop();
      feed = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
