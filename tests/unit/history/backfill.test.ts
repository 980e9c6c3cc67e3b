import { describe, expect, it } from 'vitest';
import { alignBarOpenTime, US_PER_SECOND } from '../../../lib/market/bars';
import { AssetClass, BAR_INTERVALS, type BarInterval, type Instrument } from '../../../lib/market/types';
import type { AdapterBar, AdapterHistoryRequest, FeedAdapter } from '../../../server/adapters/types';
import { Backfill, missingRanges } from '../../../server/history/backfill';
import type { StoredBar } from '../../../server/history/store/types';
import { MemoryBarStore } from '../../support/memory-bar-store';

const MIN = 60 * US_PER_SECOND;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2026-12-07 12:34:56 UTC. */
const NOW = Date.UTC(2026, 11, 7, 12, 34, 56) * 1000;

function instrument(symbol: string, id = 1): Instrument {
  return { id, symbol: `FAKE:${symbol}`, venue: 'FAKE', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 3 };
}

/** A bar for every open time, derived from the time only (so two runs agree). */
function fakeBar(openTimeUs: number, interval: number): AdapterBar {
  const n = openTimeUs / (interval * US_PER_SECOND);
  const base = 100 + (n % 13);
  return {
    openTimeUs,
    open: (base + 0.25).toFixed(2),
    high: (base + 1).toFixed(2),
    low: (base - 1).toFixed(2),
    close: (base + 0.5).toFixed(2),
    volume: ((n % 5) + 1).toFixed(3),
    tradeCount: (n % 3) + 1,
    vwap: base.toFixed(4),
  };
}

class FakeAdapter implements FeedAdapter {
  readonly name = 'fake';
  readonly venue = 'FAKE';
  readonly requests: Omit<AdapterHistoryRequest, 'signal'>[] = [];
  fail: ((request: AdapterHistoryRequest, page: number) => void) | undefined;
  intervals: readonly number[] = [1, 5, 60];
  pageSize = 500;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async *history(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]> {
    const { signal, ...rest } = request;
    this.requests.push(rest);
    if (!this.intervals.includes(request.interval)) return;
    const span = request.interval * US_PER_SECOND;
    let page: AdapterBar[] = [];
    let pages = 0;
    for (let t = request.startUs; t < request.endUs; t += span) {
      page.push(fakeBar(t, request.interval));
      if (page.length === this.pageSize) {
        this.fail?.(request, pages++);
        yield page;
        page = [];
      }
      if (signal.aborted) return;
    }
    if (page.length > 0) {
      this.fail?.(request, pages);
      yield page;
    }
  }
}

function bruteForce(
  bars: readonly StoredBar[],
  interval: BarInterval,
): Map<number, Omit<StoredBar, 'symbol' | 'seq' | 'eventTimeUs' | 'receiveTimeUs'>> {
  const groups = new Map<number, StoredBar[]>();
  for (const bar of bars) {
    const open = alignBarOpenTime(bar.openTimeUs, interval);
    groups.set(open, [...(groups.get(open) ?? []), bar]);
  }
  const out = new Map();
  for (const [open, group] of groups) {
    const volume = group.reduce((s, b) => s + b.volume, 0);
    const notional = group.reduce((s, b) => s + b.vwap * b.volume, 0);
    const q = Math.floor(notional / volume);
    const vwap = 2 * (notional - q * volume) >= volume ? q + 1 : q;
    out.set(open, {
      interval,
      openTimeUs: open,
      open: (group[0] as StoredBar).open,
      high: Math.max(...group.map((b) => b.high)),
      low: Math.min(...group.map((b) => b.low)),
      close: (group[group.length - 1] as StoredBar).close,
      volume,
      tradeCount: group.reduce((s, b) => s + b.tradeCount, 0),
      vwap,
    });
  }
  return out;
}

function strip(bar: StoredBar): Omit<StoredBar, 'symbol' | 'seq' | 'eventTimeUs' | 'receiveTimeUs'> {
  const { symbol: _s, seq: _q, eventTimeUs: _e, receiveTimeUs: _r, ...rest } = bar;
  return rest;
}

