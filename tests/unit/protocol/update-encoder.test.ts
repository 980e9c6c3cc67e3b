import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { BAR_INTERVALS, type Bar, type MarketUpdate, type Quote, type Trade } from '../../../lib/market/types';
import { decodeServerMessage, encodeMessage, encodeUpdateSegment, type AnyMessage } from '../../../lib/protocol';
import { referenceUpdate } from './fixtures/reference-encoding';

const MAX = Number.MAX_SAFE_INTEGER;
const BASE = 1_732_230_000_000_000;

// The encoder writes updates whose fields all fit 32 bits on a fast path and everything else on a
// general path; these values sit on both sides of every boundary between them.
const UNSIGNED_EDGES = [0, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 35, MAX];
const SIGNED_EDGES = [0, -1, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), MAX, -MAX];

const quote: Quote = { kind: 'quote', instrumentId: 7, seq: 11, eventTimeUs: BASE + 250, receiveTimeUs: BASE + 900, bid: 9_712_345, bidSize: 25, ask: 9_712_346, askSize: 12 };
const trade: Trade = { kind: 'trade', instrumentId: 7, seq: 12, eventTimeUs: BASE + 300, receiveTimeUs: BASE + 800, price: 9_712_346, size: 310_000, side: 2, tradeId: 4_087_311_000 };
const bar: Bar = {
  kind: 'bar',
  instrumentId: 7,
  seq: 12,
  eventTimeUs: BASE + 400,
  receiveTimeUs: BASE + 700,
  interval: 60,
  openTimeUs: BASE - 30_000_000,
  open: 100,
  high: 110,
  low: 95,
  close: 105,
  volume: 1000,
  tradeCount: 7,
  vwap: 103,
};

const isValid = (u: MarketUpdate) => {
  const safeUint = (v: number) => Number.isSafeInteger(v) && v >= 0;
  const safeDelta = (a: number, b: number) => Number.isSafeInteger(a) && Number.isSafeInteger(a - b) && Number.isSafeInteger(b);
  if (!safeUint(u.eventTimeUs) || !safeUint(u.receiveTimeUs)) return false;
  if (u.kind === 'quote') return safeDelta(u.ask, u.bid);
  if (u.kind === 'bar') return safeUint(u.openTimeUs) && [u.high, u.low, u.close, u.vwap].every((v) => safeDelta(v, u.open));
  return true;
};

/** Every valid variant of `update` with one field moved to each edge value (deltas moved relative to their reference). */
function edgeVariants(): MarketUpdate[] {
  const out: MarketUpdate[] = [];
  for (const v of UNSIGNED_EDGES) {
    out.push({ ...quote, instrumentId: v }, { ...quote, seq: v }, { ...quote, bidSize: v }, { ...quote, askSize: v });
    out.push({ ...trade, size: v }, { ...trade, tradeId: v }, { ...trade, seq: v });
    out.push({ ...bar, volume: v }, { ...bar, tradeCount: v }, { ...bar, instrumentId: v });
  }
  for (const d of SIGNED_EDGES) {
    out.push({ ...quote, eventTimeUs: BASE + d, receiveTimeUs: BASE + d }, { ...quote, receiveTimeUs: quote.eventTimeUs + d });
    out.push({ ...quote, bid: d, ask: d + 1 }, { ...quote, ask: quote.bid + d });
    out.push({ ...trade, price: d }, { ...trade, eventTimeUs: BASE + d, receiveTimeUs: BASE + d });
    out.push({ ...bar, openTimeUs: BASE + d }, { ...bar, open: d, high: d, low: d, close: d, vwap: d });
    out.push({ ...bar, high: bar.open + d }, { ...bar, low: bar.open + d }, { ...bar, close: bar.open + d }, { ...bar, vwap: bar.open + d });
  }
  return out.filter(isValid);
}

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
      const near = (v: number) => fc.oneof(fc.integer({ min: -5000, max: 5000 }).map((d) => v + d), signed.map((d) => v + d));
      const times = { instrumentId: unsigned, seq: unsigned, eventTimeUs: near(BASE), receiveTimeUs: near(BASE) };
      const quotes = fc.record({ kind: fc.constant('quote' as const), ...times, bid: signed, bidSize: unsigned, ask: signed, askSize: unsigned });
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
      const updates = fc.array(fc.oneof(quotes, trades, bars) as fc.Arbitrary<MarketUpdate>, { maxLength: 8 }).map((us) => us.filter(isValid));
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
