import { describe, expect, it } from 'vitest';
import { fitUtf8 } from '../../../lib/text/fit-utf8';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('fitUtf8', () => {
  it('returns text that fits unchanged', () => {
    expect(fitUtf8('unknown instrument', 18)).toBe('unknown instrument');
    expect(fitUtf8('€€', 6)).toBe('€€');
  });

  it('cuts text that does not fit to the budget, ending in "…"', () => {
    expect(fitUtf8('abcdefghij', 8)).toBe('abcde…');
    expect(bytes(fitUtf8('x'.repeat(2000), 1024))).toBe(1024);
  });

  it('counts UTF-8 bytes, not UTF-16 units, and never splits a code point', () => {
    // '€' is 3 bytes: 10 bytes leave room for two and the "…" (9 bytes), not three.
    expect(fitUtf8('€€€€', 10)).toBe('€€…');
    expect(fitUtf8('😀😀😀', 9)).toBe('😀…');
  });

  it('has no room for the "…" below 3 bytes and cuts without it', () => {
    expect(fitUtf8('abcdef', 2)).toBe('ab');
    expect(fitUtf8('abcdef', 0)).toBe('');
  });

  it('stays within the budget for any text (lone surrogates count as 3 bytes)', () => {
    for (const text of ['\ud800'.repeat(50), 'a€😀'.repeat(40), 'é'.repeat(99)]) {
      for (const max of [3, 4, 5, 50, 123]) expect(bytes(fitUtf8(text, max))).toBeLessThanOrEqual(max);
    }
  });

  it('refuses a budget that is not a non-negative integer', () => {
    expect(() => fitUtf8('x', -1)).toThrow(RangeError);
    expect(() => fitUtf8('x', 1.5)).toThrow(RangeError);
  });
});
