import { describe, expect, it } from 'vitest';
import { changeDirection, formatChange, formatDuration, formatPrice, formatVolume } from '../../../components/shared/format';
import { formatClockMs, formatTickMark, TICK_MARK } from '../../../components/shared/time-format';

describe('format', () => {
  describe('formatPrice', () => {
    it('writes mantissas exactly at the instrument precision', () => {
      expect(formatPrice(1234, 8)).toBe('0.00001234');
      expect(formatPrice(5998207, 2)).toBe('59982.07');
      expect(formatPrice(undefined, 2)).toBe('—');
    });
  });

  describe('formatChange', () => {
    it('signs a change and shows one that rounds to zero as unsigned', () => {
      expect(formatChange(0.0125)).toBe('+1.25%');
      expect(formatChange(-0.0125)).toBe('−1.25%');
      expect(formatChange(-0.00001)).toBe('0.00%');
      expect(changeDirection(-0.00001)).toBe(0);
    });

    it('shows a fall of half a basis point as signed and down, like the same rise', () => {
      // 20000.00 -> 19999.00 and 20000.00 -> 20001.00
      const fall = (1_999_900 - 2_000_000) / 2_000_000;
      const rise = (2_000_100 - 2_000_000) / 2_000_000;
      expect(formatChange(fall)).toBe('−0.01%');
      expect(changeDirection(fall)).toBe(-1);
      expect(formatChange(rise)).toBe('+0.01%');
      expect(changeDirection(rise)).toBe(1);
    });
  });

  describe('formatDuration', () => {
    it('writes milliseconds, seconds and minutes', () => {
      expect(formatDuration(42.4)).toBe('42 ms');
      expect(formatDuration(3_140)).toBe('3.1 s');
      expect(formatDuration(125_000)).toBe('2 min 5 s');
      expect(formatDuration(undefined)).toBe('—');
    });

    it('carries rounding into the next unit instead of showing 60 seconds or 1000 ms', () => {
      expect(formatDuration(999.7)).toBe('1.0 s');
      expect(formatDuration(59_960)).toBe('1 min 0 s');
      expect(formatDuration(119_600)).toBe('2 min 0 s');
      expect(formatDuration(3_599_700)).toBe('60 min 0 s');
    });
  });

  describe('formatVolume', () => {
    it('compacts large volumes and keeps small ones short', () => {
      expect(formatVolume(163_110_000, 0)).toBe('163.1M');
      expect(formatVolume(912_345, 8)).toBe('0.00912');
      expect(formatVolume(215, 2)).toBe('2.15');
    });

    it('never falls into exponent notation for a tiny volume', () => {
      expect(formatVolume(10, 8)).toBe('0.0000001');
      expect(formatVolume(1234, 12)).toBe('0.00000000123');
      expect(formatVolume(50_000, 5)).toBe('0.5');
    });
  });

  describe('time formatting', () => {
    it('shows UTC clock times with milliseconds', () => {
      expect(formatClockMs(Date.UTC(2024, 0, 2, 3, 4, 5, 67) * 1000, 'utc')).toBe('03:04:05.067');
    });

    it('labels time-axis marks by their kind', () => {
      const t = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
      expect(formatTickMark(t, TICK_MARK.Time, 'utc')).toBe('03:04');
      expect(formatTickMark(t, TICK_MARK.TimeWithSeconds, 'utc')).toBe('03:04:05');
      expect(formatTickMark(t, TICK_MARK.Year, 'utc')).toBe('2024');
    });
  });
});
