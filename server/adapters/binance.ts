/**
 * The `binance` feed adapter: Binance spot public market streams.
 * Docs: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 *
 * One combined-stream connection (`/stream?streams=<symbol>@trade/<symbol>@bookTicker/...`, each
 * event wrapped as {"stream","data"}) per adapter. Trades become trades (aggressor = sell when the
 * buyer is the maker, "m": true), book tickers become quotes (they carry no event time, so the
 * receive time is used). Prices and sizes stay the venue's decimal strings. The server pings
 * every 20 s and `ws` answers with the same payload; a connection lives at most 24 h, so this
 * adapter replaces it make-before-break after `maxConnectionAgeMs` (and at once on a
 * `serverShutdown` event). Trade ids are consecutive per symbol: a repeat is dropped, a jump is
 * counted as missed trades; a book ticker whose update id is not newer is dropped as out of order.
 *
 * Live: the streams are named in the URL, so no subscribe message is sent and none is confirmed;
 * the venue has accepted the subscription once the socket is open, and the adapter reports `live`
 * then, not at the first event (a quiet pair may trade nothing for minutes; its pings keep it from
 * going stale). An error response (`{"error":{"code","msg"},"id"}`, the answer Binance gives a
 * request it refuses) reports the venue `down` with Binance's message and reconnects.
 */
import { parseVenueSymbols, DEFAULT_VENUE_DECIMALS } from './venue-symbols';
import type { Logger } from '../log';
import { VenueProblems } from './venue-problems';
import { WsFeed } from './ws-feed';
import { BinanceRest } from './binance-rest';
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument, AdapterSink, FeedAdapter } from './types';

/** Options of {@link BinanceAdapter}. */
export interface BinanceOptions {
  /** Markets, e.g. "btcusdt,ethusdt" (see venue-symbols.ts for per-symbol precision). Required. */
  readonly symbols: unknown;
  /** Stream endpoint (tests point it at a local server). @defaultValue "wss://stream.binance.com:9443" */
  readonly baseUrl: string;
  /** REST endpoint for history (klines; tests point it at a local server). @defaultValue "https://api.binance.com" */
  readonly restUrl: string;
  /** Venue name of the instruments. @defaultValue "BINANCE" */
  readonly venue: string;
  /** Decimal places of prices for symbols that do not set their own. @defaultValue 8 */
  readonly priceDecimals: number;
  /** Decimal places of sizes for symbols that do not set their own. @defaultValue 8 */
  readonly sizeDecimals: number;
  /** Replace the connection after this long (Binance disconnects at 24 h), ms. @defaultValue 23.5 h */
  readonly maxConnectionAgeMs: number;
  /** No message and no ping for this long means the connection is dead, ms. @defaultValue 60000 */
  readonly idleTimeoutMs: number;
  /** Reconnect backoff bounds, ms. @defaultValue 500 and 30000 */
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  /** Where problems are logged (once per kind). @defaultValue a logger on stderr */
  readonly logger?: Logger;
}

/** Defaults of {@link BinanceOptions} (all but `symbols`). */
export const BINANCE_DEFAULTS: Readonly<Omit<BinanceOptions, 'symbols'>> = Object.freeze({
  baseUrl: 'wss://stream.binance.com:9443',
  restUrl: 'https://api.binance.com',
  venue: 'BINANCE',
  priceDecimals: DEFAULT_VENUE_DECIMALS,
  sizeDecimals: DEFAULT_VENUE_DECIMALS,
  maxConnectionAgeMs: 23.5 * 60 * 60 * 1000,
  idleTimeoutMs: 60_000,
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 30_000,
});

