import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignBarOpenTime, BarBuilder, roundedVwap, US_PER_SECOND } from '../../lib/market/bars';
import { BAR_INTERVALS, Side, type Bar, type BarInterval, type Trade } from '../../lib/market/types';

const BASE_US = 1_699_999_200_000_000; // 2023-11-14T22:00:00Z (a Tuesday), aligned to every bar interval up to 1h

function trade(fields: Partial<Trade> & { eventTimeUs: number; price: number; size: number }): Trade {
  return {
    kind: 'trade',
    instrumentId: 1,
    seq: 1,
    receiveTimeUs: fields.eventTimeUs + 100,
    side: Side.Buy,
    tradeId: 1,
    ...fields,
  };
}

/**
 * Independent aggregation: group by floor((eventTime - origin) / interval) with bigint maths (origin
 * Monday 1970-01-05 for 1W, else the epoch; times here are positive), sort by event time.
 */
function bruteForce(trades: readonly Trade[], interval: BarInterval): Bar[] {
  const span = BigInt(interval * US_PER_SECOND);
  const origin = interval === 604800 ? 345_600_000_000n : 0n;
  const groups = new Map<bigint, Trade[]>();
  for (const t of trades) {
    const open = ((BigInt(t.eventTimeUs) - origin) / span) * span + origin;
    const list = groups.get(open) ?? [];
    list.push(t);
    groups.set(open, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([open, arrival]) => {
      const byTime = [...arrival].sort((a, b) => a.eventTimeUs - b.eventTimeUs); // stable
      const last = arrival[arrival.length - 1] as Trade;
      const notional = arrival.reduce((sum, t) => sum + BigInt(t.price) * BigInt(t.size), 0n);
      const volume = arrival.reduce((sum, t) => sum + BigInt(t.size), 0n);
      return {
        kind: 'bar',
        instrumentId: last.instrumentId,
        seq: last.seq,
        eventTimeUs: last.eventTimeUs,
        receiveTimeUs: last.receiveTimeUs,
        interval,
        openTimeUs: Number(open),
        open: (byTime[0] as Trade).price,
        high: Math.max(...arrival.map((t) => t.price)),
        low: Math.min(...arrival.map((t) => t.price)),
        close: (byTime[byTime.length - 1] as Trade).price,
        volume: Number(volume),
        tradeCount: arrival.length,
        vwap: Number((2n * notional + volume) / (2n * volume)),
      } satisfies Bar;
    });
}

/** Trades in arrival order (seq ascending) whose event times wander and arrive up to `maxLateUs` late. */
function tradesArbitrary(options: { maxPrice: number; maxSize: number; spanUs: number; maxLateUs: number }) {
  return fc
    .array(
      fc.record({
        // Zero steps make event-time ties, where open/close must keep arrival order.
        stepUs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Math.floor(options.spanUs / 50) })),
        lateUs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: options.maxLateUs })),
        price: fc.integer({ min: 1, max: options.maxPrice }),
        size: fc.integer({ min: 1, max: options.maxSize }),
      }),
      { minLength: 1, maxLength: 120 },
    )
    .map((rows) => {
      let clock = BASE_US + 123_456;
      return rows.map((row, i) => {
        clock += row.stepUs;
        return trade({ seq: i + 1, eventTimeUs: clock - row.lateUs, price: row.price, size: row.size });
      });
    });
}

describe('alignBarOpenTime', () => {
  it('floors a time to the start of its bar in UTC', () => {
    expect(alignBarOpenTime(BASE_US + 61_500_000, 60)).toBe(BASE_US + 60_000_000);
    expect(alignBarOpenTime(BASE_US + 59_999_999, 60)).toBe(BASE_US);
    expect(alignBarOpenTime(BASE_US, 3600)).toBe(BASE_US - (BASE_US % 3_600_000_000));
  });

  it('returns a multiple of the interval (weeks from Monday 1970-01-05) no later than the time and less than one interval before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.constantFrom(...BAR_INTERVALS), (time, interval) => {
        const open = alignBarOpenTime(time, interval);
        const span = interval * US_PER_SECOND;
        const origin = interval === 604800 ? 345_600_000_000 : 0;
        return (open - origin) % span === 0 && open <= time && time - open < span;
      }),
    );
  });
});

