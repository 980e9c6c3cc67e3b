/**
 * Coinbase Exchange history: finished candles from the REST API, for the `coinbase` adapter's
 * `history`. Docs: https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-candles
 * and https://docs.cdp.coinbase.com/exchange/rest-api/rate-limits.
 *
 * `GET /products/<id>/candles?granularity=60&start=<ISO 8601>&end=<ISO 8601>` answers at most 300
 * candles (a range holding more is rejected), NEWEST first, each `[time (s), low, high, open,
 * close, volume]` as JSON numbers, and may include candles before `start`. Granularity is one of
 * 60, 300, 900, 3600, 21600, 86400 s. No candle is published for a minute without trades, so an
 * empty window is a quiet stretch, not the end of the data: the walk goes through windows of 300
 * candles from the range's start to its end (or to the forming candle) and yields each window's
 * candles oldest first. Numbers keep the text Coinbase sent ("4.2" stays "4.2", an exponent is
 * written out), so no binary rounding comes in; the venue gives neither a trade count (0) nor a
 * vwap (left out: the service derives one).
 *
 * Rate limit: 10 requests per second per IP for public endpoints (bursts of 15); this client
 * spaces its requests to `requestsPerSecond` (8, leaving room for anything else on the IP) across
 * all walks of the adapter, and waits out a 429 as its `Retry-After` asks, else with the backoff
 * (venue-rest.ts). Errors come as `{"message": "..."}`.
 */
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument } from './types';
import { getVenueJson, REST_RETRY_DEFAULTS, RestGate, VenueRestError, type RestRetryOptions } from './venue-rest';

/** Most candles Coinbase answers per request. */
export const COINBASE_CANDLES_PER_REQUEST = 300;
/** Granularities Coinbase has candles for, s. */
const COINBASE_GRANULARITIES: ReadonlySet<number> = new Set([60, 300, 900, 3600, 21600, 86400]);

/** Options of {@link CoinbaseRest}. */
export interface CoinbaseRestOptions extends RestRetryOptions {
  /** REST endpoint (tests point it at a local server). @defaultValue "https://api.exchange.coinbase.com" */
  readonly restUrl: string;
  /** Candles asked per request (one window), 1..300. @defaultValue 300 */
  readonly windowCandles: number;
  /** Requests per second across all walks (the public limit is 10). @defaultValue 8 */
  readonly requestsPerSecond: number;
  /** Wall clock in ms: which candles are finished. @defaultValue Date.now */
  readonly now: () => number;
  /** Random source in [0, 1) for the retry jitter. @defaultValue Math.random */
  readonly random: () => number;
  /** Told about each rate-limit wait and retry (the adapter counts and logs them). */
  readonly onNotice?: (kind: string, message: string) => void;
}

/** Defaults of {@link CoinbaseRestOptions}. */
export const COINBASE_REST_DEFAULTS: Readonly<CoinbaseRestOptions> = Object.freeze({
  ...REST_RETRY_DEFAULTS,
  restUrl: 'https://api.exchange.coinbase.com',
  windowCandles: COINBASE_CANDLES_PER_REQUEST,
  requestsPerSecond: 8,
  now: Date.now,
  random: Math.random,
});

/** Candles of Coinbase Exchange, windowed and paced; one per adapter, shared by its walks. */
export class CoinbaseRest {
  readonly options: Readonly<CoinbaseRestOptions>;
  /** Counters for the adapter's stats. */
  readonly stats = { restRequests: 0 };
  private readonly gate: RestGate;

  constructor(options: Partial<CoinbaseRestOptions> = {}) {
    this.options = { ...COINBASE_REST_DEFAULTS, ...options };
    const { windowCandles, requestsPerSecond } = this.options;
    if (!Number.isInteger(windowCandles) || windowCandles < 1 || windowCandles > COINBASE_CANDLES_PER_REQUEST) {
      throw new TypeError(`coinbase windowCandles must be an integer 1..${COINBASE_CANDLES_PER_REQUEST}, got ${String(windowCandles)}`);
    }
    if (!(requestsPerSecond > 0)) throw new TypeError(`coinbase requestsPerSecond must be positive, got ${String(requestsPerSecond)}`);
    this.gate = new RestGate(1000 / requestsPerSecond);
  }

