import { afterEach, describe, expect, it } from 'vitest';
import { CoinbaseAdapter } from '../../../server/adapters/coinbase';
import { CoinbaseRest, type CoinbaseRestOptions } from '../../../server/adapters/coinbase-rest';
import type { AdapterHistoryRequest, AdapterInstrument } from '../../../server/adapters/types';
import { VenueRestError } from '../../../server/adapters/venue-rest';
import { collect, httpVenue, loadHttpSamples, type HttpSample } from './http-venue';

const SAMPLES = loadHttpSamples('coinbase-exchange-candles.ndjson');
const sample = (name: string): HttpSample => {
  const found = SAMPLES.get(name);
  if (!found) throw new Error(`no sample ${name}`);
  return found;
};

const MINUTE = 60_000;
/** A minute-aligned time well in the past (2023-11-14). */
const T0 = Math.floor(1_700_000_000_000 / MINUTE) * MINUTE;
const BTC_USD: AdapterInstrument = { symbol: 'BTC-USD', priceDecimals: 2, sizeDecimals: 8 };

/** A candle as Coinbase sends it: [time (s), low, high, open, close, volume]. */
const candle = (openMs: number) => [openMs / 1000, 36500.01, 36600.5, 36510, 36590.25, 1.23456789];

/**
 * Answers like Coinbase: candles of `opens` in [start, end] (both inclusive), newest first, plus
 * the candle before `start` when there is one (the docs warn some may precede it).
 */
function candlesFrom(opens: readonly number[]) {
  return (url: URL) => {
    const start = Date.parse(url.searchParams.get('start') ?? '');
    const end = Date.parse(url.searchParams.get('end') ?? '');
    const body = opens
      .filter((t) => t >= start - MINUTE && t <= end)
      .reverse()
      .map(candle);
    return { sample: 'generated', status: 200, headers: {}, body };
  };
}

const minutes = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i * MINUTE);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(answer: Parameters<typeof httpVenue>[0], options: Partial<CoinbaseRestOptions> = {}) {
  const server = await httpVenue(answer);
  cleanups.push(server.close);
  const notices: string[] = [];
  const rest = new CoinbaseRest({
    restUrl: server.url,
    minRetryDelayMs: 5,
    maxRetryDelayMs: 20,
    requestsPerSecond: 50,
    onNotice: (kind, message) => notices.push(`${kind}: ${message}`),
    ...options,
  });
  return { server, rest, notices };
}

const request = (startMs: number, endMs: number, extra: Partial<AdapterHistoryRequest> = {}): AdapterHistoryRequest => ({
  symbol: 'BTC-USD',
  interval: 60,
  startUs: startMs * 1000,
  endUs: endMs * 1000,
  signal: new AbortController().signal,
  ...extra,
});

