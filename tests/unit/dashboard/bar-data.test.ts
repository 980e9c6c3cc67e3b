import { describe, expect, it } from 'vitest';
import { barChange } from '../../../components/chart/bar-data';
import type { Bar } from '../../../lib/market/types';

const bar = (open: number, close: number): Bar => ({
  kind: 'bar', instrumentId: 1, seq: 1, eventTimeUs: 0, receiveTimeUs: 0, interval: 60, openTimeUs: 0,
  open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1, tradeCount: 1, vwap: close,
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
});
