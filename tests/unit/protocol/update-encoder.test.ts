import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { BAR_INTERVALS, type MarketUpdate } from '../../../lib/market/types';
import { decodeServerMessage, encodeMessage, encodeUpdateSegment, type AnyMessage } from '../../../lib/protocol';
import { BASE, SIGNED_EDGES, UNSIGNED_EDGES, bar, edgeVariants, isValidUpdate, quote, session, trade } from './fixtures/edge-updates';
import { referenceUpdate } from './fixtures/reference-encoding';

describe('Update encoder', () => {
  describe('#encodeUpdateSegment', () => {
    it('writes the reference bytes for every field on both sides of the fast path 32-bit limits', () => {
      const variants = edgeVariants();
      expect(variants.length).toBeGreaterThan(250);
      for (const update of variants) {
        expect([...encodeUpdateSegment([update], BASE)]).toStrictEqual(referenceUpdate(update, BASE));
      }
    });

    it('writes the reference bytes for runs mixing fast-path and general-path updates', () => {
      const unsigned = fc.oneof(fc.constantFrom(...UNSIGNED_EDGES), fc.nat(), fc.maxSafeNat());
      const signed = fc.oneof(fc.constantFrom(...SIGNED_EDGES), fc.integer(), fc.maxSafeInteger());
      const near = (v: number) =>
        fc.oneof(
          fc.integer({ min: -5000, max: 5000 }).map((d) => v + d),
          signed.map((d) => v + d),
        );
      const times = { instrumentId: unsigned, seq: unsigned, eventTimeUs: near(BASE), receiveTimeUs: near(BASE) };
      const quotes = fc.record({
        kind: fc.constant('quote' as const),
        ...times,
        bid: signed,
        bidSize: unsigned,
        ask: signed,
        askSize: unsigned,
      });
      const trades = fc.record({
        kind: fc.constant('trade' as const),
        ...times,
        price: signed,
        size: unsigned,
        side: fc.constantFrom(0 as const, 1 as const, 2 as const),
        tradeId: fc.oneof(unsigned, fc.string({ maxLength: 20 })),
      });
      const bars = signed.chain((open) =>
        fc.record({
          kind: fc.constant('bar' as const),
          ...times,
          interval: fc.constantFrom(...BAR_INTERVALS),
          openTimeUs: near(BASE),
          open: fc.constant(open),
          high: near(open),
          low: near(open),
          close: near(open),
          volume: unsigned,
          tradeCount: unsigned,
          vwap: near(open),
        }),
      );
      const sessions = signed.chain((open) =>
        fc.record({
          kind: fc.constant('session' as const),
          ...times,
          startTimeUs: near(BASE),
          open: fc.constant(open),
          high: near(open),
          low: near(open),
          close: near(open),
          volume: unsigned,
          tradeCount: unsigned,
        }),
      );
      const updates = fc
        .array(fc.oneof(quotes, trades, bars, sessions) as fc.Arbitrary<MarketUpdate>, { maxLength: 8 })
        .map((us) => us.filter(isValidUpdate));
      fc.assert(
        fc.property(updates, (us) => {
          expect([...encodeUpdateSegment(us, BASE)]).toStrictEqual(us.flatMap((u) => referenceUpdate(u, BASE)));
        }),
        { numRuns: 500 },
      );
    });

    it('refuses bigint, symbol and object values with the TypeError naming the field, without calling valueOf', () => {
      const valueOf = vi.fn(() => 5);
      const cases: [MarketUpdate, string][] = [
        [{ ...quote, seq: 5n as unknown as number }, 'quote.seq'],
        [{ ...quote, eventTimeUs: BigInt(BASE) as unknown as number }, 'quote.eventTimeUs'],
        [{ ...trade, size: Symbol('size') as unknown as number }, 'trade.size'],
        [{ ...trade, tradeId: { valueOf } as unknown as number }, 'trade.tradeId'],
        [{ ...bar, volume: { valueOf } as unknown as number }, 'bar.volume'],
        [{ ...quote, bid: 5n as unknown as number }, 'quote.bid'],
        [{ ...bar, high: 7n as unknown as number }, 'bar.high'],
        [{ ...session, volume: { valueOf } as unknown as number }, 'session.volume'],
        [{ ...session, close: 7n as unknown as number }, 'session.close'],
      ];
      for (const [update, field] of cases) {
        const encode = () => encodeUpdateSegment([update], BASE);
        expect(encode).toThrow(TypeError);
        expect(encode).toThrow(new RegExp(`^${field.replace('.', '\\.')} must be`));
      }
      expect(valueOf).not.toHaveBeenCalled();
    });
  });

  describe('#encodeMessage', () => {
    it('round-trips batches whose updates alternate between the fast and the general path', () => {
      const updates = edgeVariants();
      const msg: AnyMessage = { type: 'batch', conflated: true, updates };
      expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
    });
  });
});
