/**
 * The `coinbase` feed adapter: the Coinbase Exchange websocket feed.
 * Docs: https://docs.cdp.coinbase.com/exchange/websocket-feed/overview and
 * https://docs.cdp.coinbase.com/exchange/websocket-feed/channels
 *
 * On every connect it sends, at once (the venue disconnects clients that have not subscribed
 * within 5 s), {"type":"subscribe","product_ids":[...],"channels":["heartbeat","ticker","matches"]}.
 * `ticker` becomes quotes (best bid/ask and sizes), `match` / `last_match` become trades. In a
 * match `side` is the MAKER's side, so the aggressor is the opposite side. `heartbeat` arrives every
 * second per product and keeps the adapter live on a quiet market. Unknown message types are
 * ignored, as the venue asks; an `error` message reconnects.
 *
 * Sequence numbers: `sequence` counts every order-book event of a product, and this adapter sees
 * only some channels, so consecutive messages normally skip numbers; what it checks is order, per
 * product and message type: a message whose sequence is not newer than the last one of its kind is
 * dropped as out of order (or a duplicate); heartbeats, which hold the product's current sequence,
 * may repeat it while the book is quiet. Lost trades show as gaps in `trade_id`, which is
 * consecutive per product, and in a heartbeat's `last_trade_id` running ahead of the last match
 * seen; both are counted (`missedTrades`) and logged once.
 */
import { parseIsoMicros } from '../../lib/text/iso-time';
import { DEFAULT_VENUE_DECIMALS, parseVenueSymbols } from './venue-symbols';
import type { Logger } from '../log';
import { VenueProblems } from './venue-problems';
import { WsFeed } from './ws-feed';
import { CoinbaseRest } from './coinbase-rest';
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument, AdapterSide, AdapterSink, FeedAdapter } from './types';

/** Options of {@link CoinbaseAdapter}. */
export interface CoinbaseOptions {
  /** Products, e.g. "BTC-USD,ETH-USD" (see venue-symbols.ts for per-product precision). Required. */
  readonly symbols: unknown;
  /** Feed endpoint (tests point it at a local server). @defaultValue "wss://ws-feed.exchange.coinbase.com" */
  readonly baseUrl: string;
  /** REST endpoint for history (candles; tests point it at a local server). @defaultValue "https://api.exchange.coinbase.com" */
  readonly restUrl: string;
  /** Venue name of the instruments. @defaultValue "COINBASE" */
  readonly venue: string;
  /** Decimal places of prices for products that do not set their own. @defaultValue 8 */
  readonly priceDecimals: number;
  /** Decimal places of sizes for products that do not set their own. @defaultValue 8 */
  readonly sizeDecimals: number;
  /** No message for this long means the connection is dead (heartbeats come every second), ms. @defaultValue 10000 */
  readonly idleTimeoutMs: number;
  /** Reconnect backoff bounds, ms. @defaultValue 500 and 30000 */
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  /** Where problems are logged (once per kind). @defaultValue a logger on stderr */
  readonly logger?: Logger;
}

/** Defaults of {@link CoinbaseOptions} (all but `symbols`). */
export const COINBASE_DEFAULTS: Readonly<Omit<CoinbaseOptions, 'symbols'>> = Object.freeze({
  baseUrl: 'wss://ws-feed.exchange.coinbase.com',
  restUrl: 'https://api.exchange.coinbase.com',
  venue: 'COINBASE',
  priceDecimals: DEFAULT_VENUE_DECIMALS,
  sizeDecimals: DEFAULT_VENUE_DECIMALS,
  idleTimeoutMs: 10_000,
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 30_000,
});

