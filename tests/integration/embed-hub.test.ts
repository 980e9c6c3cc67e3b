/**
 * FeedHub over a real FeedClient against the real feed service: several charts share one
 * connection, two charts of one instrument at different intervals hold two pairs and each gets
 * the server's bars, removing one keeps the other live, and a refused origin or a dead feed is
 * explained (through the real GET /embed/check).
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import type { EmbedChartState } from '../../lib/embed/chart-watch';
import { checkFeedOrigin, describeConnectFailure } from '../../lib/embed/feed-diagnosis';
import { FeedHub } from '../../lib/embed/feed-hub';
import type { Bar, BarInterval } from '../../lib/market/types';
import type { FeedService } from '../../server/feed-service';
import { freePort } from '../e2e/support/processes';
import { startTestFeed } from '../support/feed';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function feed(options: Parameters<typeof startTestFeed>[0] = {}): Promise<FeedService> {
  const service = await startTestFeed(options);
  cleanups.push(() => service.close());
  return service;
}

/** A TCP proxy to `target` that delays everything the feed sends by `delayMs` (a distant feed). */
async function laggyProxy(target: string, delayMs: number): Promise<string> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((down) => {
    const up = connect(Number(port), hostname);
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    down.pipe(up);
    up.on('data', (chunk: Buffer) => setTimeout(() => down.writable && down.write(chunk), delayMs));
    up.on('close', () => setTimeout(() => down.destroy(), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A hub on a real client; `origin` is the Origin header its socket sends (a browser page's). */
function hub(url: string, origin?: string): FeedHub {
  const client = new FeedClient({
    url,
    transport: (u, protocols) => new WebSocket(u, protocols, origin ? { origin } : {}),
    reconnect: { minDelayMs: 50, maxDelayMs: 200 },
  });
  const made = new FeedHub(url, client, {
    scheduler: (callback) => {
      const timer = setTimeout(callback, 0);
      return () => clearTimeout(timer);
    },
    diagnose: async (feedUrl) => describeConnectFailure(feedUrl, await checkFeedOrigin(feedUrl, origin), origin),
  });
  client.connect();
  cleanups.push(() => made.close());
  return made;
}

function latest(): { states: EmbedChartState[]; listener: (s: EmbedChartState) => void; last(): EmbedChartState | undefined } {
  const states: EmbedChartState[] = [];
  return { states, listener: (s) => states.push(s), last: () => states[states.length - 1] };
}

/** Bars of `interval` as a fresh subscription on another connection gets them from the server. */
async function serverBars(url: string, symbol: string, interval: BarInterval): Promise<readonly Bar[]> {
  const client = new FeedClient({ url, transport: (u, p) => new WebSocket(u, p) });
  cleanups.push(() => client.close());
  const bars = new Promise<readonly Bar[]>((resolve) =>
    client.on('snapshot', (s) => {
      if (s.interval === interval) resolve(s.updates.filter((u): u is Bar => u.kind === 'bar'));
    }),
  );
  client.connect();
  await client.subscribe([symbol], interval);
  return bars;
}

const ohlcv = (b: Bar) => [b.openTimeUs, b.open, b.high, b.low, b.close, b.volume, b.tradeCount];

/** Bars both lists hold that were closed in both (so both saw every trade in them). */
function closedInBoth(ours: readonly Bar[], theirs: readonly Bar[], interval: BarInterval): [unknown[], unknown[]] {
  const span = interval * 1_000_000;
  const lastOpen = Math.min(ours.at(-1)?.openTimeUs ?? 0, theirs.at(-1)?.openTimeUs ?? 0);
  const theirByTime = new Map(theirs.map((b) => [b.openTimeUs, b]));
  const mine = ours.filter((b) => b.openTimeUs + span <= lastOpen && theirByTime.has(b.openTimeUs));
  return [mine.map(ohlcv), mine.map((b) => ohlcv(theirByTime.get(b.openTimeUs) as Bar))];
}

describe('FeedHub against a real feed', () => {
  it("serves charts of several instruments and intervals over one connection, with the server's bars", async () => {
    const service = await feed({ simulated: { ratePerInstrument: 40 } });
    const h = hub(service.url);
    const wire = latest();
    const folded = latest();
    const other = latest();
    h.watch('BTC-USD', 5, wire.listener); // the pair (BTC-USD, 5)
    const stopSeconds = h.watch('BTC-USD', 1, folded.listener); // the pair (BTC-USD, 1), same socket
    h.watch('ETH-USD', 60, other.listener);
    await waitFor(() => (folded.last()?.status === 'ready' && other.last()?.status === 'ready' ? true : undefined), 'charts ready');
    expect(service.health().clients).toBe(1);

    await sleep(4500); // several 1 s bars close
    const [mine, theirs] = closedInBoth(folded.last()?.chart.bars ?? [], await serverBars(service.url, 'BTC-USD', 1), 1);
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(mine).toEqual(theirs);
    const [wired, reference] = closedInBoth(wire.last()?.chart.bars ?? [], await serverBars(service.url, 'BTC-USD', 5), 5);
    expect(wired).toEqual(reference);
    expect(folded.last()?.lastPrice).toBeGreaterThan(0);
    expect(other.last()?.instrument?.symbol).toBe('SIM:ETH-USD');

    // Removing the 1 s chart drops only its pair: the 5 s chart of the same instrument stays live.
    stopSeconds();
    await waitFor(() => (h.pairs.includes('1@SIM:BTC-USD') ? undefined : true), 'pair dropped');
    expect(h.pairs.sort()).toEqual(['5@SIM:BTC-USD', '60@SIM:ETH-USD']);
    const last = wire.last()?.chart.bars.at(-1)?.seq ?? 0;
    await waitFor(() => ((wire.last()?.chart.bars.at(-1)?.seq ?? 0) > last ? true : undefined), '5 s chart still live');
  });

  it('loads every chart of a symbol picked again after leaving it before its snapshots came (a feed 150 ms away)', async () => {
    const service = await feed();
    const url = await laggyProxy(service.url, 150);
    const h = hub(url);
    const minute = latest();
    const fiveMinutes = latest();
    await waitFor(() => (h.connection === 'connected' ? true : undefined), 'connected');
    // The page shows ETH-USD at 1m and 5m, and the person moves on to BTC-USD before ETH-USD's
    // snapshots arrive: the client drops them, as ETH-USD is no longer subscribed.
    const leave = [h.watch('ETH-USD', 60, () => {}), h.watch('ETH-USD', 300, () => {})];
    await sleep(60);
    for (const stop of leave) stop();
    h.watch('BTC-USD', 60, () => {});
    await sleep(1000);
    // Back to ETH-USD: before, its 5m chart said "Loading 5m bars…" for good (its seed counted as in flight).
    h.watch('ETH-USD', 60, minute.listener);
    h.watch('ETH-USD', 300, fiveMinutes.listener);
    await waitFor(
      () => (minute.last()?.status === 'ready' && fiveMinutes.last()?.status === 'ready' ? true : undefined),
      'both charts ready',
      5000,
    );
    expect(fiveMinutes.last()?.chart.bars.every((b) => b.interval === 300)).toBe(true);
  });

  it("explains that the page's origin is not on the feed's allowlist", async () => {
    const service = await feed({ gateway: { allowedOrigins: ['https://partner.example'], allowLocalhostOrigins: false } });
    const chart = latest();
    hub(service.url, 'https://blog.example').watch('BTC-USD', 60, chart.listener);
    const state = await waitFor(() => (chart.last()?.status === 'error' ? chart.last() : undefined), 'the problem');
    expect(state.problem).toEqual({
      kind: 'origin-refused',
      message: `This site (https://blog.example) is not allowed to use the Tickwire feed at ${service.url}.`,
      hint: "Ask the feed's operator to allow it: npm run feed -- --allow-origin https://blog.example",
    });
    // An allowed origin on the same feed gets data.
    const allowed = latest();
    hub(service.url, 'https://partner.example').watch('BTC-USD', 60, allowed.listener);
    await waitFor(() => (allowed.last()?.status === 'ready' ? true : undefined), 'allowed origin ready');
  });

  it('says a feed that is not there cannot be reached', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const chart = latest();
    hub(url).watch('BTC-USD', 60, chart.listener);
    const state = await waitFor(() => (chart.last()?.status === 'error' ? chart.last() : undefined), 'the problem');
    expect(state.problem?.kind).toBe('feed-unreachable');
    expect(state.problem?.message).toBe(`Cannot reach the Tickwire feed at ${url}.`);
  });
});
