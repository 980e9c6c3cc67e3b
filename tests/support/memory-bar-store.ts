/**
 * A BarStore in memory for tests (server/history/store/types.ts): upserts by (symbol, interval,
 * open time), pages newest-first like the SQLite store. Counts the calls tests assert on.
 */
import type { BarInterval } from '../../lib/market/types';
import type { BarStore, SavedState, StoreHealth, StoredBar } from '../../server/history/store/types';

export class MemoryBarStore implements BarStore {
  private readonly series = new Map<string, Map<number, StoredBar>>();
  /** Sorted copies, dropped when the series changes. */
  private readonly sorted = new Map<string, StoredBar[]>();
  private state: SavedState | undefined;
  writes = 0;

  private key(symbol: string, interval: BarInterval): string {
    return `${symbol}\u0000${interval}`;
  }

  writeBars(bars: readonly StoredBar[]): void {
    this.writes += 1;
    for (const bar of bars) {
      const key = this.key(bar.symbol, bar.interval);
      let map = this.series.get(key);
      if (map === undefined) this.series.set(key, (map = new Map()));
      map.set(bar.openTimeUs, bar);
      this.sorted.delete(key);
    }
  }

  /** Every bar of (symbol, interval), ascending. */
  all(symbol: string, interval: BarInterval): StoredBar[] {
    const key = this.key(symbol, interval);
    let bars = this.sorted.get(key);
    if (bars === undefined) {
      bars = [...(this.series.get(key)?.values() ?? [])].sort((a, b) => a.openTimeUs - b.openTimeUs);
      this.sorted.set(key, bars);
    }
    return [...bars];
  }

  page(symbol: string, interval: BarInterval, endTimeUs: number, count: number): { bars: StoredBar[]; more: boolean } {
    const older = this.all(symbol, interval).filter((b) => b.openTimeUs < endTimeUs);
    const bars = count > 0 ? older.slice(-count) : [];
    return { bars, more: older.length > bars.length };
  }

  firstOpenTimeUs(symbol: string, interval: BarInterval): number | undefined {
    return this.all(symbol, interval)[0]?.openTimeUs;
  }

  saveState(state: SavedState): void {
    this.state = state;
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
