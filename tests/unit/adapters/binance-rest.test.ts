import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../../../server/adapters/binance';
import { BinanceRest, type BinanceRestOptions } from '../../../server/adapters/binance-rest';
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument } from '../../../server/adapters/types';
import { decimalQuotient, parseRetryAfterMs, VenueRestError } from '../../../server/adapters/venue-rest';
import { collect, httpVenue, loadHttpSamples, type HttpSample } from './http-venue';

const SAMPLES = loadHttpSamples('binance-spot-klines.ndjson');
const sample = (name: string): HttpSample => {
  const found = SAMPLES.get(name);
  if (!found) throw new Error(`no sample ${name}`);
  return found;
};

const MINUTE = 60_000;
/** A minute-aligned time well in the past (2023-11-14). */
const T0 = Math.floor(1_700_000_000_000 / MINUTE) * MINUTE;
const BNBBTC: AdapterInstrument = { symbol: 'BNBBTC', priceDecimals: 8, sizeDecimals: 8 };

/** A 1m kline as Binance sends it: quote volume / volume = 1.05. */
const kline = (openMs: number) => [
  openMs,
  '1.00000000',
  '1.20000000',
  '0.90000000',
  '1.10000000',
  '10.00000000',
  openMs + MINUTE - 1,
  '10.50000000',
  7,
  '5.00000000',
  '5.20000000',
  '0',
];

/** Answers like Binance: klines of `opens` within [startTime, endTime], at most `limit`. */
function klinesFrom(opens: readonly number[], headers: Record<string, string> = { 'X-MBX-USED-WEIGHT-1M': '2' }) {
  return (url: URL) => {
    const start = Number(url.searchParams.get('startTime'));
    const end = Number(url.searchParams.get('endTime'));
    const limit = Number(url.searchParams.get('limit') ?? 500);
    const body = opens
      .filter((t) => t >= start && t <= end)
      .slice(0, limit)
      .map(kline);
    return { sample: 'generated', status: 200, headers, body };
  };
}

const minutes = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i * MINUTE);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(answer: Parameters<typeof httpVenue>[0], options: Partial<BinanceRestOptions> = {}) {
  const server = await httpVenue(answer);
  cleanups.push(server.close);
  const notices: string[] = [];
  const rest = new BinanceRest({
    restUrl: server.url,
    minRetryDelayMs: 5,
    maxRetryDelayMs: 20,
    onNotice: (kind, message) => notices.push(`${kind}: ${message}`),
    ...options,
  });
  return { server, rest, notices };
}

const request = (startMs: number, endMs: number, extra: Partial<AdapterHistoryRequest> = {}): AdapterHistoryRequest => ({
  symbol: 'BNBBTC',
  interval: 60,
  startUs: startMs * 1000,
  endUs: endMs * 1000,
  signal: new AbortController().signal,
  ...extra,
});