describe('CoinbaseRest', () => {
  describe('#candles', () => {
    it('maps the documented candle: [time, low, high, open, close, volume] with the numbers as written, no trade count or vwap', async () => {
      const { server, rest } = await setup(() => sample('page'));
      const startMs = Math.floor(1415398768 / 60) * 60_000;
      const pages = await collect(rest.candles(request(startMs, startMs + 2 * MINUTE), BTC_USD));
      expect(pages).toEqual([
        [{ openTimeUs: 1415398768_000_000, open: '0.35', high: '4.2', low: '0.32', close: '4.2', volume: '12.3', tradeCount: 0 }],
      ]);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.url.pathname).toBe('/products/BTC-USD/candles');
      expect(Object.fromEntries(server.requests[0]?.url.searchParams ?? [])).toEqual({
        granularity: '60',
        start: new Date(startMs).toISOString(),
        end: new Date(startMs + MINUTE).toISOString(),
      });
    });

    it('walks windows of 300 candles and returns them oldest first, once each', async () => {
      const { server, rest } = await setup(candlesFrom(minutes(T0 - 5 * MINUTE, 720)));
      const pages = await collect(rest.candles(request(T0, T0 + 700 * MINUTE), BTC_USD));
      expect(pages.map((p) => p.length)).toEqual([300, 300, 100]);
      expect(pages.flat().map((b) => b.openTimeUs / 1000)).toEqual(minutes(T0, 700));
      expect(server.requests.map((r) => [r.url.searchParams.get('start'), r.url.searchParams.get('end')])).toEqual([
        [new Date(T0).toISOString(), new Date(T0 + 299 * MINUTE).toISOString()],
        [new Date(T0 + 300 * MINUTE).toISOString(), new Date(T0 + 599 * MINUTE).toISOString()],
        [new Date(T0 + 600 * MINUTE).toISOString(), new Date(T0 + 699 * MINUTE).toISOString()],
      ]);
      expect(pages[0]?.[0]).toEqual({
        openTimeUs: T0 * 1000,
        open: '36510',
        high: '36600.5',
        low: '36500.01',
        close: '36590.25',
        volume: '1.23456789',
        tradeCount: 0,
      });
    });

    it('goes past an empty window (a quiet stretch) and ends at the range end', async () => {
      const opens = [...minutes(T0, 300), ...minutes(T0 + 600 * MINUTE, 300)];
      const { server, rest } = await setup((url, index) => (index === 1 ? sample('empty') : candlesFrom(opens)(url)));
      const pages = await collect(rest.candles(request(T0, T0 + 900 * MINUTE), BTC_USD));
      expect(pages.map((p) => p.length)).toEqual([300, 300]);
      expect(server.requests).toHaveLength(3);
    });

    it('leaves out the forming candle and asks nothing past now', async () => {
      const { server, rest } = await setup(candlesFrom(minutes(T0, 1000)), { now: () => T0 + 100.5 * MINUTE });
      const bars = (await collect(rest.candles(request(T0, T0 + 1000 * MINUTE), BTC_USD))).flat();
      expect(bars.map((b) => b.openTimeUs / 1000)).toEqual(minutes(T0, 100));
      expect(server.requests).toHaveLength(1);
    });

    it('writes exponent numbers out as plain decimals', async () => {
      const { rest } = await setup(() => ({ status: 200, raw: `[[${T0 / 1000}, 1e-7, 2.5E-7, 1.5e-7, 2e-7, 1.2e3]]` }));
      const bars = (await collect(rest.candles(request(T0, T0 + MINUTE), { ...BTC_USD, priceDecimals: 8 }))).flat();
      expect(bars).toEqual([
        {
          openTimeUs: T0 * 1000,
          low: '0.0000001',
          high: '0.00000025',
          open: '0.00000015',
          close: '0.0000002',
          volume: '1200',
          tradeCount: 0,
        },
      ]);
    });

    it('fails on an answer that is not a list of six-number candles', async () => {
      const { rest } = await setup(() => ({ status: 200, raw: '[[1, "2", 3, 4, 5, 6]]' }));
      await expect(collect(rest.candles(request(T0, T0 + MINUTE), BTC_USD))).rejects.toThrow(
        /coinbase candles: a candle that is not six numbers/,
      );
    });

    it('backs off after a 429 without Retry-After, waits out one with it, then continues', async () => {
      const data = candlesFrom(minutes(T0, 3));
      const limited = sample('rate-limited');
      const { server, rest, notices } = await setup((url, index) =>
        index === 0 ? limited : index === 1 ? { ...limited, headers: { 'Retry-After': '1' } } : data(url),
      );
      const bars = (await collect(rest.candles(request(T0, T0 + 3 * MINUTE), BTC_USD))).flat();
      expect(bars).toHaveLength(3);
      expect(server.requests).toHaveLength(3);
      const gap = (server.requests[2]?.atMs ?? 0) - (server.requests[1]?.atMs ?? 0);
      expect(gap).toBeGreaterThanOrEqual(950);
      expect(notices.filter((n) => n.startsWith('rateLimited'))).toHaveLength(2);
      expect(notices[1]).toContain('waiting 1000 ms');
    });

    it('fails at once on a 4xx with the venue, status and Coinbase message', async () => {
      const { server, rest } = await setup(() => sample('error'));
      const error = await collect(rest.candles(request(T0, T0 + MINUTE), BTC_USD)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VenueRestError);
      expect((error as Error).message).toBe('coinbase candles BTC-USD 60 s refused: HTTP 400, coinbase says: Invalid Price');
      expect(server.requests).toHaveLength(1);
    });

    it('gives up on rate limits after maxRetries', async () => {
      const { server, rest } = await setup(() => sample('rate-limited'), { maxRetries: 2 });
      await expect(collect(rest.candles(request(T0, T0 + MINUTE), BTC_USD))).rejects.toThrow(
        'coinbase candles BTC-USD 60 s failed after 3 attempts: HTTP 429, coinbase says: Public rate limit exceeded',
      );
      expect(server.requests).toHaveLength(3);
    });

    it('spaces requests to requestsPerSecond across parallel walks', async () => {
      const { server, rest } = await setup(candlesFrom(minutes(T0, 600)), { requestsPerSecond: 10, windowCandles: 100 });
      await Promise.all([
        collect(rest.candles(request(T0, T0 + 300 * MINUTE), BTC_USD)),
        collect(rest.candles(request(T0 + 300 * MINUTE, T0 + 600 * MINUTE), BTC_USD)),
      ]);
      const times = server.requests.map((r) => r.atMs).sort((a, b) => a - b);
      expect(times).toHaveLength(6);
      // 100 ms apart when sent; measured on arrival, so with some slack.
      expect((times[5] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(400);
    });

    it('stops when aborted while paced', async () => {
      const { server, rest } = await setup(candlesFrom(minutes(T0, 900)), { requestsPerSecond: 0.2 });
      const controller = new AbortController();
      const iterator = rest.candles(request(T0, T0 + 900 * MINUTE, { signal: controller.signal }), BTC_USD);
      expect((await iterator.next()).value).toHaveLength(300);
      const started = performance.now();
      setTimeout(() => controller.abort(), 50);
      await expect(iterator.next()).rejects.toThrow(/aborted/i);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(server.requests).toHaveLength(1);
    });

    it('refuses a granularity Coinbase lacks and a product the adapter lacks', async () => {
      const { rest } = await setup(() => sample('empty'));
      await expect(collect(rest.candles({ ...request(T0, T0 + MINUTE), interval: 14400 }, BTC_USD))).rejects.toThrow(
        'no candles for a 14400 s interval',
      );
      await expect(collect(rest.candles(request(T0, T0 + MINUTE), undefined))).rejects.toThrow(
        "BTC-USD is not one of this adapter's products",
      );
    });
  });
});

describe('CoinbaseAdapter#history', () => {
  it('fetches from restUrl for a configured product', async () => {
    const server = await httpVenue(candlesFrom(minutes(T0, 2)));
    cleanups.push(server.close);
    const adapter = new CoinbaseAdapter({ symbols: 'BTC-USD', restUrl: server.url });
    const bars = (await collect(adapter.history(request(T0, T0 + 2 * MINUTE)))).flat();
    expect(bars.map((b) => b.openTimeUs / 1000)).toEqual(minutes(T0, 2));
    expect(adapter.stats()).toMatchObject({ restRequests: 1 });
    expect(() => new CoinbaseAdapter({ symbols: 'BTC-USD', restUrl: 'ftp://x' })).toThrow(/restUrl must be an http:\/\/ or https:\/\/ URL/);
  });
});