describe('a bar whose volume outgrows 2^53-1', () => {
  it('saturates the volume it shows (as the session figures do) and keeps the VWAP exact', () => {
    const builder = new BarBuilder(1, 60, 10);
    const big = 2 ** 52;
    builder.add(trade({ seq: 1, eventTimeUs: 1_000, price: 100, size: big }));
    builder.add(trade({ seq: 2, eventTimeUs: 2_000, price: 300, size: big }));
    builder.add(trade({ seq: 3, eventTimeUs: 3_000, price: 200, size: big }));
    const bar = builder.current()!;
    expect(bar.volume).toBe(Number.MAX_SAFE_INTEGER);
    expect(bar.vwap).toBe(200);
    expect(Number.isSafeInteger(bar.volume)).toBe(true);
  });
});

describe('roundedVwap', () => {
  it('rounds half up', () => {
    expect(roundedVwap(5, 2, 0)).toBe(3);
    expect(roundedVwap(4, 3, 0)).toBe(1);
    expect(roundedVwap(5n, 2, 0)).toBe(3);
  });

  it('gives the same answer for number and bigint notionals and volumes, negative prices included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), fc.integer({ min: 1, max: 2 ** 30 }), (notional, volume) => {
        const asNumber = roundedVwap(notional, volume, 0);
        return asNumber === roundedVwap(BigInt(notional), volume, 0) && asNumber === roundedVwap(notional, BigInt(volume), 0);
      }),
    );
  });

  it('rounds half up for a negative bigint notional too (towards +infinity, not towards zero)', () => {
    expect(roundedVwap(-3n, 4, 0)).toBe(-1); // -0.75
    expect(roundedVwap(-2n, 4, 0)).toBe(0); // -0.5 rounds up
    expect(roundedVwap(-6n, 4, 0)).toBe(-1); // -1.5 rounds up
    expect(roundedVwap(-(2n ** 60n) - 3n, 4, 0)).toBe(Number(-(2n ** 58n)) - 1);
  });

  it('falls back when there is no volume', () => {
    expect(roundedVwap(0, 0, 42)).toBe(42);
  });
});