describe('BinanceRest', () => {
  describe('#klines', () => {
    it('maps the documented kline: decimal strings kept, trade count, vwap = quote volume / volume at the price decimals', async () => {
      const { server, rest } = await setup(() => sample('page'));
      const weekMs = 7 * 86_400_000;
      const pages = await collect(rest.klines({ ...request(1499040000000, 1499040000000 + 2 * weekMs), interval: 604800 }, BNBBTC));
      expect(pages).toEqual([
        [
          {
            openTimeUs: 1499040000000000,
            open: '0.01634790',
            high: '0.80000000',
            low: '0.01575800',
            close: '0.01577100',
            volume: '148976.11427815',
            tradeCount: 308,
            vwap: '0.01633947',
          },
        ],
      ]);
      expect(Number((pages[0]?.[0] as AdapterBar).vwap)).toBeCloseTo(2434.19055334 / 148976.11427815, 8);
      // One short page: the range is exhausted, no second request.
      expect(server.requests.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
        { symbol: 'BNBBTC', interval: '1w', startTime: '1499040000000', endTime: String(1499040000000 + 2 * weekMs - 1), limit: '1000' },
      ]);
    });

    it('walks startTime forward 1000 klines at a time and returns every bar once, oldest first', async () => {
      const { server, rest } = await setup(klinesFrom(minutes(T0, 2500)));
      const pages = await collect(rest.klines(request(T0, T0 + 2500 * MINUTE), BNBBTC));
      expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
      const opens = pages.flat().map((b) => b.openTimeUs / 1000);
      expect(opens).toEqual(minutes(T0, 2500));
      expect(server.requests.map((r) => [r.url.pathname, r.url.searchParams.get('startTime'), r.url.searchParams.get('limit')])).toEqual([
        ['/api/v3/klines', String(T0), '1000'],
        ['/api/v3/klines', String(T0 + 1000 * MINUTE), '1000'],
        ['/api/v3/klines', String(T0 + 2000 * MINUTE), '1000'],
      ]);
      expect(new Set(server.requests.map((r) => r.url.searchParams.get('endTime')))).toEqual(new Set([String(T0 + 2500 * MINUTE - 1)]));
    });

    it('drops a kline repeated at a page boundary', async () => {
      const all = minutes(T0, 9);
      // A venue that starts every page one kline early.
      const { rest } = await setup(
        (url) => {
          const start = Number(url.searchParams.get('startTime'));
          const body = all
            .filter((t) => t >= start - MINUTE)
            .slice(0, 3)
            .map(kline);
          return { sample: 'overlap', status: 200, headers: {}, body };
        },
        { pageLimit: 3 },
      );
      const opens = (await collect(rest.klines(request(T0, T0 + 9 * MINUTE), BNBBTC))).flat().map((b) => b.openTimeUs / 1000);
      expect(opens).toEqual(all);
    });

    it('ends the walk at an empty page', async () => {
      const { server, rest } = await setup((url, index) => (index === 0 ? klinesFrom(minutes(T0, 1000))(url) : sample('empty')));
      const pages = await collect(rest.klines(request(T0, T0 + 5000 * MINUTE), BNBBTC));
      expect(pages.flat()).toHaveLength(1000);
      expect(server.requests).toHaveLength(2);
    });

    it('leaves out the forming bar (close time in the future) and stops there', async () => {
      const { server, rest } = await setup(klinesFrom(minutes(T0, 20)), { now: () => T0 + 10.5 * MINUTE, pageLimit: 5 });
      const bars = (await collect(rest.klines(request(T0, T0 + 20 * MINUTE), BNBBTC))).flat();
      expect(bars.map((b) => b.openTimeUs / 1000)).toEqual(minutes(T0, 10));
      expect(server.requests).toHaveLength(3);
    });

    it('waits out a 429 for its Retry-After, then continues', async () => {
      const data = klinesFrom(minutes(T0, 3));
      // The sample's used weight (1202) would also hold until the next minute: left out here.
      const limited = { ...sample('rate-limited'), headers: { 'Retry-After': sample('rate-limited').headers['Retry-After'] ?? '' } };
      const { server, rest, notices } = await setup((url, index) => (index === 0 ? limited : data(url)));
      const bars = (await collect(rest.klines(request(T0, T0 + 3 * MINUTE), BNBBTC))).flat();
      expect(bars).toHaveLength(3);
      expect(server.requests).toHaveLength(2);
      const [first, second] = server.requests;
      expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(950); // Retry-After: 1 (s)
      expect(notices.join('\n')).toMatch(/rateLimited: binance klines BNBBTC 1m: rate limited \(HTTP 429\); waiting 1000 ms/);
    });

    it('fails with the venue, status and Binance message on a 418 ban longer than it waits', async () => {
      const { server, rest } = await setup(() => sample('banned'));
      const error = await collect(rest.klines(request(T0, T0 + MINUTE), BNBBTC)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VenueRestError);
      expect((error as VenueRestError).status).toBe(418);
      expect((error as Error).message).toMatch(/^binance klines BNBBTC 1m: the venue has banned this IP \(HTTP 418\) for 3493 s/);
      expect((error as Error).message).toContain('binance says: Way too much request weight used; IP banned until 1659146400000');
      expect(server.requests).toHaveLength(1);
    });

    it('fails at once on a 400 with Binance msg and code', async () => {
      const { server, rest } = await setup(() => sample('error'));
      await expect(collect(rest.klines(request(T0, T0 + MINUTE), BNBBTC))).rejects.toThrow(
        'binance klines BNBBTC 1m refused: HTTP 400, binance says: Invalid symbol. (code -1121)',
      );
      expect(server.requests).toHaveLength(1);
    });

    it('retries a 5xx with backoff, and gives up after maxRetries', async () => {
      const data = klinesFrom(minutes(T0, 2));
      const flaky = await setup((url, index) => (index < 2 ? { status: 503, raw: 'Service Unavailable' } : data(url)));
      expect((await collect(flaky.rest.klines(request(T0, T0 + 2 * MINUTE), BNBBTC))).flat()).toHaveLength(2);
      expect(flaky.server.requests).toHaveLength(3);

      const down = await setup(
        () => ({ status: 500, raw: '{"code":-1000,"msg":"An unknown error occured while processing the request."}' }),
        {
          maxRetries: 2,
        },
      );
      await expect(collect(down.rest.klines(request(T0, T0 + MINUTE), BNBBTC))).rejects.toThrow(
        /^binance klines BNBBTC 1m failed after 3 attempts: HTTP 500, binance says: An unknown error occured/,
      );
      expect(down.server.requests).toHaveLength(3);
    });

    it('retries a refused connection and names the fault when it gives up', async () => {
      const rest = new BinanceRest({ restUrl: 'http://127.0.0.1:1', maxRetries: 1, minRetryDelayMs: 5, maxRetryDelayMs: 10 });
      await expect(collect(rest.klines(request(T0, T0 + MINUTE), BNBBTC))).rejects.toThrow(
        /^binance klines BNBBTC 1m failed after 2 attempts: request failed/,
      );
    });

    it('holds requests until the next minute window once the used weight nears the budget', async () => {
      // The clock says 59.7 s into a minute: the window resets in 0.3 s, plus the 1 s margin.
      const now = () => T0 + 30 * MINUTE + 59_700;
      const near = await setup(klinesFrom(minutes(T0, 6), { 'X-MBX-USED-WEIGHT-1M': '1100' }), { pageLimit: 3, now });
      await collect(near.rest.klines(request(T0, T0 + 6 * MINUTE), BNBBTC));
      const gap = (near.server.requests[1]?.atMs ?? 0) - (near.server.requests[0]?.atMs ?? 0);
      expect(gap).toBeGreaterThanOrEqual(1250);
      expect(near.rest.stats.restWeightWaits).toBeGreaterThanOrEqual(1);
      expect(near.notices.join('\n')).toMatch(/binance: 1100 of the 1200 request weight per minute used; waiting 1300 ms/);

      const far = await setup(klinesFrom(minutes(T0, 15), { 'X-MBX-USED-WEIGHT-1M': '10' }), { pageLimit: 3, now });
      await collect(far.rest.klines(request(T0, T0 + 15 * MINUTE), BNBBTC));
      const times = far.server.requests.map((r) => r.atMs);
      expect(times).toHaveLength(5);
      // Spaced 60 s x weight 2 / 1200 = 100 ms apart (measured on arrival, so with some slack), no minute hold.
      expect((times[4] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(300);
      expect((times[4] ?? 0) - (times[0] ?? 0)).toBeLessThan(1200);
      expect(far.rest.stats).toMatchObject({ restWeightWaits: 0, restUsedWeight: 10, restRequests: 5 });
    });

    it('stops when aborted while waiting out a rate limit, and between pages', async () => {
      const slow = await setup(() => ({ ...sample('rate-limited'), headers: { 'Retry-After': '30' } }));
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 100);
      await expect(collect(slow.rest.klines(request(T0, T0 + MINUTE, { signal: controller.signal }), BNBBTC))).rejects.toThrow(/aborted/i);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(slow.server.requests).toHaveLength(1);

      const paged = await setup(klinesFrom(minutes(T0, 9)), { pageLimit: 3 });
      const second = new AbortController();
      const iterator = paged.rest.klines(request(T0, T0 + 9 * MINUTE, { signal: second.signal }), BNBBTC);
      expect((await iterator.next()).value).toHaveLength(3);
      second.abort();
      await expect(iterator.next()).rejects.toThrow(/aborted/i);
      expect(paged.server.requests).toHaveLength(1);
    });

    it('refuses an interval Binance has no klines for and a symbol the adapter lacks', async () => {
      const { rest } = await setup(() => sample('empty'));
      await expect(collect(rest.klines({ ...request(T0, T0 + MINUTE), interval: 5 }, BNBBTC))).rejects.toThrow(
        'no klines for a 5 s interval',
      );
      await expect(collect(rest.klines(request(T0, T0 + MINUTE), undefined))).rejects.toThrow(
        "BNBBTC is not one of this adapter's symbols",
      );
    });
  });
});

