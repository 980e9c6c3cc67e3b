/**
 * Per-instrument history a gateway keeps to answer subscribes and resumes. Everything is bounded.
 */
import type { Bar, BarInterval, Quote, SessionStats, Trade } from '../../lib/market/types';
import type { Tick } from '../bus/types';

export interface HistoryOptions {
  /** Ticks (trades and quotes, in sequence order) kept per instrument for resume. @defaultValue 2000 */
  readonly tickCapacity: number;
  /** Trades kept per instrument for snapshots. @defaultValue 200 */
  readonly tradeCapacity: number;
  /** Bars kept per instrument per interval. @defaultValue 500 */
  readonly barCapacity: number;
}

export interface HistoryStore {
  /** Bar intervals (s) built for every instrument; the gateway offers these in `hello.intervals`. */
  readonly intervals: readonly BarInterval[];
  /**
   * Applies ticks in order. Returns the bars that changed (one per instrument and interval touched,
   * in its latest state) so the gateway can send live bar updates.
   */
  apply(ticks: readonly Tick[]): readonly Bar[];
  lastQuote(instrumentId: number): Quote | undefined;
  /** Most recent trades, oldest first, at most `limit`. */
  recentTrades(instrumentId: number, limit?: number): readonly Trade[];
  /** Most recent bars of `interval` (the last one may still be forming), oldest first. */
  bars(instrumentId: number, interval: BarInterval, limit?: number): readonly Bar[];
  /** Current (forming) bar of `interval`, if any trade has been seen. */
  currentBar(instrumentId: number, interval: BarInterval): Bar | undefined;
  /**
   * The instrument's session figures (lib/market/session.ts) over every trade applied, undefined
   * before its first trade. The same object until the next trade changes them.
   */
  session(instrumentId: number): SessionStats | undefined;
  /** Latest sequence number applied for the instrument (0 if none). */
  lastSeq(instrumentId: number): number;
  /**
   * Ticks with seq > `afterSeq`, in order, if history still holds every one of them; `undefined`
   * when some were already evicted (the caller then sends a fresh snapshot).
   */
  ticksAfter(instrumentId: number, afterSeq: number): readonly Tick[] | undefined;
  /** Drops everything about an instrument (e.g. removed from the table). */
  forget(instrumentId: number): void;
  /** Approximate stats for /healthz. */
  stats(): { instruments: number; ticks: number; bars: number };
}

/** One page of history bars: see {@link HistoryPages.page}. */
export interface HistoryPageResult {
  /** Bars of the instrument and interval, ascending by `openTimeUs` (strictly), at most `count`. */
  readonly bars: readonly Bar[];
  /** True when bars older than the first one exist. */
  readonly more: boolean;
}

/**
 * Where the gateway gets history pages from (capability `history`, docs/protocol.md §2.12): the
 * in-memory bars (server/history/memory-pages.ts), a store, or another process. Async, so a store or
 * a network source fits; the gateway bounds the wait (`historyTimeoutMs`) and turns a rejection
 * into `error HistoryUnavailable` carrying the rejection's message.
 */
export interface HistoryPages {
  /**
   * The newest `count` (1..1000) bars of (`instrumentId`, `interval`) whose open time is before
   * `endTimeUs` (µs; 0 = now, the forming bar included), and whether older ones exist. An
   * instrument with no bars gives an empty page with `more` false. Reads at most `count + 1` bars.
   */
  page(instrumentId: number, interval: BarInterval, endTimeUs: number, count: number): Promise<HistoryPageResult>;
}
