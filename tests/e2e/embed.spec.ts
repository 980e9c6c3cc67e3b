/**
 * Embeddable live charts in real Chromium, on pages served by "another website" (a plain HTTP
 * server on its own port): the iframe route, the `<tickwire-chart>` script, and a React app
 * bundled from the packed `tickwire/react` package. A dedicated feed service counts connections;
 * a page on 127.0.0.2 (not a localhost origin to the gateway) is refused and says so.
 */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createConsumerApp, type ConsumerApp } from '../support/consumer-app';
import { dashboardUrl } from './support/fixtures';
import { ROOT, freePort, startDashboard, startFeed, stopProcess, type FeedProcess } from './support/processes';
import { page as html, startStaticSite, type StaticSite } from './support/static-site';

const SCREENSHOTS = join(ROOT, 'tests', 'e2e', 'screenshots');

let feed: FeedProcess; // the embeds' own feed: default allowlist (localhost origins only)
let partnerFeed: FeedProcess; // a feed that also allows the 127.0.0.2 site
let site: StaticSite; // http://127.0.0.1:<port>: a localhost origin, allowed by default
let otherSite: StaticSite; // http://127.0.0.2:<port>: not on the default allowlist
let consumer: ConsumerApp;
let reactApp: string;

const feedHttp = (f: FeedProcess): string => `http://127.0.0.1:${f.port}`;
const scriptTag = (f: FeedProcess): string => `<script src="${feedHttp(f)}/embed/tickwire-chart.js"></script>`;
const iframeSrc = (symbol: string, query: Record<string, string>): string => {
  const url = new URL(`/embed/chart/${encodeURIComponent(symbol)}`, dashboardUrl());
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
};

/** The React app another team would write: two LiveCharts, in StrictMode (mount, unmount, mount). */
const REACT_APP_SOURCE = `
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LiveChart } from 'tickwire/react';

const feed = (window as unknown as { TICKWIRE_FEED: string }).TICKWIRE_FEED;
const root = createRoot(document.getElementById('react-root')!);
(window as unknown as { unmountCharts: () => void }).unmountCharts = () => root.unmount();
root.render(
  <StrictMode>
    <div className="grid">
      <LiveChart symbol="BTC-USD" interval="5s" feedUrl={feed} height={300} className="react-chart" />
      <LiveChart symbol="SOL-USD" interval="1m" theme="light" volume={false} feedUrl={feed} height={300} className="react-chart" />
    </div>
  </StrictMode>,
);
`;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [feed, site, otherSite] = await Promise.all([
    freePort().then((port) => startFeed({ port, instruments: 10, rate: 20 })),
    startStaticSite('127.0.0.1'),
    startStaticSite('127.0.0.2'),
  ]);
  partnerFeed = await startFeed({ port: await freePort(), instruments: 10, rate: 20, allowOrigins: [otherSite.origin] });
  consumer = createConsumerApp();
  writeFileSync(join(consumer.dir, 'app.tsx'), REACT_APP_SOURCE);
  const bundle = await build({
    entryPoints: [join(consumer.dir, 'app.tsx')],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  reactApp = bundle.outputFiles[0]?.text ?? '';
  mkdirSync(SCREENSHOTS, { recursive: true });
});

test.afterAll(async () => {
  await Promise.all([feed?.stop(), partnerFeed?.stop(), site?.close(), otherSite?.close()]);
  consumer?.remove();
});

/** What a chart has drawn: its newest bar's time and close, and how many bars. */
async function drawn(chart: Locator): Promise<string> {
  const canvas = chart.locator('.tw-chart');
  const [time, close, count] = await Promise.all(
    ['data-last-time', 'data-last-close', 'data-bar-count'].map((a) => canvas.getAttribute(a)),
  );
  return `${time}|${close}|${count}`;
}

