/**
 * History pages from the in-memory {@link HistoryStore}: the bars the live stream built, the last
 * `barCapacity` (500 by default) per instrument and interval. What the all-in-one feed service
 * answers `history` requests from when it has no store.
 */
import type { Bar, BarInterval } from '../../lib/market/types';
import type { HistoryPageResult, HistoryPages, HistoryStore } from './types';

/** Pages over the bars `history` holds; `more` is false at the oldest bar held. */
export class MemoryHistoryPages implements HistoryPages {
  constructor(private readonly history: Pick<HistoryStore, 'bars'>) {}

  page(instrumentId: number, interval: BarInterval, endTimeUs: number, count: number): Promise<HistoryPageResult> {
    return Promise.resolve(pageOf(this.history.bars(instrumentId, interval), endTimeUs, count));
  }
}

/**
 * The newest `count` of `bars` (ascending by open time) that open before `endTimeUs` (0 = no bound),
 * and whether older ones remain. Binary search for the end, so a page costs O(log n + count).
 */
export function pageOf(bars: readonly Bar[], endTimeUs: number, count: number): HistoryPageResult {
  let end = bars.length;
  if (endTimeUs !== 0) {
    let lo = 0;
    let hi = bars.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((bars[mid] as Bar).openTimeUs < endTimeUs) lo = mid + 1;
      else hi = mid;
    }
    end = lo;
  }
  const start = Math.max(0, end - count);
  return { bars: bars.slice(start, end), more: start > 0 };
}
