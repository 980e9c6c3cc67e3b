import { describe, expect, it } from 'vitest';
import { OLDER_EDGE_BARS, countBefore, olderMark, shiftRange, wantsOlderBars } from '../../../components/chart/scroll-back';
import { MIN_OPEN_BARS } from '../../../lib/store/older-bars';

describe('scroll-back', () => {
  describe('wantsOlderBars', () => {
    it('wants older bars while the chart holds less than a screenful at the default zoom', () => {
      expect(wantsOlderBars(MIN_OPEN_BARS - 1, { from: 200, to: 290 })).toBe(true);
      expect(wantsOlderBars(MIN_OPEN_BARS, { from: 200, to: 290 })).toBe(false);
    });

    it('wants older bars when the left edge nears the oldest bar or is past it (zoomed out)', () => {
      expect(wantsOlderBars(500, { from: OLDER_EDGE_BARS, to: 400 })).toBe(false);
      expect(wantsOlderBars(500, { from: OLDER_EDGE_BARS - 0.5, to: 400 })).toBe(true);
      expect(wantsOlderBars(500, { from: -120, to: 506 })).toBe(true);
      expect(wantsOlderBars(500, null)).toBe(false);
    });
  });

  describe('countBefore and shiftRange', () => {
    it('moves the view by the number of bars put in front of the oldest one drawn, so the same bars stay on screen', () => {
      const times = [10, 20, 30, 40, 50, 60];
      expect(countBefore(times, 40)).toBe(3);
      expect(countBefore(times, 5)).toBe(0);
      expect(countBefore(times, 100)).toBe(6);
      // Bars 40..60 were indexes 0..2 with the view on 0.5 .. 2.5; now they are 3..5.
      expect(shiftRange({ from: 0.5, to: 2.5 }, countBefore(times, 40))).toEqual({ from: 3.5, to: 5.5 });
    });
  });

  describe('olderMark', () => {
    it('shows loading whenever a page is in flight', () => {
      expect(olderMark('loading', 200)?.testId).toBe('history-loading');
      expect(olderMark('loading', undefined)?.text).toBe('Loading older bars…');
    });

    it('shows the start of data and a failure only while the oldest bar is on screen', () => {
      expect(olderMark('start', 0.2)?.testId).toBe('history-start');
      expect(olderMark('start', 40)).toBeUndefined();
      expect(olderMark('failed', -3)?.testId).toBe('history-failed');
      expect(olderMark('idle', -3)).toBeUndefined();
      expect(olderMark(undefined, -3)).toBeUndefined();
    });
  });
});
