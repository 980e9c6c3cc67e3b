import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY, foldSessionTrade, sessionStartUs, type SessionFigures } from '../../lib/market/session';

const DAY = Date.UTC(2026, 10, 22) * 1000; // 2026-11-22T00:00:00Z in µs
const empty = (): SessionFigures => ({
  sessionStartUs: undefined,
  open: undefined,
  high: undefined,
  low: undefined,
  volume: 0,
  sessionTrades: 0,
});

interface T {
  price: number;
  size: number;
  timeUs: number;
}

function fold(trades: readonly T[]): SessionFigures {
  const s = empty();
  for (const t of trades) foldSessionTrade(s, t.price, t.size, t.timeUs);
  return s;
}

describe('Session figures', () => {
  describe('#sessionStartUs', () => {
    it('is the UTC midnight at or before the time, exact at the boundaries', () => {
      expect(sessionStartUs(DAY)).toBe(DAY);
      expect(sessionStartUs(DAY + 1)).toBe(DAY);
      expect(sessionStartUs(DAY + US_PER_DAY - 1)).toBe(DAY);
      expect(sessionStartUs(DAY + US_PER_DAY)).toBe(DAY + US_PER_DAY);
      expect(sessionStartUs(DAY - 1)).toBe(DAY - US_PER_DAY);
      expect(sessionStartUs(0)).toBe(0);
      expect(new Date(sessionStartUs(Date.UTC(2026, 10, 22, 23, 59, 59, 999) * 1000) / 1000).toISOString()).toBe(
        '2026-11-22T00:00:00.000Z',
      );
    });
  });

  describe('#foldSessionTrade', () => {
    it('opens with the first trade, then tracks high, low, volume and count', () => {
      const s = fold([
        { price: 100, size: 5, timeUs: DAY + 10 },
        { price: 120, size: 1, timeUs: DAY + 20 },
        { price: 90, size: 2, timeUs: DAY + 30 },
        { price: 101, size: 3, timeUs: DAY + 40 },
      ]);
      expect(s).toStrictEqual({ sessionStartUs: DAY, open: 100, high: 120, low: 90, volume: 11, sessionTrades: 4 });
    });

    it('folds in arrival order: an earlier event time of the same day does not become the open', () => {
      const s = fold([
        { price: 100, size: 1, timeUs: DAY + 50 },
        { price: 70, size: 1, timeUs: DAY + 10 },
      ]);
      expect(s.open).toBe(100);
      expect(s.low).toBe(70);
    });

    it('starts a new session with the first trade of a later UTC day', () => {
      const s = fold([
        { price: 100, size: 5, timeUs: DAY + US_PER_DAY - 1 },
        { price: 200, size: 7, timeUs: DAY + US_PER_DAY },
      ]);
      expect(s).toStrictEqual({ sessionStartUs: DAY + US_PER_DAY, open: 200, high: 200, low: 200, volume: 7, sessionTrades: 1 });
    });

    it('does not count a late trade of an earlier day, and says so', () => {
      const s = fold([{ price: 200, size: 7, timeUs: DAY + 5 }]);
      expect(foldSessionTrade(s, 1, 1000, DAY - 1)).toBe(false);
      expect(s).toStrictEqual({ sessionStartUs: DAY, open: 200, high: 200, low: 200, volume: 7, sessionTrades: 1 });
    });

    it('saturates the volume at the largest safe integer instead of losing precision', () => {
      const s = fold([
        { price: 1, size: Number.MAX_SAFE_INTEGER - 1, timeUs: DAY },
        { price: 1, size: 5, timeUs: DAY + 1 },
      ]);
      expect(s.volume).toBe(Number.MAX_SAFE_INTEGER);
      expect(s.sessionTrades).toBe(2);
    });

    it('equals a brute-force aggregation of the latest day seen so far, for any trades', () => {
      const trade = fc.record({
        price: fc.integer({ min: -1e9, max: 1e9 }),
        size: fc.integer({ min: 0, max: 1e9 }),
        timeUs: fc.integer({ min: -2 * US_PER_DAY, max: 3 * US_PER_DAY }).map((d) => DAY + d),
      });
      fc.assert(
        fc.property(fc.array(trade, { maxLength: 60 }), (trades) => {
          // Brute force: a trade counts when its day is the latest day among the trades up to it.
          let latest = -Infinity;
          const counted: T[] = [];
          for (const t of trades) {
            const day = Math.floor(t.timeUs / US_PER_DAY) * US_PER_DAY;
            if (day > latest) {
              latest = day;
              counted.length = 0;
            }
            if (day === latest) counted.push(t);
          }
          const s = fold(trades);
          if (counted.length === 0) {
            expect(s).toStrictEqual(empty());
            return;
          }
          expect(s).toStrictEqual({
            sessionStartUs: latest,
            open: counted[0]!.price,
            high: Math.max(...counted.map((t) => t.price)),
            low: Math.min(...counted.map((t) => t.price)),
            volume: counted.reduce((sum, t) => sum + t.size, 0),
            sessionTrades: counted.length,
          });
        }),
        { numRuns: 500 },
      );
    });
  });
});
