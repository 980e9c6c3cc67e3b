import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../lib/market/types';
import {
  MAX_CHART_BARS,
  OLDER_RETRY_MS,
  canLoadOlder,
  freshOlderBars,
  mergeOlderBars,
  olderFailed,
  olderPageEnd,
} from '../../../lib/store/older-bars';

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
const range = (first: number, last: number, close = 100): Bar[] =>
  Array.from({ length: last - first + 1 }, (_, i) => bar(first + i, close));

describe('older bars', () => {
  describe('mergeOlderBars', () => {
    it('puts a page of older bars in front of the held ones and counts them', () => {
      const merged = mergeOlderBars(range(100, 399), { bars: range(0, 99), more: true }, freshOlderBars(2000));
      expect(minutesOf(merged.bars)).toEqual(range(0, 399).map((b) => b.openTimeUs / 60_000_000));
      expect(merged.prepended).toBe(100);
      expect(merged.older.status).toBe('idle');
    });

    it('keeps one bar per open time, the held (live) bar winning over the page', () => {
      // The page overlaps the held bars by 3 (a page asked with endTimeUs 0 carries the forming bar).
      const merged = mergeOlderBars(range(10, 20, 2), { bars: range(5, 12, 1), more: true }, freshOlderBars(2000));
      expect(minutesOf(merged.bars)).toEqual(range(5, 20).map((b) => b.openTimeUs / 60_000_000));
      expect(merged.bars.filter((b) => b.openTimeUs >= bar(10).openTimeUs).every((b) => b.close === 2)).toBe(true);
      expect(merged.bars.slice(0, 5).every((b) => b.close === 1)).toBe(true);
      expect(merged.prepended).toBe(5);
    });

    it('fills a gap between held bars from the page without counting it as prepended', () => {
      const held = [bar(10), bar(12), bar(13)];
      const merged = mergeOlderBars(held, { bars: [bar(8), bar(9), bar(11)], more: true }, freshOlderBars(2000));
      expect(minutesOf(merged.bars)).toEqual([8, 9, 10, 11, 12, 13]);
      expect(merged.prepended).toBe(2);
    });

    it('says start of data when the server has nothing older', () => {
      const merged = mergeOlderBars(range(10, 20), { bars: range(0, 9), more: false }, freshOlderBars(2000));
      expect(merged.older.status).toBe('start');
      expect(mergeOlderBars(range(10, 20), { bars: [], more: false }, freshOlderBars(2000)).older.status).toBe('start');
    });

    it('says start of data when a page brings nothing older although the server says more (asking again would repeat it)', () => {
      const merged = mergeOlderBars(range(10, 20), { bars: range(15, 20), more: true }, freshOlderBars(2000));
      expect(merged.prepended).toBe(0);
      expect(merged.older.status).toBe('start');
    });

    it('grows the limit by the bars put in front, so live bars do not push the page out sooner than the window would', () => {
      const merged = mergeOlderBars(range(500, 699), { bars: range(0, 499), more: true }, freshOlderBars(200));
      expect(merged.bars).toHaveLength(700);
      expect(merged.older.limit).toBe(700);
      expect(mergeOlderBars(range(10, 11), { bars: [bar(9)], more: true }, freshOlderBars(200)).older.limit).toBe(201);
    });

    it(`stops at ${MAX_CHART_BARS} bars, dropping the oldest, and then is not at the start`, () => {
      const older = { ...freshOlderBars(2000), limit: MAX_CHART_BARS };
      const held = range(1000, 1000 + MAX_CHART_BARS - 1);
      const merged = mergeOlderBars(held, { bars: range(500, 999), more: false }, older);
      expect(merged.bars).toHaveLength(MAX_CHART_BARS);
      expect(merged.bars[0]).toBe(held[0]);
      expect(merged.prepended).toBe(0);
      expect(merged.older.status).toBe('idle');
    });

    it('skips page bars out of order instead of breaking the ascending list', () => {
      const merged = mergeOlderBars([bar(10)], { bars: [bar(5), bar(3), bar(7)], more: true }, freshOlderBars(2000));
      expect(minutesOf(merged.bars)).toEqual([5, 7, 10]);
    });
  });

  describe('canLoadOlder', () => {
    it('allows a request when idle, never while loading or at the start, and after a failure only once the retry wait passed', () => {
      const idle = freshOlderBars(10);
      expect(canLoadOlder(idle, 0)).toBe(true);
      expect(canLoadOlder({ ...idle, status: 'loading' }, 0)).toBe(false);
      expect(canLoadOlder({ ...idle, status: 'start' }, 0)).toBe(false);
      const failed = olderFailed({ ...idle, status: 'loading' }, 1_000);
      expect(failed.status).toBe('failed');
      expect(canLoadOlder(failed, 1_000 + OLDER_RETRY_MS - 1)).toBe(false);
      expect(canLoadOlder(failed, 1_000 + OLDER_RETRY_MS)).toBe(true);
    });
  });

  it('asks for the page ending at the oldest bar, or for the newest bars when there are none', () => {
    expect(olderPageEnd([bar(7), bar(8)])).toBe(bar(7).openTimeUs);
    expect(olderPageEnd([])).toBe(0);
  });
});
