import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketUpdate } from '../../../lib/market/types';
import { assembleBatch, decodeServerMessage, encodeMessage, encodeUpdateSegment } from '../../../lib/protocol';
import { update } from './fixtures/arbitraries';

const base = fc.oneof(fc.integer({ min: 1_700_000_000_000_000, max: 1_800_000_000_000_000 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER));

describe('Segments', () => {
  describe('#assembleBatch', () => {
    it('decodes to the concatenation of separately encoded segments', () => {
      fc.assert(
        fc.property(fc.boolean(), base, fc.array(fc.array(update, { maxLength: 6 }), { maxLength: 6 }), (conflated, baseTimeUs, groups) => {
          const segments = groups.map((g) => encodeUpdateSegment(g, baseTimeUs));
          const all = groups.flat();
          const bytes = assembleBatch(conflated, baseTimeUs, all.length, segments);
          expect(decodeServerMessage(bytes)).toStrictEqual({ type: 'batch', conflated, updates: all });
        }),
        { numRuns: 300 },
      );
    });

    it('lets the same segment bytes go into many batches in any selection and order (fan-out)', () => {
      fc.assert(
        fc.property(
          base,
          fc.array(fc.array(update, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
          fc.array(fc.nat(), { maxLength: 8 }),
          (baseTimeUs, groups, picks) => {
            const segments = groups.map((g) => encodeUpdateSegment(g, baseTimeUs));
            const chosen = picks.map((p) => p % groups.length);
            const expected: MarketUpdate[] = chosen.flatMap((i) => groups[i]!);
            const bytes = assembleBatch(
              false,
              baseTimeUs,
              expected.length,
              chosen.map((i) => segments[i]!),
            );
            expect(decodeServerMessage(bytes)).toStrictEqual({ type: 'batch', conflated: false, updates: expected });
          },
        ),
        { numRuns: 200 },
      );
    });

    it('produces the same bytes as encodeMessage when based on the first update event time', () => {
      fc.assert(
        fc.property(fc.array(update, { minLength: 1, maxLength: 10 }), fc.nat({ max: 10 }), (updates, cut) => {
          const baseTimeUs = updates[0]!.eventTimeUs;
          const at = Math.min(cut, updates.length);
          const segments = [encodeUpdateSegment(updates.slice(0, at), baseTimeUs), encodeUpdateSegment(updates.slice(at), baseTimeUs)];
          expect(assembleBatch(true, baseTimeUs, updates.length, segments)).toStrictEqual(
            encodeMessage({ type: 'batch', conflated: true, updates }),
          );
        }),
        { numRuns: 200 },
      );
    });

    it('builds an empty batch from no segments', () => {
      expect(decodeServerMessage(assembleBatch(false, 123, 0, []))).toStrictEqual({ type: 'batch', conflated: false, updates: [] });
    });

    it('refuses bad arguments with errors naming them', () => {
      expect(() => assembleBatch('yes' as unknown as boolean, 0, 0, [])).toThrow(/conflated/);
      expect(() => assembleBatch(false, -1, 0, [])).toThrow(/baseTimeUs/);
      expect(() => assembleBatch(false, 0, 1.5, [])).toThrow(/count/);
      expect(() => assembleBatch(false, 0, 0, ['x' as unknown as Uint8Array])).toThrow(/segments/);
    });
  });

  describe('#encodeUpdateSegment', () => {
    it('refuses a base time that is not a non-negative safe integer', () => {
      expect(() => encodeUpdateSegment([], -5)).toThrow(RangeError);
      expect(() => encodeUpdateSegment([], Number.NaN)).toThrow(/baseTimeUs/);
    });
  });
});