  /**
   * Finished candles of `instrument` with open times in [startUs, endUs), oldest first, one array
   * per non-empty window. Throws a {@link VenueRestError} when Coinbase refuses (with its
   * `message`), and the signal's reason when aborted.
   */
  async *candles(request: AdapterHistoryRequest, instrument: AdapterInstrument | undefined): AsyncGenerator<readonly AdapterBar[]> {
    const { signal, interval } = request;
    if (!instrument) throw new Error(`coinbase history: product ${request.symbol} is not one of this adapter's products`);
    if (!COINBASE_GRANULARITIES.has(interval)) throw new Error(`coinbase history: no candles for a ${interval} s interval`);
    const stepMs = interval * 1000;
    const endMs = Math.min(Math.ceil(request.endUs / 1000), this.options.now());
    const base = this.options.restUrl.replace(/\/+$/, '');
    const path = `${base}/products/${encodeURIComponent(instrument.symbol)}/candles`;
    for (let windowMs = Math.ceil(request.startUs / 1000 / stepMs) * stepMs; windowMs < endMs;) {
      signal.throwIfAborted();
      const windowEndMs = Math.min(windowMs + this.options.windowCandles * stepMs, endMs);
      // `end` is the last candle's open time: the window holds at most windowCandles candles.
      const lastOpenMs = Math.ceil(windowEndMs / stepMs) * stepMs - stepMs;
      const query = new URLSearchParams({
        granularity: String(interval),
        start: new Date(windowMs).toISOString(),
        end: new Date(lastOpenMs).toISOString(),
      });
      this.stats.restRequests += 1;
      const text = await getVenueJson({
        venue: 'coinbase',
        what: `candles ${instrument.symbol} ${interval} s`,
        url: `${path}?${query}`,
        signal,
        gate: this.gate,
        retry: this.options,
        errorText: (body) =>
          typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
            ? (body as { message: string }).message
            : undefined,
        onNotice: this.options.onNotice,
        random: this.options.random,
      });
      const nowMs = this.options.now();
      const byOpen = new Map<number, AdapterBar>();
      for (const [time, low, high, open, close, volume] of parseCandles(text)) {
        const openMs = Number(time) * 1000;
        if (openMs < windowMs || openMs >= windowEndMs || openMs + stepMs > nowMs) continue; // outside, or still forming
        byOpen.set(openMs, { openTimeUs: openMs * 1000, open, high, low, close, volume, tradeCount: 0 });
      }
      const bars = [...byOpen.values()].sort((a, b) => a.openTimeUs - b.openTimeUs);
      if (bars.length > 0) yield bars;
      windowMs = windowEndMs;
    }
  }
}

/** time (s), low, high, open, close, volume: the literals as Coinbase wrote them. */
type Candle = readonly [string, string, string, string, string, string];

/** A number literal as JSON writes it. */
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The candles of an answer, each as six decimal strings taken from the JSON text itself (after
 * checking with JSON.parse that it is an array of six-number arrays, so the literals line up).
 */
function parseCandles(text: string): Candle[] {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new VenueRestError('coinbase', 200, text.slice(0, 200), `coinbase candles: the answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(body)) throw new VenueRestError('coinbase', 200, text.slice(0, 200), 'coinbase candles: the answer is not an array');
  for (const row of body as unknown[]) {
    if (
      !Array.isArray(row) ||
      row.length !== 6 ||
      !row.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
      !Number.isSafeInteger(row[0])
    ) {
      throw new VenueRestError(
        'coinbase',
        200,
        JSON.stringify(row),
        `coinbase candles: a candle that is not six numbers: ${JSON.stringify(row)}`,
      );
    }
  }
  const literals = (text.match(JSON_NUMBER) ?? []).map(plainDecimal);
  if (literals.length !== body.length * 6)
    throw new VenueRestError('coinbase', 200, text.slice(0, 200), 'coinbase candles: unexpected text between the numbers');
  return body.map((_, i) => literals.slice(i * 6, i * 6 + 6) as unknown as Candle);
}

/** A JSON number literal as a plain decimal: "1.5e-7" -> "0.00000015", "12.3" unchanged. */
function plainDecimal(literal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(literal);
  if (!match) return literal;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point >= digits.length) digits += '0'.repeat(point - digits.length);
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(point);
  return `${sign}${int}${frac === '' ? '' : `.${frac}`}`;
}
