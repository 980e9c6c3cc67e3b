/**
 * Bar (candle) aggregation from trades: pure, allocation-light, shared by the gateway's history
 * (server/history/history.ts) and the embeds' interval bars (lib/embed/interval-bars.ts).
 *
 * A trade belongs to the bar whose open time is its `eventTimeUs` floored to the interval (UTC;
 * weekly bars from Monday 00:00 UTC: {@link alignBarOpenTime}).
 * Trades may arrive late or out of order: a trade whose bar is still held updates that bar, and
 * open/close follow event time (ties keep arrival order), so the result equals aggregating the
 * same trades sorted by event time. vwap is exact: the notional sum is kept as an integer (a
 * number while it is a safe integer, a bigint beyond) and rounded half-up once per bar.
 */
import { Side, type Bar, type BarInterval, type Trade } from './types';

/** Microseconds per second: bar intervals are in seconds, timestamps in µs. */
export const US_PER_SECOND = 1_000_000;

/** Bars a {@link BarBuilder} keeps unless told otherwise. */
export const DEFAULT_BAR_CAPACITY = 500;

/** Seconds in a week: the 1W bar interval. */
export const WEEK_SECONDS = 604_800;

/**
 * Where 1W bars are counted from, µs after the Unix epoch: 1970-01-05T00:00Z, the first Monday
 * (1970-01-01 was a Thursday), so weekly bars open on Monday 00:00 UTC.
 */
export const WEEK_ORIGIN_US = 4 * 86_400 * US_PER_SECOND;

/**
 * Open time (µs since the Unix epoch) of the `interval`-second bar containing `timeUs`, aligned in
 * UTC: `floor(timeUs / span) * span` counted from the Unix epoch for every interval but 1W (so 1D
 * bars open at 00:00 UTC and 4h bars at 00:00, 04:00, ... UTC), and for 1W counted from Monday
 * 1970-01-05: `floor((timeUs - 4 days) / 1 week) * 1 week + 4 days`. Times before 1970 floor too
 * (towards the past). Integer arithmetic, exact for any safe-integer time at least a week inside
 * ±(2^53 - 1).
 */
export function alignBarOpenTime(timeUs: number, interval: BarInterval): number {
  const span = interval * US_PER_SECOND;
  const origin = interval === WEEK_SECONDS ? WEEK_ORIGIN_US : 0;
  const shifted = timeUs - origin;
  // `%` on integer-valued doubles is exact, unlike floor(time / span) near a boundary.
  const rest = shifted % span;
  return rest < 0 ? timeUs - rest - span : timeUs - rest;
}

/**
 * Volume-weighted average price in price-mantissa units: `notional / volume` rounded half up
 * (towards +infinity at exactly half, also for negative prices). `notional` is the exact sum of
 * price * size mantissas and `volume` the exact sum of sizes. Returns `fallback` for zero volume.
 */
export function roundedVwap(notional: number | bigint, volume: number | bigint, fallback: number): number {
  if (volume <= 0) return fallback;
  if (typeof notional === 'bigint' || typeof volume === 'bigint') {
    // floor((2 * notional + volume) / (2 * volume)); bigint division truncates toward zero, so a
    // negative quotient with a remainder is one too high.
    const divisor = 2n * BigInt(volume);
    const dividend = 2n * BigInt(notional) + BigInt(volume);
    const quotient = dividend / divisor;
    return Number(dividend % divisor !== 0n && dividend < 0n ? quotient - 1n : quotient);
  }
  let quotient = Math.floor(notional / volume);
  let remainder = notional - quotient * volume;
  // Float division may land one off for large operands; the integer remainder corrects it.
  if (remainder < 0) {
    quotient -= 1;
    remainder += volume;
  } else if (remainder >= volume) {
    quotient += 1;
    remainder -= volume;
  }
  return 2 * remainder >= volume ? quotient + 1 : quotient;
}

