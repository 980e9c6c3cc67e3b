import { describe, expect, it } from 'vitest';
import type { Bar } from '../../lib/market/types';
import { MemoryHistoryPages, pageOf } from '../../server/history/memory-pages';
import { History } from '../../server/history/history';
import type { Tick } from '../../server/bus/types';

const MIN = 60_000_000;
const bar = (openTimeUs: number): Bar => ({
  kind: 'bar',
  instrumentId: 1,
  seq: 1,
  eventTimeUs: openTimeUs,
  receiveTimeUs: openTimeUs,
  interval: 60,
  openTimeUs,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  tradeCount: 1,
  vwap: 1,
});
const opens = (page: { bars: readonly Bar[] }) => page.bars.map((b) => b.openTimeUs / MIN);

describe('pageOf', () => {
  const bars = [1, 2, 4, 7, 8].map((m) => bar(m * MIN));

  it('takes the newest count bars, the forming one included, for endTimeUs 0', () => {
    expect(pageOf(bars, 0, 2)).toMatchObject({ more: true });
    expect(opens(pageOf(bars, 0, 2))).toStrictEqual([7, 8]);
    expect(opens(pageOf(bars, 0, 5))).toStrictEqual([1, 2, 4, 7, 8]);
    expect(pageOf(bars, 0, 5).more).toBe(false);
    expect(pageOf(bars, 0, 1000).more).toBe(false);
  });

  it('takes only bars opening strictly before endTimeUs, and says whether older ones remain', () => {
    expect(opens(pageOf(bars, 7 * MIN, 2))).toStrictEqual([2, 4]);
    expect(pageOf(bars, 7 * MIN, 2).more).toBe(true);
    expect(opens(pageOf(bars, 7 * MIN + 1, 1))).toStrictEqual([7]);
    expect(opens(pageOf(bars, 3 * MIN, 10))).toStrictEqual([1, 2]);
    expect(pageOf(bars, 3 * MIN, 10).more).toBe(false);
    expect(pageOf(bars, 1 * MIN, 10)).toStrictEqual({ bars: [], more: false });
    expect(pageOf([], 0, 10)).toStrictEqual({ bars: [], more: false });
  });
});

describe('MemoryHistoryPages', () => {
  it('pages over the bars History built from trades', async () => {
    const history = new History({ intervals: [60] });
    const ticks: Tick[] = [0, 1, 3].map((m, i) => ({
      kind: 'trade',
      instrumentId: 1,
      seq: i + 1,
      eventTimeUs: 1_700_000_040_000_000 + m * MIN,
      receiveTimeUs: 1_700_000_040_000_000 + m * MIN,
      price: 100 + i,
      size: 1,
      side: 1,
      tradeId: i,
    }));
    history.apply(ticks);
    const pages = new MemoryHistoryPages(history);
    const newest = await pages.page(1, 60, 0, 2);
    expect(newest.more).toBe(true);
    expect(newest.bars.map((b) => b.close)).toStrictEqual([101, 102]);
    const older = await pages.page(1, 60, newest.bars[0]!.openTimeUs, 2);
    expect(older).toMatchObject({ more: false });
    expect(older.bars.map((b) => b.close)).toStrictEqual([100]);
    expect(await pages.page(2, 60, 0, 2)).toStrictEqual({ bars: [], more: false });
    expect(await pages.page(1, 300, 0, 2)).toStrictEqual({ bars: [], more: false });
  });
});
