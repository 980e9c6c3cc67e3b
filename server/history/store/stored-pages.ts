/**
 * History pages when a store is kept (the all-in-one feed with `--data-dir`, and the ingest): the
 * newest bars come from memory (they include the forming bar and what the store has not written
 * yet), older ones from the store, so a page reaches back as far as the store holds.
 */
import type { Bar, BarInterval } from '../../../lib/market/types';
import type { History } from '../history';
import { pageOf } from '../memory-pages';
import type { HistoryPageResult, HistoryPages } from '../types';

/** What {@link StoredHistoryPages} needs of the persisted history (`PersistedHistory.olderBars`). */
export interface OlderBars {
  /** Up to `count` stored bars opening before `beforeOpenTimeUs`, ascending; throws when the store cannot answer. */
  olderBars(instrumentId: number, interval: BarInterval, beforeOpenTimeUs: number, count: number): readonly Bar[];
}

export class StoredHistoryPages implements HistoryPages {
  constructor(
    private readonly memory: Pick<History, 'bars'>,
    private readonly store: OlderBars,
  ) {}

  page(instrumentId: number, interval: BarInterval, endTimeUs: number, count: number): Promise<HistoryPageResult> {
    const held = this.memory.bars(instrumentId, interval);
    const recent = pageOf(held, endTimeUs, count);
    if (recent.bars.length === count) return Promise.resolve(recent);
    // Older than what memory holds (or than endTimeUs): from the store, one bar more to learn `more`.
    const oldest = recent.bars[0]?.openTimeUs ?? (endTimeUs === 0 ? Number.MAX_SAFE_INTEGER : endTimeUs);
    const wanted = count - recent.bars.length;
    try {
      const older = this.store.olderBars(instrumentId, interval, oldest, wanted + 1);
      const more = older.length > wanted;
      return Promise.resolve({ bars: [...(more ? older.slice(1) : older), ...recent.bars], more });
    } catch (error) {
      if (recent.bars.length > 0) return Promise.resolve(recent);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
