import { describe, expect, it } from 'vitest';
import { changeDirection, formatChange, formatPrice, formatVolume } from '../../../components/shared/format';
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