describe('BinanceAdapter#history', () => {
  it('fetches from restUrl for a configured symbol, at its price decimals', async () => {
    const server = await httpVenue(klinesFrom(minutes(T0, 2)));
    cleanups.push(server.close);
    const adapter = new BinanceAdapter({ symbols: [{ symbol: 'bnbbtc', priceDecimals: 4 }], restUrl: server.url });
    const bars = (await collect(adapter.history(request(T0, T0 + 2 * MINUTE)))).flat();
    expect(bars).toHaveLength(2);
    expect(bars[0]).toMatchObject({ openTimeUs: T0 * 1000, open: '1.00000000', vwap: '1.0500', tradeCount: 7 });
    expect(adapter.stats()).toMatchObject({ restRequests: 1 });
    expect(() => new BinanceAdapter({ symbols: 'bnbbtc', restUrl: 'ws://x' })).toThrow(/restUrl must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('venue-rest helpers', () => {
  it.each([
    ['2434.19055334', '148976.11427815', 8, '0.01633947'],
    ['1', '3', 2, '0.33'],
    ['2', '3', 2, '0.67'],
    ['10.5', '10', 0, '1'],
    ['-1', '3', 2, '-0.33'],
    ['0.00000000', '5', 2, '0.00'],
    ['1', '0', 2, undefined],
    ['1e3', '1', 2, undefined],
  ])('decimalQuotient(%s, %s, %d) = %s', (a, b, places, expected) => {
    expect(decimalQuotient(a, b, places)).toBe(expected);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs('3')).toBe(3000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfterMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs(null)).toBeUndefined();
  });
});
