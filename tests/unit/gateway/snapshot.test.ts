import { describe, expect, it } from 'vitest';
import { Side, type Bar, type Quote, type Trade } from '../../../lib/market/types';
import { buildSnapshot, type SnapshotRequest } from '../../../server/gateway/snapshot';
import { History } from '../../../server/history/history';

const T0 = 1_700_006_400_000_000; // a UTC midnight

function trade(seq: number, offsetS: number): Trade {
  const t = T0 + offsetS * 1_000_000;
  return { kind: 'trade', instrumentId: 1, seq, eventTimeUs: t, receiveTimeUs: t, price: 100 + seq, size: 1, side: Side.Buy, tradeId: seq };
}

function quote(seq: number, offsetS: number): Quote {
  const t = T0 + offsetS * 1_000_000;
  return { kind: 'quote', instrumentId: 1, seq, eventTimeUs: t, receiveTimeUs: t, bid: 99, bidSize: 1, ask: 101, askSize: 1 };
}

function history(): History {
  const h = new History();
  h.apply([trade(1, 0), trade(2, 61), quote(3, 62), trade(4, 125)]);
  return h;
}

const request = (overrides: Partial<SnapshotRequest>): SnapshotRequest => ({
  requestId: 9,
  instrumentId: 1,
  interval: 60,
  resumeFromSeq: undefined,
  trades: 100,
  bars: 300,
  barsOnly: false,
  ...overrides,
});

const kinds = (s: ReturnType<typeof buildSnapshot>) => s.updates.map((u) => `${u.kind}#${u.seq}`);

describe('buildSnapshot', () => {
  it('sends bars, trades, the session figures and the quote in a fresh snapshot', () => {
    expect(kinds(buildSnapshot(history(), request({})))).toEqual([
      'bar#1',
      'bar#2',
      'bar#4',
      'trade#1',
      'trade#2',
      'trade#4',
      'session#4',
      'quote#3',
    ]);
  });

  it('sends only the interval bars for a pair whose instrument already flows, at the current seq', () => {
    const snapshot = buildSnapshot(history(), request({ barsOnly: true }));
    expect(kinds(snapshot)).toEqual(['bar#1', 'bar#2', 'bar#4']);
    expect(snapshot).toMatchObject({ seq: 4, recovered: false, interval: 60 });
  });

  it('sends nothing but the seq in a bars-only snapshot of interval 0', () => {
    expect(buildSnapshot(history(), request({ barsOnly: true, interval: 0 })).updates).toEqual([]);
  });

  it('sends the missed ticks and the bars they changed when resuming, and only those bars when bars-only', () => {
    expect(kinds(buildSnapshot(history(), request({ resumeFromSeq: 2 })))).toEqual(['quote#3', 'trade#4', 'bar#4']);
    const barsOnly = buildSnapshot(history(), request({ resumeFromSeq: 2, barsOnly: true }));
    expect(kinds(barsOnly)).toEqual(['bar#4']);
    expect(barsOnly.recovered).toBe(true);
  });

  describe('with an older-bars source', () => {
    const older = (calls: unknown[][]) => (instrumentId: number, interval: number, before: number, count: number) => {
      calls.push([instrumentId, interval, before, count]);
      return [0, 1].map((i) => ({ ...(history().bars(1, 60)[0] as Bar), seq: 0, openTimeUs: T0 - (2 - i) * 60_000_000 }));
    };

    it('puts older bars before the in-memory ones when memory holds fewer than asked', () => {
      const calls: unknown[][] = [];
      const snapshot = buildSnapshot(history(), request({ bars: 5 }), older(calls));
      expect(calls).toEqual([[1, 60, T0, 2]]);
      expect(kinds(snapshot).slice(0, 5)).toEqual(['bar#0', 'bar#0', 'bar#1', 'bar#2', 'bar#4']);
    });

    it('asks for nothing when memory holds enough, or for a recovered snapshot', () => {
      const calls: unknown[][] = [];
      buildSnapshot(history(), request({ bars: 3 }), older(calls));
      buildSnapshot(history(), request({ resumeFromSeq: 2 }), older(calls));
      expect(calls).toEqual([]);
    });

    it('asks for the newest stored bars when memory has none', () => {
      const calls: unknown[][] = [];
      buildSnapshot(new History(), request({ bars: 4 }), older(calls));
      expect(calls).toEqual([[1, 60, Number.MAX_SAFE_INTEGER, 4]]);
    });
  });
});
