import { describe, expect, it } from 'vitest';
import { IntervalBars } from '../../../lib/embed/interval-bars';
import { BarBuilder } from '../../../lib/market/bars';
import { Side, type Bar, type BarInterval, type MarketUpdate, type Quote, type Trade } from '../../../lib/market/types';
import type { SnapshotMessage } from '../../../lib/protocol/messages';

const ID = 7;

/** A trade at `timeS` seconds (event time), seq `seq`. */
function trade(seq: number, timeS: number, price: number, size = 2): Trade {
  return {
    kind: 'trade', instrumentId: ID, seq, eventTimeUs: Math.round(timeS * 1e6), receiveTimeUs: Math.round(timeS * 1e6),
    price, size, side: Side.Buy, tradeId: seq,
  };
}
function quote(seq: number, timeS: number): Quote {
  return { kind: 'quote', instrumentId: ID, seq, eventTimeUs: timeS * 1e6, receiveTimeUs: timeS * 1e6, bid: 1, bidSize: 1, ask: 2, askSize: 1 };
}

/** A stream of trades and quotes with consecutive sequence numbers, one tick every 0.7 s. */
function stream(count: number, firstSeq = 1): (Trade | Quote)[] {
  const out: (Trade | Quote)[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    out.push(seq % 4 === 0 ? quote(seq, 1000 + seq * 0.7) : trade(seq, 1000 + seq * 0.7, 100 + ((seq * 37) % 23)));
  }
  return out;
}

/** The server's bars of `interval` for the trades among `ticks` (as its history builds them). */
function serverBars(ticks: readonly MarketUpdate[], interval: BarInterval): Bar[] {
  const builder = new BarBuilder(ID, interval);
  for (const t of ticks) if (t.kind === 'trade') builder.add(t);
  return builder.bars();
}

/** A fresh snapshot as the gateway sends it after `ticks`: bars of `interval`, the last `trades` trades, the last quote. */
function freshSnapshot(ticks: readonly (Trade | Quote)[], interval: BarInterval | 0, trades = 100): SnapshotMessage {
  const tradeList = ticks.filter((t): t is Trade => t.kind === 'trade').slice(-trades);
  const lastQuote = [...ticks].reverse().find((t): t is Quote => t.kind === 'quote');
  return {
    type: 'snapshot', requestId: 1, instrumentId: ID, recovered: false, seq: ticks[ticks.length - 1]?.seq ?? 0, interval,
    updates: [...(interval === 0 ? [] : serverBars(ticks, interval)), ...tradeList, ...(lastQuote ? [lastQuote] : [])],
  };
}

/** A live batch: the ticks, then the changed bars of `wire` (as the gateway sends them). */
function liveBatch(before: readonly (Trade | Quote)[], ticks: readonly (Trade | Quote)[], wire: BarInterval | 0): MarketUpdate[] {
  if (wire === 0) return [...ticks];
  const all = serverBars([...before, ...ticks], wire);
  const touched = new Set(ticks.filter((t) => t.kind === 'trade').map((t) => Math.floor(t.eventTimeUs / (wire * 1e6))));
  return [...ticks, ...all.filter((b) => touched.has(Math.floor(b.openTimeUs / (wire * 1e6))))];
}

const ohlcv = (bars: readonly Bar[]) => bars.map((b) => [b.openTimeUs, b.open, b.high, b.low, b.close, b.volume, b.tradeCount]);

