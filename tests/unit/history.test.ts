import { describe, expect, it } from 'vitest';
import { History } from '../../server/history/history';
import { TickRing } from '../../server/history/tick-ring';
import type { Tick } from '../../server/bus/types';
import { Side, type Quote, type Trade } from '../../lib/market/types';

const T0 = 1_699_999_200_000_000; // aligned to every bar interval

function tradeTick(instrumentId: number, seq: number, price = 100 + seq, timeUs = T0 + seq * 10_000): Trade {
  return {
    kind: 'trade',
    instrumentId,
    seq,
    eventTimeUs: timeUs,
    receiveTimeUs: timeUs + 5,
    price,
    size: 2,
    side: Side.Sell,
    tradeId: seq,
  };
}

function quoteTick(instrumentId: number, seq: number): Quote {
  const timeUs = T0 + seq * 10_000;
  return {
    kind: 'quote',
    instrumentId,
    seq,
    eventTimeUs: timeUs,
    receiveTimeUs: timeUs + 5,
    bid: 99 + seq,
    bidSize: 1,
    ask: 101 + seq,
    askSize: 3,
  };
}

/** Alternating trades and quotes with consecutive seqs 1..count. */
function ticks(instrumentId: number, count: number, firstSeq = 1): Tick[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = firstSeq + i;
    return seq % 2 === 0 ? quoteTick(instrumentId, seq) : tradeTick(instrumentId, seq);
  });
}

describe('TickRing', () => {
  it('keeps the newest ticks up to capacity, oldest first, rebuilt field for field', () => {
    const ring = new TickRing(7, 3);
    const input = [tradeTick(7, 1), quoteTick(7, 2), { ...tradeTick(7, 3), tradeId: 'fx-3', side: Side.Buy }, quoteTick(7, 4)];
    for (const tick of input) ring.push(tick);
    expect(ring.size).toBe(3);
    expect(ring.slice()).toEqual(input.slice(1));
    expect(ring.last(2)).toEqual(input.slice(2));
    expect([ring.at(0), ring.at(3), ring.seqAt(2), ring.seqAt(-1)]).toEqual([input[1], undefined, 4, undefined]);
  });

  it('keeps prices, sizes, ids and µs times above 2^32 exact', () => {
    const ring = new TickRing(1, 2);
    const big = {
      ...tradeTick(1, 9_007_199_254_740_000, 9_007_199_254_740_991),
      size: 2 ** 52 + 1,
      tradeId: 2 ** 53 - 1,
      eventTimeUs: 2 ** 53 - 2,
      receiveTimeUs: 2 ** 53 - 1,
    };
    ring.push(big);
    expect(ring.at(0)).toEqual(big);
  });

  it('finds the first tick after a sequence number by binary search', () => {
    const ring = new TickRing(1, 4);
    for (const tick of ticks(1, 6)) ring.push(tick); // holds seqs 3..6
    expect([ring.firstIndexAfterSeq(0), ring.firstIndexAfterSeq(3), ring.firstIndexAfterSeq(5), ring.firstIndexAfterSeq(6)]).toEqual([
      0, 1, 3, 4,
    ]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new TickRing(1, 0)).toThrow(TypeError);
  });
});

