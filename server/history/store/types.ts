/**
 * Where finished history lives beyond the in-memory rings (docs/architecture.md "Where history
 * lives"): bars of every interval by instrument symbol (stable across epochs, unlike ids), and the
 * state a graceful restart continues from. The default implementation is SQLite in the data folder
 * (`--data-dir`, default `.tickwire/`).
 */
import type { Bar, BarInterval, Instrument, Quote, Trade } from '../../../lib/market/types';
import type { SessionFigures } from '../../../lib/market/session';
import type { Tick } from '../../bus/types';
import type { BarStateRecord } from '../../../lib/market/bars';

/**
 * A bar as stored: the wire's Bar keyed by symbol instead of instrument id. `seq` is the seq of the
 * last trade folded into it in the epoch that built it, 0 for a bar from a backfill (a venue's REST
 * candles, the simulator's generated history); `eventTimeUs`/`receiveTimeUs` are its last trade's
 * (the bar's close time for a backfilled one).
 */
export interface StoredBar {
  readonly symbol: string;
  readonly seq: number;
  readonly eventTimeUs: number;
  readonly receiveTimeUs: number;
  readonly interval: BarInterval;
  readonly openTimeUs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly tradeCount: number;
  readonly vwap: number;
}

/** What a graceful stop saves and the next start continues from (same epoch, next seq). */
export interface SavedState {
  readonly epoch: number;
  readonly savedAtMs: number;
  readonly instruments: readonly Instrument[];
  /** Per instrument id: the last seq assigned. */
  readonly lastSeqs: Readonly<Record<number, number>>;
  /** Per instrument id: the in-memory history (rings, exact bar state, session) at the stop. */
  readonly history: readonly {
    readonly instrumentId: number;
    readonly lastSeq: number;
    readonly ticks: readonly Tick[];
    readonly trades: readonly Trade[];
    readonly lastQuote: Quote | null;
    readonly session: SessionFigures;
    readonly sessionLast: Trade | null;
    readonly bars: readonly { readonly interval: BarInterval; readonly states: readonly BarStateRecord[] }[];
  }[];
}

/** The store's health for /healthz and the dashboard. */
export interface StoreHealth {
  readonly state: 'ok' | 'degraded';
  /** Why degraded (a person reads it), empty when ok. */
  readonly reason: string;
  readonly path: string | undefined;
  /** Bars waiting to be written (normally those of the last quarter second; more while degraded). */
  readonly queuedBars?: number;
  /** Bars dropped since start because the queue was full while the file could not be written. */
  readonly droppedBars?: number;
}

/**
 * Thrown by {@link BarStore.page} and {@link BarStore.firstOpenTimeUs} when the store cannot answer
 * (degraded: no readable file); the message is the health reason. A history request answers it
 * with `HistoryUnavailable`; a snapshot goes on with the in-memory bars.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'HISTORY_UNAVAILABLE';
  constructor(reason: string) {
    super(reason);
    this.name = 'StoreUnavailableError';
  }
}

export interface BarStore {
  /**
   * Upserts bars by (symbol, interval, openTimeUs): the forming bar is written again as it changes.
   * Never throws: a write failure makes the store degraded (health) and is retried; live data goes on.
   */
  writeBars(bars: readonly StoredBar[]): void;
  /**
   * Up to `count` bars of (symbol, interval) with openTimeUs < `endTimeUs`, ascending (oldest
   * first), the newest ones before `endTimeUs`; `more` says whether older bars exist. Uses an index:
   * never scans the store. Queued writes are written first, so every bar given to `writeBars`
   * is included while the store is healthy.
   * @throws StoreUnavailableError when the store cannot be read (degraded).
   */
  page(
    symbol: string,
    interval: BarInterval,
    endTimeUs: number,
    count: number,
  ): { readonly bars: readonly StoredBar[]; readonly more: boolean };
  /**
   * Open time of the oldest bar held for (symbol, interval), if any.
   * @throws StoreUnavailableError when the store cannot be read (degraded).
   */
  firstOpenTimeUs(symbol: string, interval: BarInterval): number | undefined;
  /** Saves the restart state (replaces the previous one). */
  saveState(state: SavedState): void;
  /** The state saved by the last graceful stop, removed once read (a crash leaves none: new epoch). */
  takeState(): SavedState | undefined;
  health(): StoreHealth;
  /** Writes what is pending and closes. */
  close(): void;
}

/** Converts a wire bar to a stored one. */
export function toStoredBar(bar: Bar, symbol: string): StoredBar {
  return {
    symbol,
    seq: bar.seq,
    eventTimeUs: bar.eventTimeUs,
    receiveTimeUs: bar.receiveTimeUs,
    interval: bar.interval,
    openTimeUs: bar.openTimeUs,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
    tradeCount: bar.tradeCount,
    vwap: bar.vwap,
  };
}