describe('Backfill', () => {
  it('writes 1m bars over the window, exact mantissas, seq 0 and close-time stamps', async () => {
    const store = new MemoryBarStore();
    const adapter = new FakeAdapter();
    const backfill = new Backfill({ store, days: 2, nowUs: () => NOW });
    backfill.add([{ adapter, symbol: 'X', instrument: instrument('X') }]);
    await backfill.idle();
    const to = alignBarOpenTime(NOW, 60);
    const bars = store.all('FAKE:X', 60);
    expect(bars).toHaveLength((2 * DAY) / MIN);
    expect(bars[0]?.openTimeUs).toBe(to - 2 * DAY);
    expect(bars[bars.length - 1]?.openTimeUs).toBe(to - MIN);
    const first = bars[0] as StoredBar;
    const n = first.openTimeUs / MIN;
    expect(first).toMatchObject({ seq: 0, eventTimeUs: first.openTimeUs + MIN, receiveTimeUs: first.openTimeUs + MIN });
    expect(first.open).toBe((100 + (n % 13)) * 100 + 25);
    expect(first.volume).toBe(((n % 5) + 1) * 1000);
    expect(backfill.progress()).toMatchObject({
      state: 'done',
      instruments: 1,
      instrumentsDone: 1,
      errorCount: 0,
      health: 'ok',
      reason: '',
    });
  });

  it('rolls 1m bars up into every longer interval exactly as a brute-force aggregation', async () => {
    const store = new MemoryBarStore();
    const backfill = new Backfill({ store, days: 9, nowUs: () => NOW });
    backfill.add([{ adapter: new FakeAdapter(), symbol: 'X', instrument: instrument('X') }]);
    await backfill.idle();
    const minutes = store.all('FAKE:X', 60);
    const longer = BAR_INTERVALS.filter((i) => i > 60);
    expect(longer.length).toBeGreaterThanOrEqual(3);
    for (const interval of longer) {
      const expected = bruteForce(minutes, interval);
      const got = store.all('FAKE:X', interval);
      expect(got.map(strip)).toEqual([...expected.values()]);
    }
  });

  it('asks 1s and 5s bars for the last hour only', async () => {
    const store = new MemoryBarStore();
    const adapter = new FakeAdapter();
    const backfill = new Backfill({ store, days: 1, nowUs: () => NOW });
    backfill.add([{ adapter, symbol: 'X', instrument: instrument('X') }]);
    await backfill.idle();
    const to = alignBarOpenTime(NOW, 60);
    expect(adapter.requests.filter((r) => r.interval < 60)).toEqual([
      { symbol: 'X', interval: 1, startUs: to - HOUR, endUs: to },
      { symbol: 'X', interval: 5, startUs: to - HOUR, endUs: to },
    ]);
    expect(store.all('FAKE:X', 1)).toHaveLength(3600);
    expect(store.all('FAKE:X', 5)).toHaveLength(720);
  });

  it('asks only for the missing ranges on a second start, and keeps edge buckets whole', async () => {
    const store = new MemoryBarStore();
    const first = new FakeAdapter();
    const a = new Backfill({ store, days: 2, nowUs: () => NOW });
    a.add([{ adapter: first, symbol: 'X', instrument: instrument('X') }]);
    await a.idle();
    const later = NOW + 3 * HOUR + 17 * MIN;
    const second = new FakeAdapter();
    const b = new Backfill({ store, days: 3, nowUs: () => later });
    b.add([{ adapter: second, symbol: 'X', instrument: instrument('X') }]);
    await b.idle();
    const to1 = alignBarOpenTime(NOW, 60);
    const to2 = alignBarOpenTime(later, 60);
    expect(second.requests.filter((r) => r.interval === 60)).toEqual([
      { symbol: 'X', interval: 60, startUs: to2 - 3 * DAY, endUs: to1 - 2 * DAY },
      { symbol: 'X', interval: 60, startUs: to1, endUs: to2 },
    ]);
    // 1s: what the first run held is older than the last hour now.
    expect(second.requests.filter((r) => r.interval === 1)).toEqual([{ symbol: 'X', interval: 1, startUs: to2 - HOUR, endUs: to2 }]);
    const third = new FakeAdapter();
    const c = new Backfill({ store, days: 3, nowUs: () => later + 10 * MIN });
    c.add([{ adapter: third, symbol: 'X', instrument: instrument('X') }]);
    await c.idle();
    expect(third.requests).toEqual([
      { symbol: 'X', interval: 60, startUs: to2, endUs: to2 + 10 * MIN },
      { symbol: 'X', interval: 1, startUs: to2, endUs: to2 + 10 * MIN },
      { symbol: 'X', interval: 5, startUs: to2, endUs: to2 + 10 * MIN },
    ]);
    const minutes = store.all('FAKE:X', 60);
    expect(minutes).toHaveLength((3 * DAY) / MIN + 10);
    for (const interval of [3600, 86400].filter((i) => (BAR_INTERVALS as readonly number[]).includes(i)) as BarInterval[]) {
      expect(store.all('FAKE:X', interval).map(strip)).toEqual([...bruteForce(minutes, interval).values()]);
    }
  });

  it('counts bad bars by reason and keeps the good ones', async () => {
    const store = new MemoryBarStore();
    const adapter: FeedAdapter = {
      name: 'bad',
      venue: 'FAKE',
      start: async () => {},
      stop: async () => {},
      async *history(request) {
        if (request.interval !== 60) return;
        const t = request.startUs;
        yield [
          { openTimeUs: t, open: '1.00', high: '2.00', low: '0.50', close: '1.50', volume: '1' },
          { openTimeUs: t + MIN, open: '1.001', high: '2.00', low: '0.50', close: '1.50', volume: '1' },
          { openTimeUs: t + 2 * MIN + 1, open: '1.00', high: '2.00', low: '0.50', close: '1.50', volume: '1' },
          { openTimeUs: t + 3 * MIN, open: '3.00', high: '2.00', low: '0.50', close: '1.50', volume: '1' },
          { openTimeUs: t + 4 * MIN, open: 'abc', high: '2.00', low: '0.50', close: '1.50', volume: '1' },
          null as unknown as AdapterBar,
          { openTimeUs: t, open: '1.00', high: '2.00', low: '0.50', close: '1.50', volume: '1' },
          { openTimeUs: t + 5 * MIN, open: 1, high: 2, low: 0.5, close: 1.5, volume: 2, vwap: '9.999' },
        ];
      },
    };
    const backfill = new Backfill({ store, days: 1, nowUs: () => NOW });
    backfill.add([{ adapter, symbol: 'X', instrument: instrument('X') }]);
    await backfill.idle();
    const bars = store.all('FAKE:X', 60);
    expect(bars).toHaveLength(2);
    expect(bars[1]?.vwap).toBe(200);
    expect(backfill.progress().rejectedBars).toEqual({ inexact: 1, 'bad-time': 2, 'bad-candle': 1, 'bad-number': 1, malformed: 1 });
  });

  it('degrades with a reason when a history iterator fails, and carries on with the others', async () => {
    const store = new MemoryBarStore();
    const broken = new FakeAdapter();
    broken.fail = (request, page) => {
      if (request.symbol === 'A' && request.interval === 60 && page === 1) throw new Error('venue said 503');
    };
    const other: FeedAdapter = Object.assign(new FakeAdapter(), { venue: 'OTHER' });
    const throwing: FeedAdapter = {
      name: 'throwing',
      venue: 'T',
      start: async () => {},
      stop: async () => {},
      history: () => {
        throw new Error('not today');
      },
    };
    const backfill = new Backfill({ store, days: 1, nowUs: () => NOW });
    backfill.add([
      { adapter: broken, symbol: 'A', instrument: instrument('A', 1) },
      { adapter: broken, symbol: 'B', instrument: instrument('B', 2) },
      { adapter: other, symbol: 'C', instrument: instrument('C', 3) },
      { adapter: throwing, symbol: 'D', instrument: instrument('D', 4) },
    ]);
    await backfill.idle();
    const progress = backfill.progress();
    expect(progress.state).toBe('done');
    expect(progress.instrumentsDone).toBe(4);
    // One error per instrument: after its 1m bars fail, its 1s/5s are not asked for.
    expect([...progress.errors].sort()).toEqual(['FAKE:A 1m: venue said 503', 'FAKE:D 1m: not today']);
    expect(broken.requests.filter((r) => r.symbol === 'A').map((r) => r.interval)).toEqual([60]);
    expect(progress.health).toBe('degraded');
    expect(progress.reason).toMatch(/^history backfill failed for 2 instruments \(live data unaffected\); latest: FAKE:[AD] 1m: /);
    expect(store.all('FAKE:A', 60)).toHaveLength(500);
    expect(store.all('FAKE:B', 60)).toHaveLength(1440);
    expect(store.all('FAKE:C', 60)).toHaveLength(1440);
  });

  it('ignores adapters without history and instruments given twice', async () => {
    const store = new MemoryBarStore();
    const adapter = new FakeAdapter();
    const plain: FeedAdapter = { name: 'plain', venue: 'P', start: async () => {}, stop: async () => {} };
    const backfill = new Backfill({ store, days: 1, nowUs: () => NOW });
    backfill.add([{ adapter: plain, symbol: 'P', instrument: instrument('P') }]);
    expect(backfill.progress().state).toBe('idle');
    backfill.add([{ adapter, symbol: 'X', instrument: instrument('X') }]);
    backfill.add([{ adapter, symbol: 'X', instrument: instrument('X') }]);
    await backfill.idle();
    expect(adapter.requests.filter((r) => r.interval === 60)).toHaveLength(1);
    expect(backfill.progress().instruments).toBe(1);
  });

  it('stops on stop(): the adapter sees its signal aborted and nothing more is written', async () => {
    const store = new MemoryBarStore();
    let sawAbort = false;
    const adapter: FeedAdapter = {
      name: 'slow',
      venue: 'S',
      start: async () => {},
      stop: async () => {},
      async *history(request) {
        yield [fakeBar(request.startUs, request.interval)];
        await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve()));
        sawAbort = true;
        yield [fakeBar(request.startUs + MIN, request.interval)];
      },
    };
    const backfill = new Backfill({ store, days: 1, nowUs: () => NOW });
    backfill.add([{ adapter, symbol: 'S', instrument: instrument('S') }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await backfill.stop();
    expect(sawAbort).toBe(true);
    expect(store.all('FAKE:S', 60)).toHaveLength(1);
    expect(backfill.progress()).toMatchObject({ state: 'stopped', errorCount: 0 });
  });

  it('does nothing with days 0', async () => {
    const store = new MemoryBarStore();
    const adapter = new FakeAdapter();
    const backfill = new Backfill({ store, days: 0, nowUs: () => NOW });
    backfill.add([{ adapter, symbol: 'X', instrument: instrument('X') }]);
    await backfill.idle();
    expect(adapter.requests).toEqual([]);
  });

  it('rejects bad options with the option named', () => {
    expect(() => new Backfill({ store: new MemoryBarStore(), days: -1 })).toThrow(/days/);
    expect(() => new Backfill({ store: undefined as never })).toThrow(/store/);
  });
});

describe('missingRanges', () => {
  it('gives the whole window for an empty store, and the two ends otherwise', () => {
    const store = new MemoryBarStore();
    expect(missingRanges(store, 'X', 60, 0, 10 * MIN)).toEqual([[0, 10 * MIN]]);
    const bar = (t: number): StoredBar => ({
      symbol: 'X',
      seq: 0,
      eventTimeUs: t,
      receiveTimeUs: t,
      interval: 60,
      openTimeUs: t,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
      tradeCount: 1,
      vwap: 1,
    });
    store.writeBars([bar(3 * MIN), bar(5 * MIN), bar(12 * MIN)]);
    // The bar at 12 min opens after the window's end (a live one): the end gap is measured from 5 min.
    expect(missingRanges(store, 'X', 60, 0, 10 * MIN)).toEqual([
      [0, 3 * MIN],
      [6 * MIN, 10 * MIN],
    ]);
    expect(missingRanges(store, 'X', 60, 4 * MIN, 6 * MIN)).toEqual([]);
  });
});
