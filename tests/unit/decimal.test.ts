import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DECIMALS, formatDecimal, numberToMantissa, parseDecimal, toMantissa } from '../../lib/market/decimal';

/**
 * The meaning of parseDecimal, written the slow and obvious way with BigInt: the text must be
 * `-?digits(.digits)?`, digits past `decimals` must all be zero, and the mantissa must be safe.
 */
function reference(text: string, decimals: number): number | undefined {
  const match = /^(-)?([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (!match) return undefined;
  const [, minus, whole = '', fraction = ''] = match;
  if (/[1-9]/.test(fraction.slice(decimals))) return undefined;
  const mantissa = BigInt(whole + fraction.slice(0, decimals).padEnd(decimals, '0'));
  if (mantissa > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const value = Number(mantissa);
  return minus && value !== 0 ? -value : value;
}

describe('parseDecimal', () => {
  it('reads a venue price exactly at its precision', () => {
    expect(parseDecimal('0.00012345', 8)).toBe(12345);
    expect(formatDecimal(parseDecimal('0.00012345', 8)!, 8)).toBe('0.00012345');
    expect(parseDecimal('67012.5', 2)).toBe(6701250);
    expect(parseDecimal('42', 0)).toBe(42);
    expect(parseDecimal('-1.25', 2)).toBe(-125);
  });

  it('accepts leading zeros and zeros past the precision, and reads -0 as 0', () => {
    expect(parseDecimal('007.10', 2)).toBe(710);
    expect(parseDecimal('1.2300000000', 2)).toBe(123);
    expect(parseDecimal('-0.000', 2)).toBe(0);
    expect(Object.is(parseDecimal('-0', 0), 0)).toBe(true);
  });

  it('refuses digits finer than the precision', () => {
    expect(parseDecimal('1.001', 2)).toBeUndefined();
    expect(parseDecimal('0.5', 0)).toBeUndefined();
  });

  it('refuses text that is not a plain decimal', () => {
    for (const text of ['', '-', '.5', '1.', '1..2', '+1', '1e5', ' 1', '1 ', '0x10', '1,5', 'NaN', 'Infinity', '١٢', '1.2.3', '--1']) {
      expect(parseDecimal(text, 4), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('refuses a mantissa past the safe integer range, and takes the largest safe one', () => {
    expect(parseDecimal('9007199254740991', 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseDecimal('9007199254740992', 0)).toBeUndefined();
    expect(parseDecimal('90071992547409.91', 2)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseDecimal('90071992547409.92', 2)).toBeUndefined();
    // 1 at 18 places is the mantissa 10^18, past 2^53.
    expect(parseDecimal('1', 18)).toBeUndefined();
    expect(parseDecimal('0.001', 18)).toBe(1e15);
    expect(parseDecimal('123456789012345678901234567890', 0)).toBeUndefined();
  });

  it('agrees with a BigInt reference on any decimal text', () => {
    const digits = (max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: max }).map((d) => d.join(''));
    const decimalText = fc
      .tuple(fc.boolean(), digits(20), fc.option(digits(22), { nil: undefined }))
      .map(([minus, whole, fraction]) => `${minus ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(fc.oneof(decimalText, fc.string({ maxLength: 12 })), fc.integer({ min: 0, max: MAX_DECIMALS }), (text, decimals) => {
        expect(parseDecimal(text, decimals)).toBe(reference(text, decimals));
      }),
      { numRuns: 20_000 },
    );
  });

  it('round-trips every mantissa it formats', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: MAX_DECIMALS }), (mantissa, decimals) => {
        expect(parseDecimal(formatDecimal(mantissa, decimals), decimals)).toBe(mantissa === 0 ? 0 : mantissa);
        expect(toMantissa(formatDecimal(mantissa, decimals), decimals)).toBe(mantissa === 0 ? 0 : mantissa);
      }),
      { numRuns: 5_000 },
    );
  });

  describe('#numberToMantissa', () => {
    it('accepts a number on the precision grid, whatever binary rounding did to it', () => {
      expect(numberToMantissa(0.1 + 0.2, 2)).toBe(30);
      expect(numberToMantissa(60000.12, 2)).toBe(6_000_012);
      expect(numberToMantissa(0.00012345, 8)).toBe(12_345);
      // A simulated price walked up one tick at a time gathers float error, but stays on the grid.
      let price = 600;
      for (let i = 0; i < 10_000; i++) price += 0.01;
      expect(price).not.toBe(700);
      expect(numberToMantissa(price, 2)).toBe(70_000);
      fc.assert(
        fc.property(fc.integer({ min: -1e15, max: 1e15 }), fc.integer({ min: 0, max: 8 }), (mantissa, decimals) => {
          expect(numberToMantissa(Number(formatDecimal(mantissa, decimals)), decimals)).toBe(mantissa === 0 ? 0 : mantissa);
        }),
        { numRuns: 20_000 },
      );
    });

    it('refuses a number with a digit finer than the precision instead of rounding it', () => {
      expect(numberToMantissa(60000.125, 2)).toBeUndefined();
      expect(numberToMantissa(60000.12345, 2)).toBeUndefined();
      expect(numberToMantissa(1.0000001, 2)).toBeUndefined();
      expect(numberToMantissa(Number.NaN, 2)).toBeUndefined();
    });
  });
});
