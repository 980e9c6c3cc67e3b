/**
 * Binance spot history: finished klines from the REST API, for the `binance` adapter's `history`.
 * Docs: https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints
 * (Kline/Candlestick data) and .../rest-api/limits (IP limits).
 *
 * `GET /api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=<ms>&endTime=<ms>&limit=1000` answers
 * at most `limit` (max 1000) klines with open times in [startTime, endTime], oldest first, each
 * `[openTime, open, high, low, close, volume, closeTime, quoteAssetVolume, numberOfTrades,
 * takerBuyBaseVolume, takerBuyQuoteVolume, ignore]` with prices and volumes as decimal strings.
 * The walk moves `startTime` to the bar after the last one received, until a page comes back
 * short or empty, or the range's end or the forming bar is reached.
 *
 * Rate limits: each request costs weight 2 of the IP's REQUEST_WEIGHT per minute; every answer
 * carries the IP's weight used this minute in `X-MBX-USED-WEIGHT-1M`. This client allows itself
 * `weightBudget` (1200 per minute: the limit Binance long documented; the spot limit is higher
 * today, but other programs on the same IP share it) by spacing requests 60 s × 2 / budget apart
 * (100 ms), and once the header reports 90 % of the budget used (by anyone on the IP) it holds
 * every request until the next minute window (the counter resets each minute) plus a second.
 * 429 and 418 are waited out as their `Retry-After` asks (venue-rest.ts).
 */
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument } from './types';
import { decimalQuotient, getVenueJson, REST_RETRY_DEFAULTS, RestGate, VenueRestError, type RestRetryOptions } from './venue-rest';

/** Most klines Binance answers per request. */
export const BINANCE_KLINES_MAX_LIMIT = 1000;
/** Request weight of one klines request (any limit). */
const KLINES_WEIGHT = 2;
/** Share of the weight budget at which requests wait for the next minute window. */
const WEIGHT_HIGH_WATER = 0.9;
/** Waited past the minute boundary for clock differences with Binance, ms. */
const WEIGHT_RESET_MARGIN_MS = 1000;
const MINUTE_MS = 60_000;

/** Bar intervals in seconds that Binance has klines for, with its names. */
const BINANCE_INTERVALS: ReadonlyMap<number, string> = new Map([
  [1, '1s'],
  [60, '1m'],
  [180, '3m'],
  [300, '5m'],
  [900, '15m'],
  [1800, '30m'],
  [3600, '1h'],
  [7200, '2h'],
  [14400, '4h'],
  [21600, '6h'],
  [28800, '8h'],
  [43200, '12h'],
  [86400, '1d'],
  [259200, '3d'],
  [604800, '1w'],
]);

/** Options of {@link BinanceRest}. */
export interface BinanceRestOptions extends RestRetryOptions {
  /** REST endpoint (tests point it at a local server). @defaultValue "https://api.binance.com" */
  readonly restUrl: string;
  /** Klines asked per request, 1..1000. @defaultValue 1000 */
  readonly pageLimit: number;
  /** Request weight per minute this client allows itself. @defaultValue 1200 */
  readonly weightBudget: number;
  /** Wall clock in ms: which bars are finished, where the weight window ends. @defaultValue Date.now */
  readonly now: () => number;
  /** Random source in [0, 1) for the retry jitter. @defaultValue Math.random */
  readonly random: () => number;
  /** Told about each rate-limit wait and retry (the adapter counts and logs them). */
  readonly onNotice?: (kind: string, message: string) => void;
}

/** Defaults of {@link BinanceRestOptions}. */
export const BINANCE_REST_DEFAULTS: Readonly<BinanceRestOptions> = Object.freeze({
  ...REST_RETRY_DEFAULTS,
  restUrl: 'https://api.binance.com',
  pageLimit: BINANCE_KLINES_MAX_LIMIT,
  weightBudget: 1200,
  now: Date.now,
  random: Math.random,
});

/** Klines of Binance spot, paged and within the weight budget; one per adapter, shared by its walks. */
export class BinanceRest {
  readonly options: Readonly<BinanceRestOptions>;
  /** Counters for the adapter's stats. */
  readonly stats = { restRequests: 0, restWeightWaits: 0, restUsedWeight: 0 };
  private readonly gate: RestGate;

  constructor(options: Partial<BinanceRestOptions> = {}) {
    this.options = { ...BINANCE_REST_DEFAULTS, ...options };
    const { pageLimit, weightBudget } = this.options;
    if (!Number.isInteger(pageLimit) || pageLimit < 1 || pageLimit > BINANCE_KLINES_MAX_LIMIT) {
      throw new TypeError(`binance pageLimit must be an integer 1..${BINANCE_KLINES_MAX_LIMIT}, got ${String(pageLimit)}`);
    }
    if (!(weightBudget >= KLINES_WEIGHT))
      throw new TypeError(`binance weightBudget must be at least ${KLINES_WEIGHT}, got ${String(weightBudget)}`);
    this.gate = new RestGate((MINUTE_MS * KLINES_WEIGHT) / weightBudget);
  }

