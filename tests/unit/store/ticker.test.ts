import { describe, expect, it } from 'vitest';
import { emptyTicker, sessionChange } from '../../../lib/store/ticker';

const ticker = (open: number | undefined, last: number | undefined) => ({ ...emptyTicker(1), open, last });

describe('ticker', () => {
  describe('sessionChange', () => {
    it('is the move from the session open as a fraction of the open', () => {
      expect(sessionChange(ticker(10_000, 10_125))).toBeCloseTo(0.0125, 12);
      expect(sessionChange(ticker(10_000, 9_875))).toBeCloseTo(-0.0125, 12);
    });

    it('keeps the sign of the move when the open is negative (a price that rose is up)', () => {
      // -10.00 -> -5.00 is a rise of 5.00, half the size of the open: +50 %.
      expect(sessionChange(ticker(-1_000, -500))).toBeCloseTo(0.5, 12);
      expect(sessionChange(ticker(-1_000, -1_500))).toBeCloseTo(-0.5, 12);
      expect(sessionChange(ticker(-1_000, 1_000))).toBeCloseTo(2, 12);
    });

    it('is undefined before a trade and for a zero open', () => {
      expect(sessionChange(ticker(undefined, undefined))).toBeUndefined();
      expect(sessionChange(ticker(0, 5))).toBeUndefined();
    });
  });
});