/** Channels subscribed. */
export const COINBASE_CHANNELS = ['heartbeat', 'ticker', 'matches'] as const;

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`coinbase adapter option ${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
}

function resolveOptions(options: Partial<CoinbaseOptions>): CoinbaseOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const known = ['symbols', 'logger', ...Object.keys(COINBASE_DEFAULTS)];
  for (const key of Object.keys(options)) if (!known.includes(key)) fail(key, `one of ${known.join(', ')} (unknown option)`, key);
  const o = { ...COINBASE_DEFAULTS, symbols: undefined, ...options };
  if (o.symbols === undefined) fail('symbols', 'given, e.g. --adapter-opt symbols=BTC-USD,ETH-USD', o.symbols);
  if (typeof o.baseUrl !== 'string' || !/^wss?:\/\//.test(o.baseUrl)) fail('baseUrl', 'a ws:// or wss:// URL', o.baseUrl);
  if (typeof o.restUrl !== 'string' || !/^https?:\/\//.test(o.restUrl)) fail('restUrl', 'an http:// or https:// URL', o.restUrl);
  if (typeof o.venue !== 'string' || o.venue.length === 0) fail('venue', 'a non-empty string', o.venue);
  for (const name of ['idleTimeoutMs', 'minReconnectDelayMs', 'maxReconnectDelayMs'] as const) {
    if (typeof o[name] !== 'number' || !(o[name] > 0)) fail(name, 'a positive number of ms', o[name]);
  }
  return o;
}

/** Per product: the last sequence seen per message type, and the last trade id. */
interface ProductState {
  readonly lastSequence: Map<string, number>;
  lastTradeId: number | undefined;
}

/** A {@link FeedAdapter} for Coinbase Exchange tickers and matches. */
export class CoinbaseAdapter implements FeedAdapter {
  readonly name = 'coinbase';
  readonly venue: string;
  readonly options: Readonly<CoinbaseOptions>;
  private readonly specs: readonly AdapterInstrument[];
  private readonly products = new Map<string, ProductState>();
  private readonly problems: VenueProblems;
  private readonly rest: CoinbaseRest;
  private feed: WsFeed | undefined;
  private sink: AdapterSink | undefined;
  private live = false;
  private counts = { messages: 0, trades: 0, quotes: 0, heartbeats: 0 };

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(options: Partial<CoinbaseOptions>) {
    this.options = resolveOptions(options);
    this.venue = this.options.venue;
    this.problems = new VenueProblems('coinbase', this.options.logger);
    this.specs = parseVenueSymbols('coinbase', this.options.symbols, this.options);
    for (const spec of this.specs) this.products.set(spec.symbol, { lastSequence: new Map(), lastTradeId: undefined });
    this.rest = new CoinbaseRest({ restUrl: this.options.restUrl, onNotice: (kind, message) => this.problems.note(kind, message) });
  }

  /** The subscribe message sent on every connect. */
  subscribeMessage(): RawSubscribe {
    return { type: 'subscribe', product_ids: this.specs.map((s) => s.symbol), channels: [...COINBASE_CHANNELS] };
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.counts, ...this.problems.snapshot(), ...(this.feed?.stats ?? {}), ...this.rest.stats };
  }

  /** Finished 1m.. candles from `GET /products/<id>/candles`, windowed and paced (coinbase-rest.ts). */
  history(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]> {
    return this.rest.candles(
      request,
      this.specs.find((s) => s.symbol === request.symbol.toUpperCase()),
    );
  }

  /** Declares the products and starts connecting (resolves at once; the feed reconnects by itself). */
  async start(sink: AdapterSink): Promise<void> {
    if (this.feed !== undefined) throw new Error('coinbase adapter already started');
    this.sink = sink;
    sink.instruments(this.specs);
    const subscribe = JSON.stringify(this.subscribeMessage());
    this.feed = new WsFeed({
      url: this.options.baseUrl,
      onOpen: (send) => send(subscribe),
      onMessage: (text) => this.onMessage(sink, text),
      onState: (state, reason) => {
        this.live = false;
        sink.status(state, reason);
      },
      idleTimeoutMs: this.options.idleTimeoutMs,
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

  /** Maps one venue message. */
  onMessage(sink: AdapterSink, text: string): void {
    this.counts.messages += 1;
    const message = this.problems.parseObject(text);
    if (!message) return;
    const m = message as Partial<RawMessage>;
    switch (m.type) {
      case 'subscriptions':
        this.markLive(sink);
        return;
      case 'heartbeat':
        return this.onHeartbeat(sink, m as Partial<RawHeartbeat>);
      case 'ticker':
        return this.onTicker(sink, m as Partial<RawTicker>);
      case 'match':
      case 'last_match':
        return this.onMatch(sink, m as Partial<RawMatch>);
      case 'error': {
        const e = m as Partial<RawError>;
        const reason = `coinbase error: ${String(e.message ?? 'unknown')}${e.reason ? ` (${String(e.reason)})` : ''}`;
        this.problems.note('errors', 'coinbase sent an error; reconnecting', m);
        this.feed?.reconnect(reason);
        return;
      }
      default:
        // "New message types can be added at any time. Clients are expected to ignore messages they do not support."
        this.problems.note('ignored', 'coinbase sent a message type this adapter does not use; ignoring it', m, true);
    }
  }

  private markLive(sink: AdapterSink): void {
    if (this.live) return;
    this.live = true;
    sink.status('live');
  }

  /** The product's state when `productId` is subscribed, else counts the message as unexpected. */
  private product(productId: unknown, message: unknown): ProductState | undefined {
    const state = typeof productId === 'string' ? this.products.get(productId) : undefined;
    if (state === undefined) this.problems.note('unknownProduct', 'coinbase message for a product not subscribed', message);
    return state;
  }

  /**
   * True when `sequence` is newer than the last of `type` for the product (and records it). With
   * `allowRepeat`, the same sequence again is in order too (heartbeats on a quiet book).
   */
  private inOrder(state: ProductState, type: string, sequence: unknown, message: unknown, allowRepeat = false): boolean {
    if (!Number.isSafeInteger(sequence)) {
      this.problems.note('malformed', `coinbase ${type} without a valid sequence`, message);
      return false;
    }
    const last = state.lastSequence.get(type);
    if (last !== undefined && ((sequence as number) < last || (!allowRepeat && sequence === last))) {
      this.problems.note('outOfOrder', `coinbase ${type} not newer than the last one (out of order or repeated); dropped`, message);
      return false;
    }
    state.lastSequence.set(type, sequence as number);
    return true;
  }

  private onHeartbeat(sink: AdapterSink, h: Partial<RawHeartbeat>): void {
    const state = this.product(h.product_id, h);
    // A heartbeat holds the product's current sequence, which stays put while nothing happens on
    // the book: a repeat is the quiet market this heartbeat exists for, not a duplicate.
    if (state === undefined || !this.inOrder(state, 'heartbeat', h.sequence, h, true)) return;
    this.counts.heartbeats += 1;
    this.markLive(sink);
    sink.heartbeat();
    // The venue sometimes sends 0 here; only a larger id than the last match seen means a loss.
    const lastTradeId = h.last_trade_id;
    if (Number.isSafeInteger(lastTradeId) && state.lastTradeId !== undefined && (lastTradeId as number) > state.lastTradeId) {
      this.problems.note('tradeGaps', 'coinbase heartbeat shows trades this adapter did not receive', h);
      this.problems.add('missedTrades', (lastTradeId as number) - state.lastTradeId);
      state.lastTradeId = lastTradeId as number;
    }
  }

  private onTicker(sink: AdapterSink, t: Partial<RawTicker>): void {
    const state = this.product(t.product_id, t);
    if (state === undefined) return;
    if (typeof t.best_bid !== 'string' || typeof t.best_ask !== 'string') {
      return this.problems.note('malformed', 'coinbase ticker without best_bid / best_ask', t);
    }
    if (!this.inOrder(state, 'ticker', t.sequence, t)) return;
    this.markLive(sink);
    this.counts.quotes += 1;
    sink.quote({
      symbol: t.product_id as string,
      bid: t.best_bid,
      // Older tickers had no sizes: a zero size says "unknown", the prices are still right.
      bidSize: typeof t.best_bid_size === 'string' ? t.best_bid_size : '0',
      ask: t.best_ask,
      askSize: typeof t.best_ask_size === 'string' ? t.best_ask_size : '0',
      eventTimeUs: parseIsoMicros(t.time),
    });
  }

  private onMatch(sink: AdapterSink, m: Partial<RawMatch>): void {
    const state = this.product(m.product_id, m);
    if (state === undefined) return;
    if (
      typeof m.price !== 'string' ||
      typeof m.size !== 'string' ||
      !Number.isSafeInteger(m.trade_id) ||
      (m.side !== 'buy' && m.side !== 'sell')
    ) {
      return this.problems.note('malformed', 'coinbase match with missing or mistyped fields', m);
    }
    const tradeId = m.trade_id as number;
    if (state.lastTradeId !== undefined && tradeId <= state.lastTradeId) {
      // Also the last_match sent again after every reconnect.
      return this.problems.note('duplicates', 'coinbase trade id already seen; dropped', m, true);
    }
    if (!this.inOrder(state, 'match', m.sequence, m)) return;
    if (state.lastTradeId !== undefined && tradeId > state.lastTradeId + 1) {
      this.problems.note('tradeGaps', 'coinbase trade ids jumped: trades were missed', {
        product: m.product_id,
        after: state.lastTradeId,
        got: tradeId,
      });
      this.problems.add('missedTrades', tradeId - state.lastTradeId - 1);
    }
    state.lastTradeId = tradeId;
    this.markLive(sink);
    this.counts.trades += 1;
    // `side` is the maker's order side; the taker (aggressor) traded the other way.
    const aggressor: AdapterSide = m.side === 'buy' ? 'sell' : 'buy';
    sink.trade({
      symbol: m.product_id as string,
      price: m.price,
      size: m.size,
      side: aggressor,
      tradeId,
      eventTimeUs: parseIsoMicros(m.time),
    });
  }
}

// ---- Coinbase wire types (private) --------------------------------------------------------------

/** What this adapter sends. */
interface RawSubscribe {
  type: 'subscribe';
  product_ids: string[];
  channels: string[];
}

interface RawMessage {
  type: string;
}

interface RawHeartbeat {
  type: 'heartbeat';
  sequence: number;
  last_trade_id: number;
  product_id: string;
  time: string;
}

interface RawTicker {
  type: 'ticker';
  sequence: number;
  product_id: string;
  price: string;
  best_bid: string;
  best_bid_size: string;
  best_ask: string;
  best_ask_size: string;
  /** Taker side of the last trade. */
  side: string;
  time: string;
  trade_id: number;
  last_size: string;
}

interface RawMatch {
  type: 'match' | 'last_match';
  trade_id: number;
  sequence: number;
  maker_order_id: string;
  taker_order_id: string;
  time: string;
  product_id: string;
  size: string;
  price: string;
  /** The MAKER's side. */
  side: 'buy' | 'sell';
}

interface RawError {
  type: 'error';
  message: string;
  reason: string;
}