/** Adds `size` to an exact sum, switching to bigint only when a number would lose precision. */
function addExact(sum: number | bigint, size: number): number | bigint {
  if (typeof sum === 'number') {
    const next = sum + size;
    return Number.isSafeInteger(next) ? next : BigInt(sum) + BigInt(size);
  }
  return sum + BigInt(size);
}

/** Adds `price * size` to an exact notional sum, switching to bigint only when a number would lose precision. */
function addNotional(notional: number | bigint, price: number, size: number): number | bigint {
  if (typeof notional === 'number') {
    const product = price * size;
    if (Number.isSafeInteger(product)) {
      const sum = notional + product;
      if (Number.isSafeInteger(sum)) return sum;
    }
    return BigInt(notional) + BigInt(price) * BigInt(size);
  }
  return notional + BigInt(price) * BigInt(size);
}

/** A live handle on one held bar; {@link BarHandle.toBar} gives its current immutable state. */
export interface BarHandle {
  /** Bar open time, µs since the Unix epoch. */
  readonly openTimeUs: number;
  /** The bar's current state as a frozen object; the same object until the bar changes again. */
  toBar(): Bar;
}

/**
 * One bar's exact aggregation state as plain JSON-safe data: what {@link BarBuilder.exportState}
 * gives and {@link BarBuilder.importState} takes, so another process (a gateway warming from
 * ingest) continues the bar exactly. Exact sums beyond 2^53 travel as decimal strings.
 */
export interface BarStateRecord {
  readonly openTimeUs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly openEventUs: number;
  readonly closeEventUs: number;
  readonly volume: number;
  readonly exactVolume: number | string;
  readonly tradeCount: number;
  readonly notional: number | string;
  readonly seq: number;
  readonly eventTimeUs: number;
  readonly receiveTimeUs: number;
}

const exactOut = (v: number | bigint): number | string => (typeof v === 'bigint' ? v.toString() : v);
const exactIn = (v: number | string): number | bigint => (typeof v === 'string' ? BigInt(v) : v);

/** Mutable aggregation state of one bar. Emits a fresh immutable {@link Bar} after each change. */
class BarState implements BarHandle {
  open: number;
  high: number;
  low: number;
  close: number;
  /** Event times of the trades that set open and close (they follow event time, not arrival). */
  openEventUs: number;
  closeEventUs: number;
  /** Sum of sizes, saturating at `Number.MAX_SAFE_INTEGER` like the session figures (what the bar shows). */
  volume: number;
  /** Exact sum of sizes, for the VWAP once {@link volume} has saturated. */
  exactVolume: number | bigint;
  tradeCount = 1;
  notional: number | bigint;
  seq: number;
  eventTimeUs: number;
  receiveTimeUs: number;
  private snapshot: Bar | undefined;

  constructor(
    private readonly instrumentId: number,
    private readonly interval: BarInterval,
    readonly openTimeUs: number,
    trade: Trade,
  ) {
    this.open = this.high = this.low = this.close = trade.price;
    this.openEventUs = this.closeEventUs = trade.eventTimeUs;
    this.volume = trade.size;
    this.exactVolume = trade.size;
    this.notional = addNotional(0, trade.price, trade.size);
    this.seq = trade.seq;
    this.eventTimeUs = trade.eventTimeUs;
    this.receiveTimeUs = trade.receiveTimeUs;
  }

  fold(trade: Trade): void {
    const { price, eventTimeUs } = trade;
    if (eventTimeUs < this.openEventUs) {
      this.open = price;
      this.openEventUs = eventTimeUs;
    }
    if (eventTimeUs >= this.closeEventUs) {
      this.close = price;
      this.closeEventUs = eventTimeUs;
    }
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    this.volume = Math.min(this.volume + trade.size, Number.MAX_SAFE_INTEGER);
    this.exactVolume = addExact(this.exactVolume, trade.size);
    this.tradeCount += 1;
    this.notional = addNotional(this.notional, price, trade.size);
    this.seq = trade.seq;
    this.eventTimeUs = eventTimeUs;
    this.receiveTimeUs = trade.receiveTimeUs;
    this.snapshot = undefined;
  }