describe('History', () => {
  describe('constructor', () => {
    it('names the invalid option', () => {
      expect(() => new History({ tickCapacity: 0 })).toThrow(/tickCapacity/);
      expect(() => new History({ barCapacity: 1.5 })).toThrow(/barCapacity/);
      expect(() => new History({ intervals: [7 as never] })).toThrow(/intervals/);
    });
  });

  describe('#apply', () => {
    it('stays within every capacity under ten times as much input', () => {
      const history = new History({ tickCapacity: 50, tradeCapacity: 20, barCapacity: 10, intervals: [1, 60] });
      // 500 ticks 1 s apart: 250 trades, one per 1 s bar.
      const input = Array.from({ length: 500 }, (_, i) =>
        i % 2 === 0 ? tradeTick(1, i + 1, 100, T0 + i * 1_000_000) : quoteTick(1, i + 1),
      );
      history.apply(input);
      expect(history.ticksAfter(1, 450)).toHaveLength(50);
      expect(history.ticksAfter(1, 449)).toBeUndefined();
      expect(history.recentTrades(1)).toHaveLength(20);
      expect(history.bars(1, 1)).toHaveLength(10);
      expect(history.bars(1, 60).length).toBeLessThanOrEqual(10);
      expect(history.stats()).toMatchObject({ instruments: 1, ticks: 50 });
      expect(history.stats().bars).toBeLessThanOrEqual(20);
    });

    it('returns one changed bar per instrument and interval touched, in its latest state', () => {
      const history = new History({ intervals: [1, 60] });
      const changed = history.apply([tradeTick(1, 1, 100), tradeTick(2, 1, 50), tradeTick(1, 2, 103), quoteTick(1, 3)]);
      expect(changed.map((b) => [b.instrumentId, b.interval, b.close, b.tradeCount])).toEqual([
        [1, 1, 103, 2],
        [1, 60, 103, 2],
        [2, 1, 50, 1],
        [2, 60, 50, 1],
      ]);
      expect(history.currentBar(1, 60)).toBe(changed[1]);
    });

    it('returns nothing for quotes only', () => {
      expect(new History().apply([quoteTick(1, 1)])).toEqual([]);
    });

    it('ignores a tick whose seq is not above the last applied', () => {
      const history = new History();
      history.apply(ticks(1, 5));
      history.apply([tradeTick(1, 3, 999)]);
      expect(history.lastSeq(1)).toBe(5);
      expect(history.recentTrades(1).map((t) => t.price)).not.toContain(999);
      expect(history.stats().ignored).toBe(1);
    });
  });

  describe('#ticksAfter', () => {
    const history = new History({ tickCapacity: 10 });
    history.apply(ticks(1, 25));

    it('returns every tick after a position the ring still holds', () => {
      expect(history.ticksAfter(1, 17)?.map((t) => t.seq)).toEqual([18, 19, 20, 21, 22, 23, 24, 25]);
      expect(history.ticksAfter(1, 15)?.map((t) => t.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    });

    it('returns an empty list when the position is up to date', () => {
      expect(history.ticksAfter(1, 25)).toEqual([]);
      expect(history.ticksAfter(99, 0)).toEqual([]);
    });

    it('returns undefined when the next tick was evicted', () => {
      expect(history.ticksAfter(1, 14)).toBeUndefined();
      expect(history.ticksAfter(1, 0)).toBeUndefined();
    });

    it('returns undefined for a position beyond the last seq, an unknown instrument or nonsense', () => {
      expect(history.ticksAfter(1, 26)).toBeUndefined();
      expect(history.ticksAfter(99, 3)).toBeUndefined();
      expect(history.ticksAfter(1, -1)).toBeUndefined();
      expect(history.ticksAfter(1, 20.5)).toBeUndefined();
    });
  });

  describe('snapshot accessors', () => {
    const history = new History({ tradeCapacity: 5 });
    history.apply(ticks(3, 12));

    it('gives the last quote, recent trades oldest first, bars and the last seq', () => {
      expect(history.lastQuote(3)?.seq).toBe(12);
      expect(history.recentTrades(3).map((t) => t.seq)).toEqual([3, 5, 7, 9, 11]);
      expect(history.recentTrades(3, 2).map((t) => t.seq)).toEqual([9, 11]);
      expect(history.bars(3, 1).map((b) => b.tradeCount)).toEqual([6]);
      expect(history.bars(3, 3600, 1)).toHaveLength(1);
      expect(history.currentBar(3, 5)?.seq).toBe(11);
      expect(history.lastSeq(3)).toBe(12);
    });

    it('answers empty for an unknown instrument or an interval not built', () => {
      const narrow = new History({ intervals: [60] });
      narrow.apply(ticks(1, 3));
      expect(narrow.bars(1, 5)).toEqual([]);
      expect(narrow.currentBar(1, 5)).toBeUndefined();
      expect(history.lastQuote(42)).toBeUndefined();
      expect(history.recentTrades(42)).toEqual([]);
      expect(history.lastSeq(42)).toBe(0);
    });
  });

  describe('#session', () => {
    it('counts every trade of the session, not just the trades the rings still hold', () => {
      const history = new History({ tradeCapacity: 2, tickCapacity: 3 });
      history.apply(ticks(3, 12)); // trades 1, 3, ..., 11 at prices 101, 103, ..., 111; size 2 each
      expect(history.session(3)).toStrictEqual({
        kind: 'session',
        instrumentId: 3,
        seq: 11,
        eventTimeUs: T0 + 110_000,
        receiveTimeUs: T0 + 110_005,
        startTimeUs: T0 - (T0 % 86_400_000_000),
        open: 101,
        high: 111,
        low: 101,
        close: 111,
        volume: 12,
        tradeCount: 6,
      });
    });

    it('is the same object until a trade changes it; quotes and duplicates do not', () => {
      const history = new History();
      history.apply([tradeTick(1, 1, 50)]);
      const first = history.session(1);
      history.apply([quoteTick(1, 2), tradeTick(1, 1, 999)]);
      expect(history.session(1)).toBe(first);
      history.apply([tradeTick(1, 3, 40)]);
      expect(history.session(1)).toMatchObject({ seq: 3, open: 50, low: 40, close: 40, volume: 4, tradeCount: 2 });
    });

    it('starts again on a new UTC day and leaves out a late trade of the day before', () => {
      const history = new History();
      const midnight = T0 - (T0 % 86_400_000_000) + 86_400_000_000;
      history.apply([tradeTick(1, 1, 100, midnight - 1), tradeTick(1, 2, 200, midnight + 5), tradeTick(1, 3, 300, midnight - 2)]);
      expect(history.session(1)).toMatchObject({
        seq: 2,
        startTimeUs: midnight,
        open: 200,
        high: 200,
        low: 200,
        close: 200,
        volume: 2,
        tradeCount: 1,
      });
    });

    it('is undefined before a trade, and for an instrument forgotten', () => {
      const history = new History();
      history.apply([quoteTick(1, 1), tradeTick(2, 1)]);
      expect(history.session(1)).toBeUndefined();
      history.forget(2);
      expect(history.session(2)).toBeUndefined();
    });
  });

  describe('#forget', () => {
    it('drops everything about an instrument', () => {
      const history = new History();
      history.apply(ticks(1, 4));
      history.forget(1);
      expect(history.lastSeq(1)).toBe(0);
      expect(history.stats().instruments).toBe(0);
    });
  });
});
