/**
 * A {@link BarStore} in memory: the same contract as the SQLite store without a file, for tests
 * (the feed service and protocol tests can hand it in as `store`). Each (symbol, interval) series
 * is kept sorted by open time and capped at `maxBarsPerSeries` (oldest dropped).
 */
import type { BarInterval } from '../../lib/market/types';
import type { BarStore, SavedState, StoreHealth, StoredBar } from '../../server/history/store/types';

/** Bars kept per (symbol, interval) by default: a year of 1m bars would be 525 600. */
export const DEFAULT_MEMORY_SERIES_CAPACITY = 100_000;

/** In-memory {@link BarStore}; see the file comment. */
export class MemoryBarStore implements BarStore {
  private readonly series = new Map<string, StoredBar[]>();
  private state: SavedState | undefined;

  /** @param maxBarsPerSeries most bars held per (symbol, interval) */
  constructor(private readonly maxBarsPerSeries = DEFAULT_MEMORY_SERIES_CAPACITY) {
    if (!Number.isSafeInteger(maxBarsPerSeries) || maxBarsPerSeries < 1) {
      throw new TypeError(`maxBarsPerSeries must be a positive integer, got ${String(maxBarsPerSeries)}`);
    }
  }

  writeBars(bars: readonly StoredBar[]): void {
    for (const bar of bars) {
      const key = `${bar.symbol}\u0000${bar.interval}`;
      let list = this.series.get(key);
      if (list === undefined) this.series.set(key, (list = []));
      const last = list[list.length - 1];
      // Live bars arrive in time order: the common case is the last bar again or a new one after it.
      if (last === undefined || last.openTimeUs < bar.openTimeUs) list.push(bar);
      else {
        const i = lowerBound(list, bar.openTimeUs);
        if (list[i]?.openTimeUs === bar.openTimeUs) list[i] = bar;
        else list.splice(i, 0, bar);
      }
      if (list.length > this.maxBarsPerSeries) list.splice(0, list.length - this.maxBarsPerSeries);
    }
  }

  page(
    symbol: string,
    interval: BarInterval,
    endTimeUs: number,
    count: number,
  ): { readonly bars: readonly StoredBar[]; readonly more: boolean } {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    const list = this.series.get(`${symbol}\u0000${interval}`) ?? [];
    const end = lowerBound(list, endTimeUs);
    const start = Math.max(0, end - count);
    return { bars: list.slice(start, end), more: start > 0 };
  }

  firstOpenTimeUs(symbol: string, interval: BarInterval): number | undefined {
    return this.series.get(`${symbol}\u0000${interval}`)?.[0]?.openTimeUs;
  }

  saveState(state: SavedState): void {
    // A copy, as a file would hold: later changes to the caller's objects do not leak in.
    this.state = JSON.parse(JSON.stringify(state)) as SavedState;
  }

  takeState(): SavedState | undefined {
    const state = this.state;
    this.state = undefined;
    return state;
  }

  health(): StoreHealth {
    return { state: 'ok', reason: '', path: undefined };
  }

  close(): void {}
}

/** Index of the first bar with openTimeUs >= `timeUs`. */
function lowerBound(list: readonly StoredBar[], timeUs: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as StoredBar).openTimeUs < timeUs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