const US_PER_MS = 1000;

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`binance adapter option ${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
}

function resolveOptions(options: Partial<BinanceOptions>): BinanceOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const known = ['symbols', 'logger', ...Object.keys(BINANCE_DEFAULTS)];
  for (const key of Object.keys(options)) if (!known.includes(key)) fail(key, `one of ${known.join(', ')} (unknown option)`, key);
  const o = { ...BINANCE_DEFAULTS, symbols: undefined, ...options };
  if (o.symbols === undefined) fail('symbols', 'given, e.g. --adapter-opt symbols=btcusdt,ethusdt', o.symbols);
  if (typeof o.baseUrl !== 'string' || !/^wss?:\/\//.test(o.baseUrl)) fail('baseUrl', 'a ws:// or wss:// URL', o.baseUrl);
  if (typeof o.restUrl !== 'string' || !/^https?:\/\//.test(o.restUrl)) fail('restUrl', 'an http:// or https:// URL', o.restUrl);
  if (typeof o.venue !== 'string' || o.venue.length === 0) fail('venue', 'a non-empty string', o.venue);
  for (const name of ['maxConnectionAgeMs', 'idleTimeoutMs', 'minReconnectDelayMs', 'maxReconnectDelayMs'] as const) {
    if (typeof o[name] !== 'number' || !(o[name] > 0)) fail(name, 'a positive number of ms', o[name]);
  }
  return o;
}

/** A {@link FeedAdapter} for Binance spot trades and best bid/ask. */
export class BinanceAdapter implements FeedAdapter {
  readonly name = 'binance';
  readonly venue: string;
  readonly options: Readonly<BinanceOptions>;
  private readonly specs: readonly AdapterInstrument[];
  private readonly problems: VenueProblems;
  private readonly rest: BinanceRest;
  /** Configured symbols, upper case as Binance sends them; the maps below only hold these. */
  private readonly subscribed: ReadonlySet<string>;
  private readonly lastTradeId = new Map<string, number>();
  private readonly lastUpdateId = new Map<string, number>();
  private feed: WsFeed | undefined;
  private sink: AdapterSink | undefined;
  private live = false;
  private counts = { messages: 0, trades: 0, quotes: 0 };

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(options: Partial<BinanceOptions>) {
    this.options = resolveOptions(options);
    this.venue = this.options.venue;
    this.problems = new VenueProblems('binance', this.options.logger);
    this.specs = parseVenueSymbols('binance', this.options.symbols, this.options);
    this.subscribed = new Set(this.specs.map((s) => s.symbol.toUpperCase()));
    this.rest = new BinanceRest({ restUrl: this.options.restUrl, onNotice: (kind, message) => this.problems.note(kind, message) });
  }

  /** The combined-stream URL for the configured symbols. */
  streamUrl(): string {
    const streams = this.specs.flatMap((s) => [`${s.symbol.toLowerCase()}@trade`, `${s.symbol.toLowerCase()}@bookTicker`]);
    return `${this.options.baseUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.counts, ...this.problems.snapshot(), ...(this.feed?.stats ?? {}), ...this.rest.stats };
  }

  /** Finished bars from `GET /api/v3/klines`, paged and within the request weight budget (binance-rest.ts). */
  history(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]> {
    return this.rest.klines(
      request,
      this.specs.find((s) => s.symbol === request.symbol.toUpperCase()),
    );
  }

  /** Declares the instruments and starts connecting (resolves at once; the feed reconnects by itself). */
  async start(sink: AdapterSink): Promise<void> {
    if (this.feed !== undefined) throw new Error('binance adapter already started');
    this.sink = sink;
    sink.instruments(this.specs);
    this.feed = new WsFeed({
      url: this.streamUrl(),
      // The URL subscribes: an open socket is the venue's acceptance (see the file comment).
      onOpen: () => this.markLive(sink),
      onMessage: (text) => this.onMessage(sink, text),
      onState: (state, reason) => {
        this.live = false;
        sink.status(state, reason);
      },
      onAlive: () => sink.heartbeat(),
      idleTimeoutMs: this.options.idleTimeoutMs,
      maxConnectionAgeMs: this.options.maxConnectionAgeMs,
      minReconnectDelayMs: this.options.minReconnectDelayMs,
      maxReconnectDelayMs: this.options.maxReconnectDelayMs,
    });
    this.feed.start();
  }

  async stop(): Promise<void> {
    const feed = this.feed;
    this.feed = undefined;
    await feed?.stop();
    this.sink?.status('down', 'stopped');
    this.sink = undefined;
  }

  /** Maps one venue message (exported through the class for tests that feed messages directly). */
  onMessage(sink: AdapterSink, text: string): void {
    this.counts.messages += 1;
    const message = this.problems.parseObject(text);
    if (!message) return;
    const payload = isObject(message.data) && typeof message.stream === 'string' ? message.data : message;
    if (payload.e === 'trade') return this.onTrade(sink, payload as Partial<RawTrade>);
    if (payload.e === 'serverShutdown' || (isObject(message.event) && message.event.e === 'serverShutdown')) {
      this.problems.note('serverShutdowns', 'binance announced a server shutdown; switching connection', undefined, true);
      this.feed?.rotate();
      return;
    }
    if (payload.e === undefined && 'u' in payload && 'b' in payload && 'a' in payload)
      return this.onBookTicker(sink, payload as Partial<RawBookTicker>);
    if (isObject(message.error) && 'id' in message) return this.onErrorResponse(message.error, message);
    if ('result' in message && 'id' in message) return; // answer to a live (un)subscribe request
    this.problems.note('ignored', 'binance sent a message type this adapter does not use; ignoring it', message);
  }

  /**
   * A request refused (`{"error":{"code":2,"msg":"Invalid request: ..."},"id":1}`): the venue is
   * down with Binance's own words, and the feed reconnects after the backoff.
   */
  private onErrorResponse(error: Record<string, unknown>, message: Record<string, unknown>): void {
    const code = typeof error.code === 'number' || typeof error.code === 'string' ? ` (code ${error.code})` : '';
    const text = typeof error.msg === 'string' && error.msg !== '' ? error.msg : 'no message';
    this.problems.note('errors', 'binance refused a request; reconnecting', message);
    this.feed?.reconnect(`binance error: ${text}${code}`);
  }

  private markLive(sink: AdapterSink): void {
    if (this.live) return;
    this.live = true;
    sink.status('live');
  }

  private onTrade(sink: AdapterSink, t: Partial<RawTrade>): void {
    if (
      typeof t.s !== 'string' ||
      typeof t.p !== 'string' ||
      typeof t.q !== 'string' ||
      !Number.isSafeInteger(t.t) ||
      typeof t.T !== 'number' ||
      typeof t.m !== 'boolean'
    ) {
      return this.problems.note('malformed', 'binance trade with missing or mistyped fields', t);
    }
    const symbol = t.s.toUpperCase();
    if (!this.subscribed.has(symbol)) return this.problems.note('unknownSymbol', 'binance trade for a symbol not subscribed; dropped', t);
    const id = t.t as number;
    const last = this.lastTradeId.get(symbol);
    if (last !== undefined && id <= last) return this.problems.note('duplicates', 'binance trade id already seen; dropped', t, true);
    if (last !== undefined && id > last + 1) {
      this.problems.note('tradeGaps', 'binance trade ids jumped: trades were missed', { symbol, after: last, got: id });
      this.problems.add('missedTrades', id - last - 1);
    }
    this.lastTradeId.set(symbol, id);
    this.markLive(sink);
    this.counts.trades += 1;
    // "m": is the buyer the market maker? Then the seller took liquidity: the aggressor sold.
    sink.trade({ symbol, price: t.p, size: t.q, side: t.m ? 'sell' : 'buy', tradeId: id, eventTimeUs: t.T * US_PER_MS });
  }

  private onBookTicker(sink: AdapterSink, b: Partial<RawBookTicker>): void {
    if (
      typeof b.s !== 'string' ||
      !Number.isSafeInteger(b.u) ||
      typeof b.b !== 'string' ||
      typeof b.B !== 'string' ||
      typeof b.a !== 'string' ||
      typeof b.A !== 'string'
    ) {
      return this.problems.note('malformed', 'binance book ticker with missing or mistyped fields', b);
    }
    const symbol = b.s.toUpperCase();
    if (!this.subscribed.has(symbol))
      return this.problems.note('unknownSymbol', 'binance book ticker for a symbol not subscribed; dropped', b);
    const id = b.u as number;
    const last = this.lastUpdateId.get(symbol);
    if (last !== undefined && id <= last)
      return this.problems.note('outOfOrder', 'binance book ticker older than the last one; dropped', b, true);
    this.lastUpdateId.set(symbol, id);
    this.markLive(sink);
    this.counts.quotes += 1;
    sink.quote({ symbol, bid: b.b, bidSize: b.B, ask: b.a, askSize: b.A });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- Binance wire types (private) ---------------------------------------------------------------

/** `<symbol>@trade` event. */
interface RawTrade {
  /** Event type, "trade". */
  e: 'trade';
  /** Event time, ms. */
  E: number;
  /** Symbol, e.g. "BNBBTC". */
  s: string;
  /** Trade id, consecutive per symbol. */
  t: number;
  /** Price, decimal string. */
  p: string;
  /** Quantity, decimal string. */
  q: string;
  /** Trade time, ms. */
  T: number;
  /** Is the buyer the market maker? */
  m: boolean;
}

/** `<symbol>@bookTicker` event (no event type, no event time). */
interface RawBookTicker {
  /** Order book update id. */
  u: number;
  s: string;
  /** Best bid price and quantity. */
  b: string;
  B: string;
  /** Best ask price and quantity. */
  a: string;
  A: string;
}
