/**
 * The plug-in contract for feed adapters. An adapter connects to one source (a simulator, a file,
 * an exchange), declares its instruments and pushes raw trades and quotes into a sink. The
 * normaliser validates everything an adapter emits; an adapter never has to be trusted.
 * Guide: docs/adapters.md.
 */
import type { AssetClass } from '../../lib/market/types';

/**
 * Adapter lifecycle as shown on /healthz and the dashboard: `connecting` (starting or
 * reconnecting), `live` (connected and subscribed, the source has accepted: data flows, or will as
 * soon as the market moves), `stale` (connected but nothing arrived for a while; the
 * supervisor also sets it), `down` (not running or disconnected; the reason says why). The wire's
 * fifth venue state, `upstream_lost`, is not here: only a gateway that lost its broker reports it,
 * and the normaliser rejects it from an adapter (`bad-status`).
 */
export type AdapterState = 'connecting' | 'live' | 'stale' | 'down';

/** An instrument as an adapter declares it. */
export interface AdapterInstrument {
  /**
   * The adapter's own symbol, e.g. "BTCUSDT". The normaliser names the instrument
   * `VENUE:SYMBOL` ("BINANCE:BTCUSDT"), after applying the symbol map if one is configured;
   * trades and quotes keep using this symbol.
   */
  readonly symbol: string;
  readonly assetClass?: AssetClass;
  /** Decimal places of prices (0..18). Prices finer than this are rejected as inexact. */
  readonly priceDecimals: number;
  /** Decimal places of sizes (0..18). */
  readonly sizeDecimals: number;
}

/** Aggressor side as adapters may give it. */
export type AdapterSide = 'buy' | 'sell' | 'unknown';

/** A raw trade. Prices and sizes as decimal strings (exact) or numbers (on the precision grid). */
export interface AdapterTrade {
  readonly symbol: string;
  readonly price: string | number;
  readonly size: string | number;
  /** Aggressor side. */
  readonly side: AdapterSide;
  /** Venue trade id; omitted when the venue has none. */
  readonly tradeId?: string | number;
  /** Venue event time, µs since the Unix epoch. Defaults to the receive time. */
  readonly eventTimeUs?: number;
}

/** A raw top-of-book quote. */
export interface AdapterQuote {
  readonly symbol: string;
  readonly bid: string | number;
  readonly bidSize: string | number;
  readonly ask: string | number;
  readonly askSize: string | number;
  /** Venue event time, µs since the Unix epoch. Defaults to the receive time. */
  readonly eventTimeUs?: number;
}

/** Where an adapter sends what it produces. Every method is safe to call with any input. */
export interface AdapterSink {
  /**
   * Declares instruments, before their ticks. A later call adds the symbols not declared before;
   * symbols left out stay (instruments are never removed while the service runs).
   */
  instruments(list: readonly AdapterInstrument[]): void;
  trade(trade: AdapterTrade): void;
  quote(quote: AdapterQuote): void;
  /**
   * Reports the adapter's state with a reason a person understands: why it is stale or down, or,
   * with `live`, a non-fatal venue problem (a plain `live` clears it). Every change is logged.
   */
  status(state: AdapterState, reason?: string): void;
  /**
   * Says "the source is alive" when there is nothing to emit (e.g. a venue heartbeat on a quiet
   * market). Trades and quotes count as signs of life too; an adapter that claims `live` and
   * shows none for the supervisor's staleness period is marked stale, later restarted.
   */
  heartbeat(): void;
}

/**
 * A feed adapter. `start` begins producing into `sink` and resolves once running (or rejects if it
 * cannot start); `stop` releases every resource (sockets, timers, files) and resolves when done.
 * A network adapter's `start` resolves at once, without waiting for the venue, and reconnects by
 * itself (reporting `connecting` / `down` with reasons); rejecting makes the supervisor restart it
 * after its backoff (docs/adapters.md, "The contract").
 * The supervisor may call `start` again after `stop` (a restart) with a fresh sink, or build a new
 * instance for the restart when the adapter was given as a class or factory.
 */
export interface FeedAdapter {
  /** Adapter kind, e.g. "simulated". */
  readonly name: string;
  /**
   * Venue its instruments belong to, e.g. "SIM": letters, digits, `_`, `.`, `-` (no colon, it
   * separates venue and symbol in instrument names). One adapter per venue in a service.
   */
  readonly venue: string;
  start(sink: AdapterSink): Promise<void>;
  stop(): Promise<void>;
  /**
   * Optional counters shown on /healthz under the adapter (e.g. reconnects, sequence gaps,
   * duplicates dropped). Must be cheap and should not throw: one that throws is shown as
   * `statsError` on /healthz instead.
   */
  stats?(): Readonly<Record<string, number>>;
  /**
   * Optional history capability (docs/adapters.md "History"): finished bars of `symbol` (as the
   * adapter declares it) for `interval` seconds, with open times in [`startUs`, `endUs`), oldest
   * first, in pages the adapter chooses (it pages and rate-limits its venue's REST API itself). The
   * service calls it at start-up to backfill what its store lacks; an adapter without it has history
   * only from what the service records live. Honour `signal` (the service is stopping).
   */
  history?(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]>;
}

/** What {@link FeedAdapter.history} is asked for. */
export interface AdapterHistoryRequest {
  readonly symbol: string;
  /** Bar interval in seconds (60 for 1m; the service rolls longer ones up from it). */
  readonly interval: number;
  /** Open times from (inclusive), µs since the Unix epoch, UTC. */
  readonly startUs: number;
  /** Open times to (exclusive), µs. */
  readonly endUs: number;
  readonly signal: AbortSignal;
}

/** One finished bar from an adapter: decimal strings or numbers, like trades. */
export interface AdapterBar {
  /** Open time, µs since the Unix epoch (UTC), aligned to the interval. */
  readonly openTimeUs: number;
  readonly open: string | number;
  readonly high: string | number;
  readonly low: string | number;
  readonly close: string | number;
  /** Base volume. */
  readonly volume: string | number;
  /** Trades in the bar, when the venue says (0 otherwise). */
  readonly tradeCount?: number;
  /** Volume-weighted average price, when the venue gives one (else the service uses the close... or quote volume / volume). */
  readonly vwap?: string | number;
}
