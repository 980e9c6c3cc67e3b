/**
 * The in-memory {@link History} with a {@link BarStore} behind it (the all-in-one feed service):
 * every bar `apply` changes is queued for the store under its instrument's symbol, and an
 * instrument met for the first time in this epoch starts from its newest stored bars, so a bar
 * that was forming before a crash continues instead of being overwritten by a partial one.
 */
import { BarBuilder } from '../../../lib/market/bars';
import type { Bar, BarInterval, Quote, SessionStats, Trade } from '../../../lib/market/types';
import type { Tick } from '../../bus/types';
import type { Logger } from '../../log';
import type { History } from '../history';
import type { HistoryStore } from '../types';
import { StoreUnavailableError, toStoredBar, type BarStore, type StoredBar } from './types';

/** Converts a stored bar to the wire's Bar of an instrument in this epoch (seq 0: not of this epoch). */
export function fromStoredBar(bar: StoredBar, instrumentId: number): Bar {
  return {
    kind: 'bar',
    instrumentId,
    seq: 0,
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

/** A HistoryStore that writes through to a BarStore; see the file comment. */
export class PersistedHistory implements HistoryStore {
  /** Instruments already seeded (or found in memory) in this epoch. */
  private readonly seen = new Set<number>();

  /**
   * @param inner the in-memory history (exports and imports go to it directly)
   * @param store where changed bars go
   * @param symbolOf the instrument's full name ("SIM:BTC-USD") in the current table
   * @param barCapacity bars seeded per interval (History's barCapacity)
   */
  constructor(
    readonly inner: History,
    private readonly store: BarStore,
    private readonly symbolOf: (instrumentId: number) => string | undefined,
    private readonly barCapacity: number,
    private readonly logger?: Logger,
  ) {}

  get intervals(): readonly BarInterval[] {
    return this.inner.intervals;
  }

  apply(ticks: readonly Tick[]): readonly Bar[] {
    for (const tick of ticks) {
      if (!this.seen.has(tick.instrumentId)) this.seed(tick.instrumentId);
    }
    const changed = this.inner.apply(ticks);
    if (changed.length > 0) {
      const stored: StoredBar[] = [];
      for (const bar of changed) {
        const symbol = this.symbolOf(bar.instrumentId);
        if (symbol !== undefined) stored.push(toStoredBar(bar, symbol));
      }
      this.store.writeBars(stored);
    }
    return changed;
  }

  /**
   * Older bars from the store for a snapshot: up to `count` bars of the instrument's `interval`
   * opening before `beforeOpenTimeUs`, oldest first, with seq 0; none when the store cannot answer.
   */
  olderBars(instrumentId: number, interval: BarInterval, beforeOpenTimeUs: number, count: number): readonly Bar[] {
    const symbol = this.symbolOf(instrumentId);
    if (symbol === undefined || count < 1) return [];
    try {
      return this.store.page(symbol, interval, beforeOpenTimeUs, count).bars.map((bar) => fromStoredBar(bar, instrumentId));
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      return [];
    }
  }

  lastQuote(instrumentId: number): Quote | undefined {
    return this.inner.lastQuote(instrumentId);
  }

  recentTrades(instrumentId: number, limit?: number): readonly Trade[] {
    return this.inner.recentTrades(instrumentId, limit);
  }

  bars(instrumentId: number, interval: BarInterval, limit?: number): readonly Bar[] {
    return this.inner.bars(instrumentId, interval, limit);
  }

  currentBar(instrumentId: number, interval: BarInterval): Bar | undefined {
    return this.inner.currentBar(instrumentId, interval);
  }

  session(instrumentId: number): SessionStats | undefined {
    return this.inner.session(instrumentId);
  }

  lastSeq(instrumentId: number): number {
    return this.inner.lastSeq(instrumentId);
  }

  ticksAfter(instrumentId: number, afterSeq: number): readonly Tick[] | undefined {
    return this.inner.ticksAfter(instrumentId, afterSeq);
  }

  forget(instrumentId: number): void {
    this.seen.delete(instrumentId);
    this.inner.forget(instrumentId);
  }

  stats(): ReturnType<History['stats']> {
    return this.inner.stats();
  }

  /**
   * Before an instrument's first tick in this epoch: unless memory already holds it (imported
   * after a graceful restart), load its newest stored bars of every interval into memory.
   */
  private seed(instrumentId: number): void {
    this.seen.add(instrumentId);
    if (this.inner.has(instrumentId)) return;
    const symbol = this.symbolOf(instrumentId);
    if (symbol === undefined) return;
    const bars: { interval: BarInterval; states: ReturnType<BarBuilder['exportState']> }[] = [];
    try {
      for (const interval of this.inner.intervals) {
        const page = this.store.page(symbol, interval, Number.MAX_SAFE_INTEGER, this.barCapacity);
        if (page.bars.length === 0) continue;
        const builder = new BarBuilder(instrumentId, interval, this.barCapacity);
        builder.restore(page.bars.map((bar) => fromStoredBar(bar, instrumentId)));
        bars.push({ interval, states: builder.exportState() });
      }
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.logger?.warn('instrument starts without stored bars: history store unavailable', { symbol, reason: error.message });
      return;
    }
    if (bars.length === 0) return;
    this.inner.importInstrument({
      instrumentId,
      lastSeq: 0,
      ticks: [],
      trades: [],
      lastQuote: null,
      session: { sessionStartUs: undefined, open: undefined, high: undefined, low: undefined, volume: 0, sessionTrades: 0 },
      sessionLast: null,
      bars,
    });
  }
}
