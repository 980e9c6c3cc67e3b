import { describe, expect, it } from 'vitest';
import { IntervalBars } from '../../../lib/embed/interval-bars';
import { BarBuilder } from '../../../lib/market/bars';
import { Side, type Bar, type BarInterval, type MarketUpdate, type Quote, type Trade } from '../../../lib/market/types';
import type { SnapshotMessage } from '../../../lib/protocol/messages';
import { OLDER_RETRY_MS } from '../../../lib/store/older-bars';

const ID = 7;

/** A trade at `timeS` seconds (event time), seq `seq`. */
function trade(seq: number, timeS: number, price: number, size = 2): Trade {
  return {
    kind: 'trade',
    instrumentId: ID,
    seq,
    eventTimeUs: Math.round(timeS * 1e6),
    receiveTimeUs: Math.round(timeS * 1e6),
    price,
    size,
    side: Side.Buy,
    tradeId: seq,
  };
}
function quote(seq: number, timeS: number): Quote {
  return {
    kind: 'quote',
    instrumentId: ID,
    seq,
    eventTimeUs: timeS * 1e6,
    receiveTimeUs: timeS * 1e6,
    bid: 1,
    bidSize: 1,
    ask: 2,
    askSize: 1,
  };
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
    type: 'snapshot',
    requestId: 1,
    instrumentId: ID,
    recovered: false,
    barsOnly: false,
    seq: ticks[ticks.length - 1]?.seq ?? 0,
    interval,
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
    it('seeds from a fresh snapshot of its pair', () => {
      const bars = new IntervalBars(ID, 60);
      expect(bars.seeded).toBe(false);
      const ticks = stream(200);
      bars.snapshot(freshSnapshot(ticks, 60));
      expect(bars.seeded).toBe(true);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 60)));
      expect(bars.lastTrade?.seq).toBe(199);
    });

    it('ignores snapshots of another instrument or another interval', () => {
      const bars = new IntervalBars(ID + 1, 60);
      bars.snapshot(freshSnapshot(stream(20), 60));
      expect(bars.seeded).toBe(false);
      const other = new IntervalBars(ID, 60);
      other.snapshot(freshSnapshot(stream(20), 300));
      expect(other.seeded).toBe(false);
    });

    it('seeds from a bars-only snapshot (a second pair of the instrument)', () => {
      const bars = new IntervalBars(ID, 300);
      const ticks = stream(120);
      bars.snapshot({ instrumentId: ID, recovered: false, interval: 300, updates: serverBars(ticks, 300) });
      expect(bars.seeded).toBe(true);
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 300)));
    });

    it('applies a recovered snapshot as the bars the missed trades changed', () => {
      const bars = new IntervalBars(ID, 60);
      const ticks = stream(300);
      bars.snapshot(freshSnapshot(ticks.slice(0, 100), 60));
      const changed = liveBatch(ticks.slice(0, 100), ticks.slice(100), 60).filter((u) => u.kind === 'bar');
      bars.snapshot({ instrumentId: ID, recovered: true, interval: 60, updates: [...ticks.slice(100), ...changed] });
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 60)));
      expect(bars.lastTrade?.seq).toBe(299);
    });
  });

  describe('#batch', () => {
    it('takes the bars of its interval from live batches', () => {
      const bars = new IntervalBars(ID, 5);
      const ticks = stream(60);
      bars.snapshot(freshSnapshot(ticks.slice(0, 10), 5));
      bars.batch(liveBatch(ticks.slice(0, 10), ticks.slice(10, 30), 5));
      bars.batch(liveBatch(ticks.slice(0, 30), ticks.slice(30), 5));
      expect(ohlcv(bars.bars)).toEqual(ohlcv(serverBars(ticks, 5)));
    });

    it('leaves bars of other intervals of its instrument to their own pairs', () => {
      const minute = new IntervalBars(ID, 60);
      const five = new IntervalBars(ID, 5);
      const ticks = stream(200);
      minute.snapshot(freshSnapshot(ticks.slice(0, 100), 60));
      five.snapshot(freshSnapshot(ticks.slice(0, 100), 5));
      const batch = [...liveBatch(ticks.slice(0, 100), ticks.slice(100), 60), ...liveBatch(ticks.slice(0, 100), [], 5)];
      const fiveBars = serverBars(ticks, 5).filter((b) => b.openTimeUs >= (ticks[100]?.eventTimeUs ?? 0) - 5e6);
      minute.batch(batch);
      five.batch([...batch, ...fiveBars]);
      expect(ohlcv(minute.bars)).toEqual(ohlcv(serverBars(ticks, 60)));
      expect(ohlcv(five.bars)).toEqual(ohlcv(serverBars(ticks, 5)));
    });

    it('waits for its snapshot before drawing live bars (nothing to add them to)', () => {
      const bars = new IntervalBars(ID, 60);
      const ticks = stream(20);
      bars.batch(liveBatch([], ticks, 60));
      expect(bars.bars).toEqual([]);
      expect(bars.lastTrade?.seq).toBe(19);
    });

    it('never changes an array it handed out', () => {
      const bars = new IntervalBars(ID, 60);
      const ticks = stream(100);
      bars.snapshot(freshSnapshot(ticks.slice(0, 50), 60));
      const handed = bars.bars;
      const copy = ohlcv(handed);
      bars.batch(liveBatch(ticks.slice(0, 50), ticks.slice(50), 60));
      expect(ohlcv(handed)).toEqual(copy);
      expect(bars.bars).not.toBe(handed);
    });

    it('keeps at most maxBars, the newest', () => {
      const bars = new IntervalBars(ID, 1, 10);
      const ticks = stream(100);
      bars.snapshot(freshSnapshot(ticks, 1));
      expect(bars.bars).toHaveLength(10);
      expect(bars.bars[9]?.openTimeUs).toBe(serverBars(ticks, 1).at(-1)?.openTimeUs);
    });
  });

  describe('#revision', () => {
    it('changes on every fresh snapshot (the chart redraws), not on live bars or a recovered snapshot', () => {
      const bars = new IntervalBars(ID, 60);
      const r0 = bars.revision;
      const ticks = stream(300);
      bars.snapshot(freshSnapshot(ticks.slice(0, 100), 60));
      const r1 = bars.revision;
      expect(r1).toBeGreaterThan(r0);
      bars.batch(liveBatch(ticks.slice(0, 100), ticks.slice(100, 110), 60));
      bars.snapshot({ instrumentId: ID, recovered: true, interval: 60, updates: ticks.slice(110, 120) });
      expect(bars.revision).toBe(r1);
      bars.snapshot(freshSnapshot(ticks, 60));
      expect(bars.revision).toBeGreaterThan(r1);
    });
  });

  describe('scroll-back', () => {
    /** A 1m bar of minute `m` (absolute) with close `close`. */
    const minuteBar = (m: number, close = 1): Bar => ({ ...serverBars([trade(1, m * 60, close)], 60)[0]!, close });
    const seeded = (first: number, last: number): IntervalBars => {
      const bars = new IntervalBars(ID, 60, 50);
      const list = Array.from({ length: last - first + 1 }, (_, i) => minuteBar(first + i));
      bars.snapshot({ instrumentId: ID, recovered: false, interval: 60, updates: list });
      return bars;
    };
    const minutesOf = (bars: IntervalBars) => bars.bars.map((b) => b.openTimeUs / 60e6);

    it('pages back from its oldest bar, one request at a time, and puts the page in front', () => {
      const bars = seeded(100, 119);
      expect(new IntervalBars(ID, 60).beginOlder(0)).toBeUndefined(); // not before the snapshot
      const started = bars.beginOlder(0);
      expect(started?.endTimeUs).toBe(100 * 60e6);
      expect(bars.older?.status).toBe('loading');
      expect(bars.beginOlder(0)).toBeUndefined();
      const page = Array.from({ length: 40 }, (_, i) => minuteBar(60 + i, 2));
      expect(bars.olderLoaded(started!.token, { bars: page, more: false })).toBe(true);
      expect(minutesOf(bars)).toEqual(Array.from({ length: 60 }, (_, i) => 60 + i));
      expect(bars.older?.status).toBe('start');
      expect(bars.beginOlder(0)).toBeUndefined();
      // The window grew with the page: a live bar does not push it out.
      bars.batch([minuteBar(120, 3)]);
      expect(bars.bars).toHaveLength(61);
    });

    it('drops an answer asked before a fresh snapshot that did not reach the held bars', () => {
      const bars = seeded(100, 119);
      const started = bars.beginOlder(0)!;
      bars.snapshot({ instrumentId: ID, recovered: false, interval: 60, updates: [minuteBar(500)] });
      expect(bars.older?.status).toBe('idle');
      expect(bars.olderLoaded(started.token, { bars: [minuteBar(90)], more: true })).toBe(false);
      expect(minutesOf(bars)).toEqual([500]);
    });

    it('keeps the loaded bars and the paging across a resync that reaches them', () => {
      const bars = seeded(100, 119);
      const started = bars.beginOlder(0)!;
      bars.snapshot({ instrumentId: ID, recovered: false, interval: 60, updates: [minuteBar(110), minuteBar(120)] });
      expect(bars.olderLoaded(started.token, { bars: [minuteBar(99)], more: true })).toBe(true);
      expect(minutesOf(bars)[0]).toBe(99);
    });

    it('waits after a failure before asking again', () => {
      const bars = seeded(100, 119);
      const started = bars.beginOlder(1_000)!;
      expect(bars.olderFailed(started.token, 1_000)).toBe(true);
      expect(bars.beginOlder(1_001)).toBeUndefined();
      expect(bars.beginOlder(1_000 + OLDER_RETRY_MS)).toBeDefined();
    });
  });

  it('rejects a bad maxBars with a TypeError naming it', () => {
    expect(() => new IntervalBars(ID, 60, 0)).toThrow(/maxBars/);
  });
});