describe('IntervalBars', () => {
  describe('#snapshot', () => {
    it('seeds from a fresh snapshot of its own interval', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      expect(bars.needsSeed).toBe(true);
      const ticks = stream(200);
      bars.snapshot(freshSnapshot(ticks, 60));
      expect(bars.seeded).toBe(true);
      expect(bars.needsSeed).toBe(false);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 60)));
      expect(bars.lastTrade?.seq).toBe(199);
    });

    it('ignores snapshots of another instrument', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID + 1);
      bars.snapshot(freshSnapshot(stream(20), 60));
      expect(bars.seeded).toBe(false);
    });

    it('keeps folding across a fresh snapshot of another interval whose trades reach back far enough', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(300);
      bars.snapshot(freshSnapshot(ticks.slice(0, 100), 60));
      bars.snapshot(freshSnapshot(ticks.slice(0, 150), 5)); // the wire moves to 5 s: 50 ticks behind
      expect(bars.needsSeed).toBe(false);
      bars.batch(liveBatch(ticks.slice(0, 150), ticks.slice(150), 5), false);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 60)));
    });

    it('asks for a seed when a fresh snapshot of another interval cannot fill what was missed', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(400);
      bars.snapshot(freshSnapshot(ticks.slice(0, 100), 60));
      bars.snapshot(freshSnapshot(ticks, 5, 20)); // only the last 20 trades: 300 ticks were missed
      expect(bars.needsSeed).toBe(true);
      // The bars held stay on screen meanwhile.
      expect(bars.bars.length).toBe(serverBars(ticks.slice(0, 100), 60).length);
    });

    it('applies a recovered snapshot as the ticks that were missed', () => {
      const bars = new IntervalBars(300);
      bars.reset(ID);
      const ticks = stream(120);
      bars.snapshot(freshSnapshot(ticks.slice(0, 40), 300));
      bars.snapshot(freshSnapshot(ticks.slice(0, 40), 60)); // wire at 1m: this chart folds
      bars.snapshot({ instrumentId: ID, recovered: true, seq: 40, interval: 60, updates: ticks.slice(40) });
      expect(bars.needsSeed).toBe(false);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 300)));
    });
  });

  describe('#batch', () => {
    it('takes bars from the wire when the connection carries its interval', () => {
      const bars = new IntervalBars(5);
      bars.reset(ID);
      const ticks = stream(60);
      bars.snapshot(freshSnapshot(ticks.slice(0, 10), 5));
      bars.batch(liveBatch(ticks.slice(0, 10), ticks.slice(10, 30), 5), false);
      bars.batch(liveBatch(ticks.slice(0, 30), ticks.slice(30), 5), false);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 5)));
    });

    it('folds trades into bars equal to the server\'s when the connection carries another interval', () => {
      const wire = 1;
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(500);
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), 60)); // seed
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), wire)); // back at the wire interval
      for (let at = 50; at < ticks.length; at += 7) bars.batch(liveBatch(ticks.slice(0, at), ticks.slice(at, at + 7), wire), false);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 60)));
      expect(bars.needsSeed).toBe(false);
    });

    it('folds a late trade into the older bar it belongs to', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(300);
      bars.snapshot(freshSnapshot(ticks.slice(0, 20), 60));
      bars.snapshot(freshSnapshot(ticks.slice(0, 20), 0));
      bars.batch(ticks.slice(20), false);
      const late = trade(301, 1000 + 150 * 0.7, 500, 9); // event time inside an older minute built here
      bars.batch([late], false);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars([...ticks, late], 60)));
    });

    it('keeps high, low and volume exact for a late trade in a bar that came from the server', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(200);
      bars.snapshot(freshSnapshot(ticks, 60));
      bars.snapshot(freshSnapshot(ticks, 0));
      const late = trade(201, 1000 + 100 * 0.7, 500, 9);
      bars.batch([late], false);
      // Such a bar does not say when its close traded, so the late trade's place is unknown.
      const pick = (list: readonly Bar[]) => list.map((b) => [b.openTimeUs, b.high, b.low, b.volume, b.tradeCount]);
      expect(pick(bars.bars)).toEqual(pick(serverBars([...ticks, late], 60)));
    });

    it('asks for a seed after a gap while folding, and not while the wire carries its bars', () => {
      const folding = new IntervalBars(60);
      const wired = new IntervalBars(5);
      const ticks = stream(100);
      for (const bars of [folding, wired]) {
        bars.reset(ID);
        bars.snapshot(freshSnapshot(ticks.slice(0, 50), bars.interval));
        bars.snapshot(freshSnapshot(ticks.slice(0, 50), 5));
      }
      const gapped = liveBatch(ticks.slice(0, 52), ticks.slice(52, 60), 5); // ticks 51 and 52 missing
      folding.batch(gapped, false);
      wired.batch(gapped, false);
      expect(folding.needsSeed).toBe(true);
      expect(wired.needsSeed).toBe(false);
    });

    it('asks for a seed after a conflated batch while folding', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(100);
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), 60));
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), 1));
      bars.batch([ticks[60] as Trade | Quote], true);
      expect(bars.needsSeed).toBe(true);
    });

    it('drops ticks it already holds', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(100);
      bars.snapshot(freshSnapshot(ticks, 60));
      bars.snapshot(freshSnapshot(ticks, 0));
      const before = bars.bars;
      bars.batch(ticks.slice(90), false);
      expect(bars.bars).toBe(before);
      expect(bars.needsSeed).toBe(false);
    });
  });

  describe('#bars', () => {
    it('never changes an array it handed out', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const ticks = stream(100);
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), 60));
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), 0));
      const handed = bars.bars;
      const copy = ohlcv(handed);
      bars.batch(ticks.slice(50), false);
      expect(ohlcv(handed)).toEqual(copy);
      expect(bars.bars).not.toBe(handed);
    });

    it('keeps at most maxBars, the newest', () => {
      const bars = new IntervalBars(1, 10);
      bars.reset(ID);
      const ticks = stream(100);
      bars.snapshot(freshSnapshot(ticks, 1));
      expect(bars.bars).toHaveLength(10);
      expect(bars.bars[9]?.openTimeUs).toBe(serverBars(ticks, 1).at(-1)?.openTimeUs);
    });
  });

  describe('#revision', () => {
    it('changes on a new instrument and on a seed after a gap, not on a re-seed of exact bars', () => {
      const bars = new IntervalBars(60);
      bars.reset(ID);
      const r0 = bars.revision;
      const ticks = stream(300);
      bars.snapshot(freshSnapshot(ticks.slice(0, 100), 60));
      const r1 = bars.revision;
      expect(r1).toBeGreaterThan(r0);
      bars.snapshot(freshSnapshot(ticks.slice(0, 110), 60));
      expect(bars.revision).toBe(r1);
      bars.snapshot(freshSnapshot(ticks.slice(0, 290), 5, 10)); // too far behind: unsynced
      bars.snapshot(freshSnapshot(ticks, 60));
      expect(bars.revision).toBeGreaterThan(r1);
    });
  });

  it('rejects a bad maxBars with a TypeError naming it', () => {
    expect(() => new IntervalBars(60, 0)).toThrow(/maxBars/);
  });
});
