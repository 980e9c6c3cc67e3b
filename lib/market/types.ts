/**
 * Canonical market-data types shared by the feed service and every client.
 *
 * Prices and sizes are carried as integer *mantissas* scaled by the instrument's precision:
 * a price mantissa `p` on an instrument with `priceDecimals = d` means `p / 10^d`.
 * This keeps a price the venue gave as "0.00012345" exact all the way to the screen
 * (see `lib/market/decimal.ts` for parsing and formatting). Mantissas are always safe integers.
 *
 * Timestamps are microseconds since the Unix epoch (µs), as JS numbers (safe until year 2255).
 */

/** Asset classes the dashboard groups instruments by. Numeric values are wire values. */
export enum AssetClass {
  Other = 0,
  Crypto = 1,
  Equity = 2,
  Fx = 3,
  Future = 4,
  Index = 5,
}

/** Aggressor side of a trade: the side that crossed the spread. Numeric values are wire values. */
export enum Side {
  Unknown = 0,
  Buy = 1,
  Sell = 2,
}

/**
 * Bar (candle) intervals the service aggregates, in seconds, ascending: 1s 5s 1m 5m 15m 1h 4h 1D 1W.
 * The wire carries the seconds. Bars are aligned in UTC (`alignBarOpenTime` in lib/market/bars.ts):
 * 1D bars open at 00:00 UTC and 1W bars on Monday 00:00 UTC.
 */
export const BAR_INTERVALS = [1, 5, 60, 300, 900, 3600, 14400, 86400, 604800] as const;
/** One of {@link BAR_INTERVALS}, in seconds. */
export type BarInterval = (typeof BAR_INTERVALS)[number];

/** Human labels for bar intervals, as the dashboard and CLI show and accept them. */
export const BAR_INTERVAL_LABELS = {
  1: '1s',
  5: '5s',
  60: '1m',
  300: '5m',
  900: '15m',
  3600: '1h',
  14400: '4h',
  86400: '1D',
  604800: '1W',
} as const satisfies Readonly<Record<BarInterval, string>>;

/** One of the {@link BAR_INTERVAL_LABELS}: "1s" ... "1W". */
export type BarIntervalLabel = (typeof BAR_INTERVAL_LABELS)[BarInterval];

/** True when `seconds` is one of the supported bar intervals. */
export function isBarInterval(seconds: unknown): seconds is BarInterval {
  return typeof seconds === 'number' && (BAR_INTERVALS as readonly number[]).includes(seconds);
}

/**
 * Parses "1s" / "5s" / "1m" / "5m" / "15m" / "1h" / "4h" / "1D" / "1W" (or a number of seconds)
 * into a bar interval. Case does not matter ("1H", "1d", "1w"; "1M" is one minute: there is no
 * month interval for "M" to mean).
 */
export function parseBarInterval(text: string): BarInterval | undefined {
  const lower = text.toLowerCase();
  for (const interval of BAR_INTERVALS) {
    if (BAR_INTERVAL_LABELS[interval].toLowerCase() === lower || String(interval) === lower) return interval;
  }
  return undefined;
}

/** An instrument as interned by the server: ticks on the wire carry only `id`. */
export interface Instrument {
  /** Small integer, unique within a server epoch. */
  readonly id: number;
  /** Display symbol, unique across venues when namespaced, e.g. "BTC-USD" or "BINANCE:BTCUSDT". */
  readonly symbol: string;
  /** Venue the instrument trades on, e.g. "SIM", "BINANCE", "COINBASE". */
  readonly venue: string;
  readonly assetClass: AssetClass;
  /** Number of decimal places of price mantissas (0..18). */
  readonly priceDecimals: number;
  /** Number of decimal places of size mantissas (0..18). */
  readonly sizeDecimals: number;
}

/** Fields every normalised update carries. */
export interface UpdateBase {
  /** Instrument id from the instrument table. */
  readonly instrumentId: number;
  /**
   * Per-instrument sequence number, assigned once at normalisation. Trades and quotes each take the
   * next number (so a gap means something was missed); a bar carries the sequence of the last
   * trade folded into it and does not advance the sequence.
   */
  readonly seq: number;
  /** Venue's event time, µs since the Unix epoch. */
  readonly eventTimeUs: number;
  /** Time the feed service received the event, µs since the Unix epoch. */
  readonly receiveTimeUs: number;
}

/** A trade (print). */
export interface Trade extends UpdateBase {
  readonly kind: 'trade';
  /** Price mantissa at the instrument's `priceDecimals`. */
  readonly price: number;
  /** Size mantissa at the instrument's `sizeDecimals`. */
  readonly size: number;
  /** Aggressor side. */
  readonly side: Side;
  /** Venue trade id: a number when the venue's id is numeric, else the venue's string. */
  readonly tradeId: number | string;
}

/** Top of book. `bid <= ask` always holds for a normalised quote. */
export interface Quote extends UpdateBase {
  readonly kind: 'quote';
  readonly bid: number;
  readonly bidSize: number;
  readonly ask: number;
  readonly askSize: number;
}

/** A bar (candle) built from trades. Prices at `priceDecimals`, volume at `sizeDecimals`. */
export interface Bar extends UpdateBase {
  readonly kind: 'bar';
  /** Interval in seconds. */
  readonly interval: BarInterval;
  /** Bar open time, µs since the Unix epoch, aligned to the interval in UTC. */
  readonly openTimeUs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Sum of trade sizes (size mantissa units). */
  readonly volume: number;
  readonly tradeCount: number;
  /** Volume-weighted average price, rounded half-up to the instrument's price precision. */
  readonly vwap: number;
}

/**
 * An instrument's trading-session figures (rules in `lib/market/session.ts`): every trade of the
 * session (a UTC day) up to and including the one numbered `seq`, whose event and receive times
 * the update carries. The feed sends it in fresh snapshots and conflated batches; a client folds
 * live trades into it from there. Like a bar it does not advance the sequence.
 */
export interface SessionStats extends UpdateBase {
  readonly kind: 'session';
  /** Session start: UTC midnight, µs since the Unix epoch. */
  readonly startTimeUs: number;
  /** Price of the session's first trade. */
  readonly open: number;
  readonly high: number;
  readonly low: number;
  /** Price of trade `seq`, the session's latest. */
  readonly close: number;
  /** Sum of trade sizes (size mantissa units). */
  readonly volume: number;
  readonly tradeCount: number;
}

/** Any normalised update. Discriminated by `kind`. */
export type MarketUpdate = Trade | Quote | Bar | SessionStats;
