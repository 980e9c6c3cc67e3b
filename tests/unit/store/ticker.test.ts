import { describe, expect, it } from 'vitest';
import { Side, type SessionStats, type Trade } from '../../../lib/market/types';
import { applyQuote, applySession, applyTrade, draftTicker, emptyTicker, sessionChange } from '../../../lib/store/ticker';

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

  describe('session figures', () => {
    const DAY = Date.UTC(2026, 10, 22) * 1000;
    const trade = (seq: number, price: number, size = 1, timeUs = DAY + seq): Trade => ({
      kind: 'trade',
      instrumentId: 1,
      seq,
      eventTimeUs: timeUs,
      receiveTimeUs: timeUs,
      price,
      size,
      side: Side.Buy,
      tradeId: seq,
    });
    const stats = (seq: number, fields: Partial<SessionStats> = {}): SessionStats => ({
      kind: 'session',
      instrumentId: 1,
      seq,
      eventTimeUs: DAY + seq,
      receiveTimeUs: DAY + seq,
      startTimeUs: DAY,
      open: 500,
      high: 900,
      low: 100,
      close: 700,
      volume: 10_000,
      tradeCount: 400,
      ...fields,
    });

    it("replace the page's own, and live trades fold into them", () => {
      const t = draftTicker(undefined, 1);
      applyTrade(t, trade(10, 650, 3), 0); // the page saw one trade before the figures arrived
      expect(applySession(t, stats(10, { close: 650 }), 0)).toBe(true);
      applyTrade(t, trade(11, 950, 5), 0);
      expect(t).toMatchObject({
        open: 500,
        high: 950,
        low: 100,
        last: 950,
        volume: 10_005,
        sessionTrades: 401,
        sessionStartUs: DAY,
        sessionSeq: 11,
      });
    });

    it('are ignored when the page has already folded a later trade', () => {
      const t = draftTicker(undefined, 1);
      applySession(t, stats(10), 0);
      applyTrade(t, trade(12, 800, 2), 0);
      expect(applySession(t, stats(11, { volume: 1 }), 0)).toBe(false);
      expect(t.volume).toBe(10_002);
    });

    it('bring the last price the page missed, even when a newer quote came first', () => {
      const t = draftTicker(undefined, 1);
      applyTrade(t, trade(5, 600), 1_000);
      applyQuote(
        t,
        {
          kind: 'quote',
          instrumentId: 1,
          seq: 20,
          eventTimeUs: DAY + 20,
          receiveTimeUs: DAY + 20,
          bid: 690,
          bidSize: 1,
          ask: 710,
          askSize: 1,
        },
        2_000,
      );
      // A trade older than a quote already applied is dropped as a duplicate (the gateway sends a
      // conflated batch in sequence order, so this is a defence, not the usual path)...
      expect(applyTrade(t, trade(19, 700), 2_000)).toBe(false);
      // ...but the figures that follow it carry its price.
      applySession(t, stats(19), 2_000);
      expect(t).toMatchObject({ last: 700, direction: 1, lastMovedAtMs: 2_000, lastTradeSeq: 19, volume: 10_000, seq: 20 });
    });

    it('do not move the last price back when the page already has a later trade', () => {
      const t = draftTicker(undefined, 1);
      applyTrade(t, trade(3, 600), 0);
      applySession(t, stats(3, { close: 600 }), 0);
      expect(t.last).toBe(600);
      applySession(t, stats(3, { close: 600, volume: 77 }), 0);
      expect(t).toMatchObject({ last: 600, volume: 77 });
    });

    it('start a new session when a trade of the next UTC day arrives', () => {
      const t = draftTicker(undefined, 1);
      applySession(t, stats(10), 0);
      applyTrade(t, trade(11, 333, 4, DAY + 86_400_000_000 + 1), 0);
      expect(t).toMatchObject({ sessionStartUs: DAY + 86_400_000_000, open: 333, high: 333, low: 333, volume: 4, sessionTrades: 1 });
    });
  });
});