describe('BarBuilder', () => {
  describe('#add', () => {
    it('equals a brute-force aggregation for every interval, late trades included', () => {
      fc.assert(
        fc.property(tradesArbitrary({ maxPrice: 10_000, maxSize: 1_000, spanUs: 20_000_000, maxLateUs: 3_000_000 }), (trades) => {
          for (const interval of BAR_INTERVALS) {
            const builder = new BarBuilder(1, interval, 10_000);
            for (const t of trades) builder.add(t);
            expect(builder.bars()).toEqual(bruteForce(trades, interval));
            expect(builder.droppedTrades).toBe(0);
          }
        }),
        { numRuns: 150 },
      );
    });

    it('keeps the most recent bars, each equal to the aggregate of all its trades, when capacity is small', () => {
      fc.assert(
        fc.property(
          tradesArbitrary({ maxPrice: 500, maxSize: 50, spanUs: 60_000_000, maxLateUs: 8_000_000 }),
          fc.integer({ min: 1, max: 4 }),
          (trades, capacity) => {
            const builder = new BarBuilder(1, 1, capacity);
            for (const t of trades) builder.add(t);
            expect(builder.bars()).toEqual(bruteForce(trades, 1).slice(-capacity));
          },
        ),
        { numRuns: 150 },
      );
    });

    it('keeps vwap exact when price * size sums pass 2^53', () => {
      fc.assert(
        fc.property(tradesArbitrary({ maxPrice: 9_000_000, maxSize: 500_000_000, spanUs: 5_000_000, maxLateUs: 1_000_000 }), (trades) => {
          const builder = new BarBuilder(1, 5, 100);
          for (const t of trades) builder.add(t);
          expect(builder.bars()).toEqual(bruteForce(trades, 5));
        }),
        { numRuns: 100 },
      );
    });

    it('drops and counts a trade older than every held bar once full', () => {
      const builder = new BarBuilder(1, 1, 2);
      builder.add(trade({ seq: 1, eventTimeUs: BASE_US + 5_000_000, price: 10, size: 1 }));
      builder.add(trade({ seq: 2, eventTimeUs: BASE_US + 6_000_000, price: 11, size: 1 }));
      expect(builder.add(trade({ seq: 3, eventTimeUs: BASE_US + 1_000_000, price: 9, size: 1 }))).toBeUndefined();
      expect(builder.droppedTrades).toBe(1);
      expect(builder.bars().map((b) => b.openTimeUs)).toEqual([BASE_US + 5_000_000, BASE_US + 6_000_000]);
    });

    it('creates a bar in a gap between held bars and evicts the oldest when full', () => {
      const builder = new BarBuilder(1, 1, 2);
      builder.add(trade({ seq: 1, eventTimeUs: BASE_US + 1_000_000, price: 10, size: 1 }));
      builder.add(trade({ seq: 2, eventTimeUs: BASE_US + 9_000_000, price: 11, size: 1 }));
      builder.add(trade({ seq: 3, eventTimeUs: BASE_US + 4_000_000, price: 12, size: 1 }));
      expect(builder.bars().map((b) => b.openTimeUs)).toEqual([BASE_US + 4_000_000, BASE_US + 9_000_000]);
    });

    it('emits a new frozen bar per change and leaves earlier ones untouched', () => {
      const builder = new BarBuilder(7, 60);
      const first = builder.add(trade({ instrumentId: 7, seq: 1, eventTimeUs: BASE_US + 1, price: 100, size: 2 }))?.toBar();
      builder.add(trade({ instrumentId: 7, seq: 2, eventTimeUs: BASE_US + 2, price: 104, size: 2 }));
      const second = builder.current();
      expect(Object.isFrozen(first)).toBe(true);
      expect(first).toMatchObject({ close: 100, volume: 2, tradeCount: 1, seq: 1 });
      expect(second).toMatchObject({ instrumentId: 7, open: 100, close: 104, high: 104, low: 100, volume: 4, vwap: 102, seq: 2 });
      expect(second).not.toBe(first);
      expect(builder.current()).toBe(second);
    });

    it('stamps the bar with the seq and times of the last trade folded in, even a late one', () => {
      const builder = new BarBuilder(1, 60);
      builder.add(trade({ seq: 1, eventTimeUs: BASE_US + 5_000_000, receiveTimeUs: BASE_US + 5_000_100, price: 10, size: 1 }));
      builder.add(trade({ seq: 2, eventTimeUs: BASE_US + 1_000_000, receiveTimeUs: BASE_US + 6_000_000, price: 8, size: 1 }));
      expect(builder.current()).toMatchObject({
        seq: 2,
        eventTimeUs: BASE_US + 1_000_000,
        receiveTimeUs: BASE_US + 6_000_000,
        open: 8,
        close: 10,
      });
    });
  });

  describe('#bars', () => {
    it('returns at most `limit` of the most recent bars, oldest first', () => {
      const builder = new BarBuilder(1, 1);
      for (let i = 0; i < 5; i += 1) builder.add(trade({ seq: i + 1, eventTimeUs: BASE_US + i * 1_000_000, price: 10 + i, size: 1 }));
      expect(builder.bars(2).map((b) => b.close)).toEqual([13, 14]);
      expect(builder.bars(0)).toEqual([]);
      expect(builder.bars(99)).toHaveLength(5);
    });
  });

  describe('#restore', () => {
    it('continues bars received from elsewhere', () => {
      const source = new BarBuilder(1, 60);
      source.add(trade({ seq: 1, eventTimeUs: BASE_US + 1_000_000, price: 100, size: 3 }));
      const copy = new BarBuilder(1, 60);
      copy.restore(source.bars());
      const next = trade({ seq: 2, eventTimeUs: BASE_US + 2_000_000, price: 90, size: 1 });
      source.add(next);
      copy.add(next);
      expect(copy.bars()).toEqual(source.bars());
    });
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new BarBuilder(1, 1, 0)).toThrow(TypeError);
    expect(() => new BarBuilder(1, 1, 1.5)).toThrow(/capacity/);
  });
});