  toBar(): Bar {
    if (this.snapshot === undefined) {
      this.snapshot = Object.freeze({
        kind: 'bar',
        instrumentId: this.instrumentId,
        seq: this.seq,
        eventTimeUs: this.eventTimeUs,
        receiveTimeUs: this.receiveTimeUs,
        interval: this.interval,
        openTimeUs: this.openTimeUs,
        open: this.open,
        high: this.high,
        low: this.low,
        close: this.close,
        volume: this.volume,
        tradeCount: this.tradeCount,
        vwap: roundedVwap(this.notional, this.exactVolume, this.close),
      });
    }
    return this.snapshot;
  }

  toRecord(): BarStateRecord {
    return {
      openTimeUs: this.openTimeUs,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      openEventUs: this.openEventUs,
      closeEventUs: this.closeEventUs,
      volume: this.volume,
      exactVolume: exactOut(this.exactVolume),
      tradeCount: this.tradeCount,
      notional: exactOut(this.notional),
      seq: this.seq,
      eventTimeUs: this.eventTimeUs,
      receiveTimeUs: this.receiveTimeUs,
    };
  }

  static fromRecord(instrumentId: number, interval: BarInterval, r: BarStateRecord): BarState {
    const state = new BarState(instrumentId, interval, r.openTimeUs, {
      kind: 'trade',
      instrumentId,
      seq: r.seq,
      eventTimeUs: r.eventTimeUs,
      receiveTimeUs: r.receiveTimeUs,
      price: r.open,
      size: r.volume,
      side: Side.Unknown,
      tradeId: '',
    });
    state.high = r.high;
    state.low = r.low;
    state.close = r.close;
    state.openEventUs = r.openEventUs;
    state.closeEventUs = r.closeEventUs;
    state.exactVolume = exactIn(r.exactVolume);
    state.tradeCount = r.tradeCount;
    state.notional = exactIn(r.notional);
    return state;
  }

  /** Rebuilds state from a bar received from elsewhere; the notional is approximated as vwap * volume. */
  static fromBar(bar: Bar): BarState {
    const state = new BarState(bar.instrumentId, bar.interval, bar.openTimeUs, {
      kind: 'trade',
      instrumentId: bar.instrumentId,
      seq: bar.seq,
      eventTimeUs: bar.eventTimeUs,
      receiveTimeUs: bar.receiveTimeUs,
      price: bar.open,
      size: bar.volume,
      side: Side.Unknown,
      tradeId: '',
    });
    state.high = bar.high;
    state.low = bar.low;
    state.close = bar.close;
    // Open/close event times are unknown: keep later trades in the bar ordered after these.
    state.openEventUs = bar.openTimeUs;
    state.closeEventUs = bar.openTimeUs;
    state.tradeCount = bar.tradeCount;
    state.notional = addNotional(0, bar.vwap, bar.volume);
    state.exactVolume = bar.volume;
    return state;
  }
}

/**
 * Folds one instrument's trades into bars of one interval, keeping at most `capacity` bars (the
 * most recent open times). A trade older than every held bar when the builder is full is dropped
 * and counted in {@link BarBuilder.droppedTrades}; every held bar is then exactly the aggregate of
 * all trades ever given for its open time.
 */
export class BarBuilder {
  /** Held bars, ascending by open time, at most `capacity`. */
  private readonly states: BarState[] = [];
  private dropped = 0;

