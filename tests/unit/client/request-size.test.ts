import { describe, expect, it } from 'vitest';
import { encodedByteLength, longestFittingPrefix, splitToFit } from '../../../lib/client/request-size';

/** A message of `part`: 3 bytes of header plus each item's length. */
const bytesOf = (part: readonly string[]) => 3 + part.reduce((sum, s) => sum + s.length, 0);

describe('request size', () => {
  describe('encodedByteLength', () => {
    it('counts bytes, and UTF-8 bytes of text', () => {
      expect(encodedByteLength(new Uint8Array(5))).toBe(5);
      expect(encodedByteLength('{"symbol":"ÉTH-€"}')).toBe(21); // 18 characters: É is 2 bytes, € is 3
    });
  });

  describe('longestFittingPrefix', () => {
    it('finds the longest run of items whose message fits', () => {
      const items = ['aaaa', 'bbbb', 'cccc', 'dddd'];
      expect(longestFittingPrefix(items, bytesOf, 100)).toBe(4);
      expect(longestFittingPrefix(items, bytesOf, 11)).toBe(2);
      expect(longestFittingPrefix(items, bytesOf, 10)).toBe(1);
    });

    it('always takes at least one item, so a caller makes progress', () => {
      expect(longestFittingPrefix(['a-very-long-item'], bytesOf, 4)).toBe(1);
      expect(longestFittingPrefix([], bytesOf, 4)).toBe(0);
    });
  });

  describe('splitToFit', () => {
    it('cuts items into consecutive parts that each fit, keeping their order', () => {
      const items = Array.from({ length: 10 }, (_, i) => `item${i}`);
      const parts = splitToFit(items, bytesOf, 20);
      expect(parts.flat()).toEqual(items);
      for (const part of parts) expect(bytesOf(part)).toBeLessThanOrEqual(20);
      expect(parts.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    });

    it('keeps a list that fits in one part (an empty one too)', () => {
      expect(splitToFit(['a', 'b'], bytesOf, 100)).toEqual([['a', 'b']]);
      expect(splitToFit([], bytesOf, 100)).toEqual([[]]);
    });
  });
});