/** Waits until `chart` shows bars, then until what it drew changes (live updates reach the canvas). */
async function expectLiveCandles(chart: Locator): Promise<void> {
  await expect(chart).toHaveAttribute('data-status', 'ready');
  await expect.poll(async () => Number(await chart.locator('.tw-chart').getAttribute('data-bar-count'))).toBeGreaterThan(0);
  await expect(chart.locator('.tw-chart canvas').first()).toBeVisible();
  const first = await drawn(chart);
  await expect.poll(() => drawn(chart), { timeout: 20_000 }).not.toBe(first);
}

/** Open WebSockets of a page, by URL, as Chromium reports them. */
function countSockets(page: Page): string[] {
  const urls: string[] = [];
  page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

async function feedClients(f: FeedProcess): Promise<number> {
  const health = (await (await fetch(`${feedHttp(f)}/healthz`)).json()) as { clients: number };
  return health.clients;
}

test.describe('Embedded live charts', () => {
  test('an iframe and a custom element on another site draw candles that keep updating', async ({ page }) => {
    site.put(
      '/both.html',
      html(
        'A blog with two live charts',
        `<h1>My trading blog</h1>
         <div class="grid">
           <iframe id="framed" src="${iframeSrc('BTC-USD', { interval: '5s', theme: 'dark', feed: feed.url })}" height="360" title="BTC-USD"></iframe>
           <tickwire-chart id="element" symbol="ETH-USD" interval="5s" theme="light" height="360"></tickwire-chart>
         </div>
         ${scriptTag(feed)}`,
      ),
    );
    await page.goto(`${site.origin}/both.html`);
    const framed = page.frameLocator('#framed').locator('[data-testid=embed-chart]');
    const element = page.locator('tickwire-chart#element');
    await expectLiveCandles(framed);
    await expectLiveCandles(element);
    // Minimal chrome: symbol, last price, interval.
    await expect(framed.locator('.tw-symbol')).toHaveText('BTC-USD');
    await expect(framed.locator('.tw-interval')).toHaveText('5s');
    await expect(framed.locator('.tw-last')).toHaveText(/^\d+\.\d{2}$/);
    // The element found its feed from the script's address.
    await expect(element.locator('.tw-symbol')).toHaveText('ETH-USD');
    await expect(element.locator('.tw-conn')).toHaveText('Live');
    await page.screenshot({ path: join(SCREENSHOTS, 'embed-iframe-and-element.png'), fullPage: true });
  });

  test('several charts on one page share one WebSocket connection', async ({ page }) => {
    test.setTimeout(90_000);
    site.put('/react-app.js', reactApp, 'text/javascript; charset=utf-8');
    site.put(
      '/many.html',
      html(
        'Five charts, one connection',
        `<h1>Three elements and a React app</h1>
         <div class="grid">
           <tickwire-chart symbol="BTC-USD" interval="1m" height="300"></tickwire-chart>
           <tickwire-chart symbol="BTC-USD" interval="5s" theme="dark" height="300"></tickwire-chart>
           <tickwire-chart symbol="ETH-USD" interval="15m" theme="light" volume="off" height="300"></tickwire-chart>
         </div>
         <div id="react-root" style="margin-top:16px"></div>
         <script>window.TICKWIRE_FEED = ${JSON.stringify(feed.url)};</script>
         ${scriptTag(feed)}
         <script src="/react-app.js"></script>`,
      ),
    );
    const sockets = countSockets(page);
    await page.goto(`${site.origin}/many.html`);
    const charts = page.locator('tickwire-chart, .react-chart');
    await expect(charts).toHaveCount(5);
    for (const chart of await charts.all()) await expect(chart).toHaveAttribute('data-status', 'ready');
    // BTC-USD at 1m and at 5s over one connection: both keep drawing live candles.
    await expectLiveCandles(charts.nth(1));
    await expectLiveCandles(page.locator('.react-chart').first());
    expect(sockets).toEqual([feed.url + '/']);
    await expect.poll(() => feedClients(feed)).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'embed-many-one-connection.png'), fullPage: true });
    // The last chart to go closes the connection (HUB_LINGER_MS after it).
    await page.evaluate(() => document.querySelectorAll('tickwire-chart').forEach((el) => el.remove()));
    await page.waitForTimeout(1500);
    expect(await feedClients(feed)).toBe(1); // the React charts still hold it
    await page.evaluate(() => (window as unknown as { unmountCharts: () => void }).unmountCharts());
    await expect.poll(() => feedClients(feed)).toBe(0);
    expect(sockets).toHaveLength(1);
  });

  test('a site the feed does not allow gets a readable error, not a blank box', async ({ page }) => {
    otherSite.put(
      '/refused.html',
      html(
        'Not allowed',
        `<h1>A site the feed does not know</h1>
         <tickwire-chart id="refused" symbol="BTC-USD" interval="1m" feed="${feed.url}" height="260"></tickwire-chart>
         <tickwire-chart id="partner" symbol="BTC-USD" interval="1m" feed="${partnerFeed.url}" height="260" style="margin-top:16px"></tickwire-chart>
         ${scriptTag(feed)}`,
      ),
    );
    await page.goto(`${otherSite.origin}/refused.html`);
    const refused = page.locator('#refused');
    await expect(refused).toHaveAttribute('data-status', 'error');
    await expect(refused).toHaveAttribute('data-problem', 'origin-refused');
    const problem = refused.locator('.tw-problem');
    await expect(problem).toBeVisible();
    await expect(problem).toContainText(`This site (${otherSite.origin}) is not allowed to use the Tickwire feed at ${feed.url}.`);
    await expect(problem).toContainText(`npm run feed -- --allow-origin ${otherSite.origin}`);
    // The same page on a feed started with --allow-origin for it draws live candles.
    await expectLiveCandles(page.locator('#partner'));
    await page.screenshot({ path: join(SCREENSHOTS, 'embed-refused-origin.png'), fullPage: true });
  });

  test('the iframe explains an unknown symbol, a bad option and an unreachable feed', async ({ page }) => {
    const closedPort = await freePort();
    site.put(
      '/errors.html',
      html(
        'Embed errors',
        `<div class="grid">
           <iframe id="unknown" src="${iframeSrc('NOPE-USD', { feed: feed.url })}" height="220"></iframe>
           <iframe id="bad" src="${iframeSrc('BTC-USD', { interval: '2m', feed: feed.url })}" height="220"></iframe>
           <iframe id="down" src="${iframeSrc('BTC-USD', { feed: `ws://127.0.0.1:${closedPort}`, theme: 'light' })}" height="220"></iframe>
         </div>`,
      ),
    );
    await page.goto(`${site.origin}/errors.html`);
    const unknown = page.frameLocator('#unknown').locator('[data-testid=embed-chart]');
    await expect(unknown).toHaveAttribute('data-problem', 'unknown-symbol');
    await expect(unknown.locator('.tw-problem')).toContainText('This feed has no instrument "NOPE-USD".');
    await expect(unknown.locator('.tw-problem')).toContainText('BTC-USD');
    const bad = page.frameLocator('#bad').locator('[data-testid=embed-chart]');
    await expect(bad).toHaveAttribute('data-problem', 'bad-option');
    await expect(bad.locator('.tw-problem')).toContainText('Unknown interval "2m": use 1s, 5s, 1m, 5m, 15m, 1h, 4h, 1D or 1W.');
    const down = page.frameLocator('#down').locator('[data-testid=embed-chart]');
    await expect(down).toHaveAttribute('data-problem', 'feed-unreachable');
    await expect(down.locator('.tw-problem')).toContainText(`Cannot reach the Tickwire feed at ws://127.0.0.1:${closedPort}.`);
    await page.screenshot({ path: join(SCREENSHOTS, 'embed-errors.png'), fullPage: true });
  });

  test('frame-ancestors is sent on /embed only, from EMBED_FRAME_ANCESTORS at run time', async ({ page }) => {
    test.setTimeout(90_000);
    const embedded = await fetch(iframeSrc('BTC-USD', {}));
    expect(embedded.headers.get('content-security-policy')).toBe('frame-ancestors *');
    const dashboard = await fetch(dashboardUrl());
    expect(dashboard.headers.get('content-security-policy')).toBeNull();

    // The same build, restarted with a restricted list: only `site` may frame the embed.
    const port = await freePort();
    const restricted = await startDashboard(port, { FEED_URL: feed.url, EMBED_FRAME_ANCESTORS: site.origin });
    try {
      const src = `http://127.0.0.1:${port}/embed/chart/BTC-USD?interval=5s`;
      expect((await fetch(src)).headers.get('content-security-policy')).toBe(`frame-ancestors ${site.origin}`);
      const framing = html('Framing', `<iframe id="f" src="${src}" height="300"></iframe>`);
      site.put('/frame.html', framing);
      otherSite.put('/frame.html', framing);
      await page.goto(`${site.origin}/frame.html`);
      await expect(page.frameLocator('#f').locator('[data-testid=embed-chart]')).toHaveAttribute('data-status', 'ready');
      const refusals: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('frame-ancestors')) refusals.push(message.text());
      });
      await page.goto(`${otherSite.origin}/frame.html`);
      await expect.poll(() => refusals.length).toBeGreaterThan(0);
      // Chromium: "Framing 'http://127.0.0.1:<port>/' violates ... "frame-ancestors <site>". The request has been blocked."
      expect(refusals[0]).toContain(`'http://127.0.0.1:${port}/'`);
      expect(refusals[0]).toContain(`"frame-ancestors ${site.origin}"`);
      await expect(page.frameLocator('#f').locator('[data-testid=embed-chart]')).toHaveCount(0);
    } finally {
      await stopProcess(restricted);
    }
  });

  test("the dashboard's Embed action gives snippets that work when pasted into another site", async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(dashboardUrl({ symbol: 'ETH-USD', interval: '5s' }));
    await expect(page.getByTestId('price-chart')).toHaveAttribute('data-symbol', /ETH-USD/);
    await page.getByTestId('embed-button').click();
    const dialog = page.getByTestId('embed-dialog');
    await expect(dialog).toBeVisible();
    const snippet = (name: string) => dialog.getByTestId(`embed-snippet-${name}`).locator('code').innerText();
    const [iframe, element, react] = await Promise.all([snippet('iframe'), snippet('element'), snippet('react')]);
    const sharedFeed = process.env.E2E_FEED_URL ?? '';
    expect(iframe).toContain(`${new URL(dashboardUrl()).origin}/embed/chart/ETH-USD?interval=5s&amp;theme=`);
    expect(element).toContain(`<script src="${sharedFeed.replace('ws://', 'http://')}/embed/tickwire-chart.js" async></script>`);
    expect(element).toContain(`<tickwire-chart symbol="ETH-USD" interval="5s"`);
    expect(react).toContain(`<LiveChart symbol="ETH-USD" interval="5s"`);
    await dialog.getByTestId('embed-snippet-element').getByRole('button', { name: 'Copy' }).click();
    await expect(dialog.getByTestId('embed-snippet-element').getByRole('button')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(element);
    await page.screenshot({ path: join(SCREENSHOTS, 'embed-dialog.png') });

    // Pasted as is into somebody's page, both snippets draw the chart.
    site.put(
      '/pasted.html',
      html('Pasted snippets', `<h1>Pasted from the dashboard</h1><div class="grid"><div>${iframe}</div><div>${element}</div></div>`),
    );
    await page.goto(`${site.origin}/pasted.html`);
    await expectLiveCandles(page.locator('tickwire-chart'));
    await expectLiveCandles(page.frameLocator('iframe').locator('[data-testid=embed-chart]'));
  });
});
