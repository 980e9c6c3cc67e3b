import { describe, expect, it } from 'vitest';
import { barChange, barTime, olderBarChanges } from '../../../components/chart/bar-data';
import { upsertBar } from '../../../lib/store/bar-series';
import type { Bar } from '../../../lib/market/types';

const bar = (open: number, close: number): Bar => ({
  kind: 'bar',
  instrumentId: 1,
  seq: 1,
  eventTimeUs: 0,
  receiveTimeUs: 0,
  interval: 60,
  openTimeUs: 0,
  open,
  high: Math.max(open, close),
  low: Math.min(open, close),
  close,
  volume: 1,
  tradeCount: 1,
  vwap: close,
});

describe('bar-data', () => {
  describe('barChange', () => {
    it('is close against open as a fraction of the open', () => {
      expect(barChange(bar(10_000, 10_125))).toBeCloseTo(0.0125, 12);
    });

    it('keeps the sign of the move for a negative open', () => {
      expect(barChange(bar(-1_000, -500))).toBeCloseTo(0.5, 12);
    });

    it('is undefined for a zero open', () => {
      expect(barChange(bar(0, 5))).toBeUndefined();
    });
  });

  describe('olderBarChanges', () => {
    const MINUTE_US = 60_000_000;
    /** A 1m bar opening `minute` minutes after the epoch, closing at `close`. */
    const minuteBar = (minute: number, close = 100): Bar => ({ ...bar(100, close), openTimeUs: minute * MINUTE_US });
    const drawn = [minuteBar(1), minuteBar(2), minuteBar(3), minuteBar(4)];
    const newest = barTime(drawn[3]!);

    it('finds nothing when only the newest bar changed', () => {
      const next = upsertBar(drawn.slice(), minuteBar(4, 105), 10);
      expect(olderBarChanges(drawn, next, newest)).toEqual({ revised: [], inserted: false });
    });

    it('finds an older bar a late trade revised, and only that one', () => {
      const late = minuteBar(2, 97);
      const next = upsertBar(upsertBar(drawn.slice(), late, 10), minuteBar(5), 10);
      const changes = olderBarChanges(drawn, next, newest);
      expect(changes.inserted).toBe(false);
      expect(changes.revised).toHaveLength(1);
      expect(changes.revised[0]).toBe(late);
    });

    it('says a bar must be inserted when a late trade opened one between drawn bars', () => {
      const gapped = [drawn[0]!, drawn[2]!, drawn[3]!];
      const next = upsertBar(gapped.slice(), minuteBar(2), 10);
      expect(olderBarChanges(gapped, next, newest).inserted).toBe(true);
    });

    it('ignores the oldest bars the window dropped', () => {
      const next = upsertBar(drawn.slice(), minuteBar(5), 3);
      expect(next.map((b) => b.openTimeUs / MINUTE_US)).toEqual([3, 4, 5]);
      expect(olderBarChanges(drawn, next, newest)).toEqual({ revised: [], inserted: false });
    });

    it('looks at nothing before anything was drawn', () => {
      expect(olderBarChanges([], drawn, -Infinity)).toEqual({ revised: [], inserted: false });
    });
  });
});
