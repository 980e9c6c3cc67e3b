import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../lib/market/types';
import { mergeSnapshotBars } from '../../../lib/store/bar-series';

/** A one-minute bar opening at `minute` with `close`. */
const bar = (minute: number, close = 100): Bar => ({
  kind: 'bar',
  instrumentId: 1,
  seq: 0,
  eventTimeUs: 0,
  receiveTimeUs: 0,
  interval: 60,
  openTimeUs: minute * 60_000_000,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
  tradeCount: 1,
  vwap: close,
});
const minutesOf = (bars: readonly Bar[]): number[] => bars.map((b) => b.openTimeUs / 60_000_000);
const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe('bar series', () => {
  describe('mergeSnapshotBars', () => {
    it('keeps the held bars older than the snapshot and takes the snapshot from its oldest bar on', () => {
      const held = range(1, 50).map((m) => bar(m, 1));
      const merged = mergeSnapshotBars(
        held,
        range(31, 55).map((m) => bar(m, 2)),
        2000,
      );
      expect(minutesOf(merged)).toEqual(range(1, 55));
      expect(merged.slice(0, 30).every((b) => b.close === 1)).toBe(true);
      expect(merged.slice(30).every((b) => b.close === 2)).toBe(true);
    });

    it('sorts and de-duplicates the snapshot', () => {
      const merged = mergeSnapshotBars([bar(1), bar(2), bar(3)], [bar(4, 1), bar(3), bar(4, 2)], 2000);
      expect(minutesOf(merged)).toEqual([1, 2, 3, 4]);
      expect(merged.at(-1)?.close).toBe(2);
    });

    it('keeps the newest maxBars, dropping held bars first', () => {
      expect(
        minutesOf(
          mergeSnapshotBars(
            range(1, 10).map((m) => bar(m)),
            range(8, 12).map((m) => bar(m)),
            6,
          ),
        ),
      ).toEqual(range(7, 12));
      expect(
        minutesOf(
          mergeSnapshotBars(
            range(1, 10).map((m) => bar(m)),
            range(5, 12).map((m) => bar(m)),
            6,
          ),
        ),
      ).toEqual(range(7, 12));
    });

    it('takes the snapshot alone when the held bars end before it: the bars between were never received', () => {
      expect(
        minutesOf(
          mergeSnapshotBars(
            range(1, 10).map((m) => bar(m)),
            range(20, 25).map((m) => bar(m)),
            2000,
          ),
        ),
      ).toEqual(range(20, 25));
    });

    it('keeps the held bars when the snapshot has none, and takes the snapshot when none are held', () => {
      expect(
        minutesOf(
          mergeSnapshotBars(
            range(1, 10).map((m) => bar(m)),
            [],
            2000,
          ),
        ),
      ).toEqual(range(1, 10));
      expect(minutesOf(mergeSnapshotBars([], [bar(2), bar(1)], 2000))).toEqual([1, 2]);
    });
  });
});