  /**
   * @param instrumentId - id stamped on emitted bars.
   * @param interval - bar interval in seconds.
   * @param capacity - bars held; older ones are evicted. @defaultValue {@link DEFAULT_BAR_CAPACITY}
   */
  constructor(
    readonly instrumentId: number,
    readonly interval: BarInterval,
    readonly capacity: number = DEFAULT_BAR_CAPACITY,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`capacity must be a positive integer, got ${String(capacity)}`);
    }
  }

  /** Trades dropped because their bar was older than every held bar. */
  get droppedTrades(): number {
    return this.dropped;
  }

  /** Number of bars held. */
  get size(): number {
    return this.states.length;
  }

  /**
   * Folds a trade in. Returns a handle on the bar it changed, or `undefined` when it was dropped as
   * too old. The caller vouches the trade is for this builder's instrument.
   */
  add(trade: Trade): BarHandle | undefined {
    const openTimeUs = alignBarOpenTime(trade.eventTimeUs, this.interval);
    const states = this.states;
    const last = states[states.length - 1];
    if (last === undefined || openTimeUs > last.openTimeUs) {
      const created = new BarState(this.instrumentId, this.interval, openTimeUs, trade);
      states.push(created);
      if (states.length > this.capacity) states.shift();
      return created;
    }
    if (openTimeUs === last.openTimeUs) {
      last.fold(trade);
      return last;
    }
    return this.addLate(trade, openTimeUs);
  }

  private addLate(trade: Trade, openTimeUs: number): BarHandle | undefined {
    const states = this.states;
    // First held bar with openTime >= openTimeUs (binary search; late trades are rare).
    let lo = 0;
    let hi = states.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((states[mid] as BarState).openTimeUs < openTimeUs) lo = mid + 1;
      else hi = mid;
    }
    const found = states[lo];
    if (found !== undefined && found.openTimeUs === openTimeUs) {
      found.fold(trade);
      return found;
    }
    if (lo === 0 && states.length >= this.capacity) {
      this.dropped += 1;
      return undefined;
    }
    const created = new BarState(this.instrumentId, this.interval, openTimeUs, trade);
    states.splice(lo, 0, created);
    if (states.length > this.capacity) states.shift();
    return created;
  }

  /** Most recent bars, oldest first, at most `limit` (all held when omitted). */
  bars(limit?: number): Bar[] {
    const states = this.states;
    const count = limit === undefined || !(limit < states.length) ? states.length : Math.max(0, Math.floor(limit));
    const out: Bar[] = new Array<Bar>(count);
    const start = states.length - count;
    for (let i = 0; i < count; i += 1) out[i] = (states[start + i] as BarState).toBar();
    return out;
  }

  /** The bar with the latest open time (the forming one), if any trade has been folded in. */
  current(): Bar | undefined {
    return this.states[this.states.length - 1]?.toBar();
  }

  /**
   * Replaces the held bars with `bars` (e.g. a snapshot from the server) so later trades extend
   * them. Bars of another instrument or interval are ignored. vwap of a restored bar that then
   * takes more trades is approximate (its exact notional is not on the wire).
   */
  restore(bars: readonly Bar[]): void {
    const kept = bars
      .filter((bar) => bar.instrumentId === this.instrumentId && bar.interval === this.interval)
      .sort((a, b) => a.openTimeUs - b.openTimeUs)
      .filter((bar, i, all) => i === all.length - 1 || bar.openTimeUs !== all[i + 1]?.openTimeUs)
      .slice(-this.capacity);
    this.states.length = 0;
    for (const bar of kept) this.states.push(BarState.fromBar(bar));
  }

  /** The held bars' exact state, oldest first (see {@link BarStateRecord}). */
  exportState(): BarStateRecord[] {
    return this.states.map((state) => state.toRecord());
  }

  /**
   * Replaces the held bars with exported state, so later trades continue them exactly as the
   * exporting builder would (unlike {@link restore}, which has only the wire's rounded bars).
   */
  importState(records: readonly BarStateRecord[]): void {
    this.states.length = 0;
    for (const record of records.slice(-this.capacity)) this.states.push(BarState.fromRecord(this.instrumentId, this.interval, record));
  }
}
