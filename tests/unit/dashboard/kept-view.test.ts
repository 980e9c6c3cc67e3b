import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureView, indexAtTime, restoreRange, timeAtIndex } from '../../../components/chart/kept-view';

/** Open times (chart seconds) of `count` contiguous bars of `interval` seconds from `start`. */
const bars = (start: number, count: number, interval = 60): number[] => Array.from({ length: count }, (_, i) => start + i * interval);

describe('kept view', () => {
  describe('captureView', () => {
    it('sees a view showing the newest bar as at the live edge, with its zoom and right margin', () => {
      const times = bars(0, 100);
      expect(captureView({ from: 54.5, to: 105 }, times, 60)).toEqual({ kind: 'live', span: 50.5, rightOffset: 6 });
      // The newest bar half cut off by the right edge still follows new bars.
      expect(captureView({ from: 40, to: 98.5 }, times, 60)).toMatchObject({ kind: 'live', rightOffset: -0.5 });
    });

    it('sees a view whose right edge is a bar or more before the newest bar as scrolled back, by time', () => {
      const times = bars(6000, 100);
      expect(captureView({ from: 10.5, to: 40.25 }, times, 60)).toEqual({ kind: 'history', span: 29.75, fromTime: 6630, toTime: 8415 });
    });

    it('has nothing to keep without bars or without a range', () => {
      expect(captureView({ from: 0, to: 10 }, [], 60)).toBeUndefined();
      expect(captureView(null, bars(0, 10), 60)).toBeUndefined();
    });
  });

  describe('restoreRange', () => {
    it('puts a live view at the same place relative to the newest bar, whatever the new bar count', () => {
      const view = captureView({ from: 54.5, to: 105 }, bars(0, 100), 60);
      expect(view && restoreRange(view, bars(-18_000, 300), 60)).toEqual({ from: 254.5, to: 305 });
      expect(view && restoreRange(view, bars(5_000, 3), 60)).toEqual({ from: -42.5, to: 8 });
    });

    it('shows the same times after the oldest bars were dropped', () => {
      const before = bars(0, 2500);
      const view = captureView({ from: 700.25, to: 780.75 }, before, 60);
      // The store's window keeps the newest 2000: every index moves down by 500.
      expect(view && restoreRange(view, before.slice(500), 60)).toEqual({ from: 200.25, to: 280.75 });
    });

    it('shows the same times on a history that reaches further back or less far', () => {
      const view = captureView({ from: 10, to: 40 }, bars(6000, 100), 60);
      expect(view && restoreRange(view, bars(0, 300), 60)).toEqual({ from: 110, to: 140 });
      // Times before the new first bar stay where they were on screen, as empty space.
      expect(view && restoreRange(view, bars(6000 + 20 * 60, 100), 60)).toEqual({ from: -10, to: 20 });
    });

    it('shows the oldest bars from the left edge at the same zoom when none of the times on screen has a bar any more', () => {
      const view = captureView({ from: 10, to: 40 }, bars(0, 100), 60);
      expect(view && restoreRange(view, bars(100 * 60, 5), 60)).toEqual({ from: -0.5, to: 29.5 });
    });

    it('shows the newest bars at the right edge when the times on screen are all after the new history', () => {
      const view = captureView({ from: 10, to: 40 }, bars(100 * 60, 100), 60);
      expect(view && restoreRange(view, bars(0, 50), 60)).toEqual({ from: 19.5, to: 49.5 });
    });

    it('has nowhere to put a view on an empty series', () => {
      expect(restoreRange({ kind: 'live', span: 40, rightOffset: 6 }, [], 60)).toBeUndefined();
    });
  });

  describe('indexAtTime', () => {
    it('inverts timeAtIndex on contiguous bars, inside and beyond them', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 50 }),
          fc.double({ min: -100, max: 150, noNaN: true }),
          fc.constantFrom(1, 5, 60, 3600),
          (count, index, interval) => {
            const times = bars(1_700_000_000, count, interval);
            expect(indexAtTime(times, timeAtIndex(times, index, interval), interval)).toBeCloseTo(index, 4);
          },
        ),
      );
    });

    it('does not stretch a view over a gap: a time between two bars lands on the later bar at most', () => {
      const times = [0, 60, 600, 660];
      expect(indexAtTime(times, 90, 60)).toBe(1.5);
      expect(indexAtTime(times, 300, 60)).toBe(2);
      expect(indexAtTime(times, 630, 60)).toBe(2.5);
    });
  });
});