  /**
   * Finished bars of `instrument` with open times in [startUs, endUs), oldest first, one array per
   * page. Throws a {@link VenueRestError} when Binance refuses (with its `msg`), and the signal's
   * reason when aborted.
   */
  async *klines(request: AdapterHistoryRequest, instrument: AdapterInstrument | undefined): AsyncGenerator<readonly AdapterBar[]> {
    const { signal } = request;
    if (!instrument) throw new Error(`binance history: symbol ${request.symbol} is not one of this adapter's symbols`);
    const label = BINANCE_INTERVALS.get(request.interval);
    if (label === undefined) throw new Error(`binance history: no klines for a ${request.interval} s interval`);
    const intervalMs = request.interval * 1000;
    const endMs = Math.ceil(request.endUs / 1000);
    // Not rounded to the interval: Binance aligns 1w klines to Mondays, not to the epoch.
    let cursorMs = Math.ceil(request.startUs / 1000);
    const base = this.options.restUrl.replace(/\/+$/, '');
    while (cursorMs < endMs) {
      signal.throwIfAborted();
      const query = new URLSearchParams({
        symbol: instrument.symbol,
        interval: label,
        startTime: String(cursorMs),
        endTime: String(endMs - 1),
        limit: String(this.options.pageLimit),
      });
      this.stats.restRequests += 1;
      const text = await getVenueJson({
        venue: 'binance',
        what: `klines ${instrument.symbol} ${label}`,
        url: `${base}/api/v3/klines?${query}`,
        signal,
        gate: this.gate,
        retry: this.options,
        errorText: binanceErrorText,
        onHeaders: (headers) => this.onWeight(headers),
        onNotice: this.options.onNotice,
        random: this.options.random,
      });
      const rows = parseKlines(text);
      const nowMs = this.options.now();
      const bars: AdapterBar[] = [];
      let reachedForming = false;
      for (const row of rows) {
        const [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades] = row;
        if (openTime < cursorMs) continue; // repeated at a page boundary
        if (openTime >= endMs) break;
        if (closeTime >= nowMs) {
          reachedForming = true; // the forming bar: not history yet
          break;
        }
        const vwap = decimalQuotient(quoteVolume, volume, instrument.priceDecimals);
        bars.push({
          openTimeUs: openTime * 1000,
          open,
          high,
          low,
          close,
          volume,
          tradeCount: trades,
          ...(vwap === undefined ? {} : { vwap }),
        });
        cursorMs = openTime + intervalMs;
      }
      if (bars.length > 0) yield bars;
      if (reachedForming || rows.length < this.options.pageLimit) return;
      if (bars.length === 0) throw new Error(`binance klines ${instrument.symbol}: a full page with no bar after ${cursorMs} ms; stopping`);
    }
  }

  /** Reads the IP's used weight; near the budget, holds requests until the next minute window. */
  private onWeight(headers: Headers): void {
    const used = Number(headers.get('x-mbx-used-weight-1m'));
    if (!Number.isFinite(used) || headers.get('x-mbx-used-weight-1m') === null) return;
    this.stats.restUsedWeight = used;
    if (used + KLINES_WEIGHT <= this.options.weightBudget * WEIGHT_HIGH_WATER) return;
    const waitMs = MINUTE_MS - (this.options.now() % MINUTE_MS) + WEIGHT_RESET_MARGIN_MS;
    this.stats.restWeightWaits += 1;
    this.gate.holdFor(waitMs);
    this.options.onNotice?.(
      'restWeightWaits',
      `binance: ${used} of the ${this.options.weightBudget} request weight per minute used; waiting ${waitMs} ms for the next minute`,
    );
  }
}

/** Binance's error body `{"code":-1121,"msg":"Invalid symbol."}` as words. */
function binanceErrorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, msg } = body as { code?: unknown; msg?: unknown };
  if (typeof msg !== 'string') return undefined;
  return typeof code === 'number' ? `${msg} (code ${code})` : msg;
}

/** The fields of a kline this client reads, checked. */
type Kline = readonly [number, string, string, string, string, string, number, string, number];

function parseKlines(text: string): Kline[] {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new VenueRestError('binance', 200, text.slice(0, 200), `binance klines: the answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(body)) throw new VenueRestError('binance', 200, text.slice(0, 200), 'binance klines: the answer is not an array');
  return body.map((row: unknown) => {
    const r = row as unknown[];
    const ok =
      Array.isArray(r) &&
      Number.isSafeInteger(r[0]) &&
      [1, 2, 3, 4, 5, 7].every((i) => typeof r[i] === 'string') &&
      Number.isSafeInteger(r[6]) &&
      Number.isSafeInteger(r[8]);
    if (!ok)
      throw new VenueRestError(
        'binance',
        200,
        JSON.stringify(row),
        `binance klines: a kline with missing or mistyped fields: ${JSON.stringify(row)}`,
      );
    return r.slice(0, 9) as unknown as Kline;
  });
}
