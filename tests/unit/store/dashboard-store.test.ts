import { describe, expect, it } from 'vitest';
import { AssetClass, Side, type Bar, type Quote, type Trade } from '../../../lib/market/types';
import type { InstrumentEntry, ServerMessage } from '../../../lib/protocol/messages';
import { createDashboardStore, type DashboardStore } from '../../../lib/store/dashboard-store';
import { OLDER_RETRY_MS } from '../../../lib/store/older-bars';

const BTC: InstrumentEntry = {
  id: 1,
  symbol: 'BTC-USD',
  venue: 'SIM',
  assetClass: AssetClass.Crypto,
  priceDecimals: 2,
  sizeDecimals: 4,
  removed: false,
};
const ETH: InstrumentEntry = { ...BTC, id: 2, symbol: 'ETH-USD' };

function trade(instrumentId: number, seq: number, price: number, size = 10): Trade {
  return {
    kind: 'trade',
    instrumentId,
    seq,
    eventTimeUs: seq * 1_000_000,
    receiveTimeUs: seq * 1_000_000,
    price,
    size,
    side: seq % 2 ? Side.Buy : Side.Sell,
    tradeId: seq,
  };
}
function quote(instrumentId: number, seq: number, bid: number, ask: number): Quote {
  return { kind: 'quote', instrumentId, seq, eventTimeUs: 0, receiveTimeUs: 0, bid, bidSize: 1, ask, askSize: 1 };
}
function bar(instrumentId: number, interval: Bar['interval'], openTimeS: number, close: number): Bar {
  return {
    kind: 'bar',
    instrumentId,
    seq: 0,
    eventTimeUs: 0,
    receiveTimeUs: 0,
    interval,
    openTimeUs: openTimeS * 1e6,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    tradeCount: 1,
    vwap: close,
  };
}

/** A store whose frames run only when the test says so. */
function manualStore(initialSymbol?: string): { store: DashboardStore; frames: Array<() => void> } {
  const frames: Array<() => void> = [];
  const store = createDashboardStore({
    url: 'ws://test',
    initialSymbol,
    now: () => 10_000,
    scheduler: (callback) => {
      frames.push(callback);
      return () => frames.splice(frames.indexOf(callback), 1);
    },
  });
  return { store, frames };
}

function feed(store: DashboardStore, ...messages: ServerMessage[]): void {
  for (const message of messages) store.getState().actions.ingest(message);
}

const hello = (epoch: number): ServerMessage => ({
  type: 'hello',
  protocolVersion: 2,
  serverId: 'g1',
  epoch,
  heartbeatIntervalMs: 1000,
  serverTimeUs: 0,
  capabilities: [],
  intervals: [1, 5, 60, 300, 900, 3600],
});
const instruments: ServerMessage = { type: 'instruments', instruments: [BTC, ETH] };

describe('DashboardStore', () => {
  describe('#ingest', () => {
    it('buffers messages and applies them all in one state change per frame', () => {
      const { store, frames } = manualStore();
      let changes = 0;
      store.subscribe(() => changes++);
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [trade(1, 1, 100), trade(1, 2, 101)] });
      expect(store.getState().tickers[1]).toBeUndefined();
      expect(frames).toHaveLength(1);
      frames[0]?.();
      expect(store.getState().tickers[1]?.last).toBe(101);
      // one set for the messages, one for the selection the instrument table made possible
      expect(changes).toBeLessThanOrEqual(2);
    });

    it('folds trades into session open, high, low, volume and the tick direction', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments, {
        type: 'batch',
        conflated: false,
        updates: [trade(1, 1, 100), trade(1, 2, 120), trade(1, 3, 90), trade(1, 4, 95)],
      });
      store.getState().actions.flush();
      expect(store.getState().tickers[1]).toMatchObject({
        open: 100,
        high: 120,
        low: 90,
        last: 95,
        volume: 40,
        direction: 1,
        tickCount: 3,
        lastMovedAtMs: 10_000,
      });
    });

    it("takes the session from the feed's figures in a snapshot, then folds live trades into them", () => {
      const { store } = manualStore();
      const session = {
        kind: 'session',
        instrumentId: 1,
        seq: 50,
        eventTimeUs: 50_000_000,
        receiveTimeUs: 50_000_000,
        startTimeUs: 0,
        open: 80,
        high: 130,
        low: 70,
        close: 100,
        volume: 5_000,
        tradeCount: 49,
      } as const;
      feed(
        store,
        hello(1),
        instruments,
        {
          type: 'snapshot',
          requestId: 1,
          instrumentId: 1,
          recovered: false,
          barsOnly: false,
          seq: 51,
          interval: 0,
          updates: [trade(1, 49, 99), trade(1, 50, 100), session, quote(1, 51, 99, 101)],
        },
        { type: 'batch', conflated: false, updates: [trade(1, 52, 140, 7)] },
      );
      store.getState().actions.flush();
      // Not 99 -> 140 from the two trades the snapshot lists: the session the feed counted.
      expect(store.getState().tickers[1]).toMatchObject({
        open: 80,
        high: 140,
        low: 70,
        last: 140,
        volume: 5_007,
        sessionTrades: 50,
        bid: 99,
      });
    });

    it('keeps the session and last price true through a conflated batch that skipped trades', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [trade(1, 1, 100)] });
      store.getState().actions.flush();
      feed(store, {
        type: 'batch',
        conflated: true,
        updates: [
          quote(1, 40, 150, 152),
          trade(1, 39, 151),
          {
            kind: 'session',
            instrumentId: 1,
            seq: 39,
            eventTimeUs: 39_000_000,
            receiveTimeUs: 39_000_000,
            startTimeUs: 0,
            open: 100,
            high: 170,
            low: 60,
            close: 151,
            volume: 390,
            tradeCount: 20,
          },
        ],
      });
      store.getState().actions.flush();
      expect(store.getState().tickers[1]).toMatchObject({ open: 100, high: 170, low: 60, last: 151, volume: 390, direction: 1, bid: 150 });
    });

    it('ignores updates whose sequence was already applied', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [trade(1, 5, 100), trade(1, 4, 50)] });
      store.getState().actions.flush();
      expect(store.getState().tickers[1]).toMatchObject({ last: 100, volume: 10 });
    });

    it('keeps bid and ask from quotes', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [quote(2, 1, 99, 101)] });
      store.getState().actions.flush();
      expect(store.getState().tickers[2]).toMatchObject({ bid: 99, ask: 101 });
    });

    it('records when and which way bid and ask moved, for flashing cells', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments, {
        type: 'batch',
        conflated: false,
        updates: [quote(2, 1, 99, 101), quote(2, 2, 100, 101), quote(2, 3, 100, 100)],
      });
      store.getState().actions.flush();
      expect(store.getState().tickers[2]).toMatchObject({
        bidDirection: 1,
        bidMovedAtMs: 10_000,
        askDirection: -1,
        askMovedAtMs: 10_000,
      });
    });

    it('flushes without a frame once the buffer holds maxPendingMessages', () => {
      const store = createDashboardStore({ url: 'ws://t', maxPendingMessages: 3, scheduler: () => () => {} });
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [trade(1, 1, 7)] });
      expect(store.getState().tickers[1]?.last).toBe(7);
    });
  });

  describe('selection', () => {
    it('selects the first instrument when none was asked for', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      expect(store.getState().selectedSymbol).toBe('BTC-USD');
      expect(store.getState().chart).toMatchObject({ instrumentId: 1, status: 'loading' });
    });

    it('reports an unknown instrument and falls back to the first one', () => {
      const { store } = manualStore('NOPE');
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      expect(store.getState().selectedSymbol).toBe('BTC-USD');
      expect(store.getState().errors.map((e) => e.kind)).toEqual(['unknown-instrument']);
    });

    it('loads bars from the snapshot of the selected instrument and interval only', () => {
      const { store } = manualStore('ETH-USD');
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      const revision = store.getState().chart.revision;
      feed(
        store,
        {
          type: 'snapshot',
          requestId: 1,
          instrumentId: 1,
          recovered: false,
          barsOnly: false,
          seq: 1,
          interval: 60,
          updates: [bar(1, 60, 60, 5)],
        },
        {
          type: 'snapshot',
          requestId: 2,
          instrumentId: 2,
          recovered: false,
          barsOnly: false,
          seq: 1,
          interval: 5,
          updates: [bar(2, 5, 60, 6)],
        },
        {
          type: 'snapshot',
          requestId: 3,
          instrumentId: 2,
          recovered: false,
          barsOnly: false,
          seq: 1,
          interval: 60,
          updates: [bar(2, 60, 120, 8), bar(2, 60, 60, 7)],
        },
      );
      store.getState().actions.flush();
      const { chart } = store.getState();
      expect(chart.status).toBe('ready');
      expect(chart.revision).toBe(revision + 1);
      expect(chart.bars.map((b) => b.close)).toEqual([7, 8]);
    });

    it('keeps the older bars a fresh snapshot of the same epoch does not reach back to (a resync after a gap)', () => {
      const { store } = manualStore('BTC-USD');
      const held = Array.from({ length: 10 }, (_, i) => bar(1, 60, 60 * (i + 1), 1));
      feed(store, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: held,
      });
      store.getState().actions.flush();
      const revision = store.getState().chart.revision;
      feed(store, {
        type: 'snapshot',
        requestId: 2,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 9,
        interval: 60,
        updates: [bar(1, 60, 540, 2), bar(1, 60, 600, 2), bar(1, 60, 660, 2)],
      });
      store.getState().actions.flush();
      const { chart } = store.getState();
      expect(chart.revision).toBe(revision + 1);
      expect(chart.bars.map((b) => b.openTimeUs / 60e6)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(chart.bars.map((b) => b.close)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2]);
    });

    it('takes only the snapshot bars after a new epoch', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: [bar(1, 60, 60, 1), bar(1, 60, 120, 1)],
      });
      store.getState().actions.flush();
      feed(store, hello(2), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: [bar(1, 60, 120, 2), bar(1, 60, 180, 2)],
      });
      store.getState().actions.flush();
      expect(store.getState().chart.bars.map((b) => b.openTimeUs / 60e6)).toEqual([2, 3]);
    });

    it('updates the last bar from live bars without a new revision', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: [bar(1, 60, 60, 5)],
      });
      store.getState().actions.flush();
      const revision = store.getState().chart.revision;
      feed(store, { type: 'batch', conflated: false, updates: [bar(1, 60, 60, 6), bar(1, 60, 120, 9), bar(1, 5, 125, 1)] });
      store.getState().actions.flush();
      expect(store.getState().chart.revision).toBe(revision);
      expect(store.getState().chart.bars.map((b) => b.close)).toEqual([6, 9]);
    });

    it('drops the old bars on an interval change, and bars and tape on an instrument change', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 2,
        interval: 60,
        updates: [bar(1, 60, 60, 5), trade(1, 1, 5)],
      });
      store.getState().actions.flush();
      expect(store.getState().tape).toHaveLength(1);
      store.getState().actions.setInterval(5);
      expect(store.getState().chart).toMatchObject({ interval: 5, bars: [], status: 'loading', instrumentId: 1 });
      store.getState().actions.select('ETH-USD');
      expect(store.getState().chart).toMatchObject({ instrumentId: 2, bars: [] });
      expect(store.getState().tape).toEqual([]);
    });

    it('resolves a name typed in another case, as a link may carry it', () => {
      const { store } = manualStore('btc-usd');
      feed(store, hello(1), {
        type: 'instruments',
        instruments: [
          { ...ETH, symbol: 'SIM:ETH-USD' },
          { ...BTC, symbol: 'SIM:BTC-USD' },
        ],
      });
      store.getState().actions.flush();
      expect(store.getState()).toMatchObject({ selectedSymbol: 'SIM:BTC-USD', errors: [] });
      store.getState().actions.select('sim:eth-usd');
      expect(store.getState()).toMatchObject({ selectedSymbol: 'SIM:ETH-USD', chart: { instrumentId: 2 } });
    });

    it('resolves a bare symbol to the one venue listing it', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), {
        type: 'instruments',
        instruments: [
          { ...ETH, symbol: 'SIM:ETH-USD' },
          { ...BTC, symbol: 'SIM:BTC-USD' },
        ],
      });
      store.getState().actions.flush();
      expect(store.getState()).toMatchObject({ selectedSymbol: 'SIM:BTC-USD', errors: [] });
      expect(store.getState().chart.instrumentId).toBe(1);
      store.getState().actions.select('ETH-USD');
      expect(store.getState()).toMatchObject({ selectedSymbol: 'SIM:ETH-USD', chart: { instrumentId: 2 } });
    });

    it('reports a bare symbol several venues list, naming them', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), {
        type: 'instruments',
        instruments: [
          { ...ETH, id: 3, symbol: 'SIM:ETH-USD' },
          { ...ETH, id: 5, symbol: 'SIM:BTC-USD' },
          { ...BTC, id: 6, symbol: 'X:BTC-USD' },
        ],
      });
      store.getState().actions.flush();
      const [error] = store.getState().errors;
      expect(error?.kind).toBe('unknown-instrument');
      expect(error?.message).toContain('SIM:BTC-USD');
      expect(error?.message).toContain('X:BTC-USD');
      // One of the venues' BTC-USD is shown, not the first instrument of the table (ETH-USD).
      expect(store.getState().selectedSymbol).toMatch(/:BTC-USD$/);
    });

    it('moves the selection with selectRelative and stops at the ends', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      store.getState().actions.selectRelative(['BTC-USD', 'ETH-USD'], 1);
      expect(store.getState().selectedSymbol).toBe('ETH-USD');
      store.getState().actions.selectRelative(['BTC-USD', 'ETH-USD'], 1);
      expect(store.getState().selectedSymbol).toBe('ETH-USD');
    });
    it('goes to the last row on End and the first on Home when the selection is filtered out', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), { type: 'instruments', instruments: [BTC, ETH, { ...BTC, id: 3, symbol: 'SOL-USD' }] });
      store.getState().actions.flush();
      // The filter hides the selected BTC-USD.
      const filtered = ['ETH-USD', 'SOL-USD'];
      store.getState().actions.selectRelative(filtered, filtered.length); // End
      expect(store.getState().selectedSymbol).toBe('SOL-USD');
      store.getState().actions.select('BTC-USD');
      store.getState().actions.selectRelative(filtered, -filtered.length); // Home
      expect(store.getState().selectedSymbol).toBe('ETH-USD');
      store.getState().actions.select('BTC-USD');
      store.getState().actions.selectRelative(filtered, -1); // Up enters the list from its end
      expect(store.getState().selectedSymbol).toBe('SOL-USD');
    });
  });

  describe('trade tape', () => {
    it('holds trades of the selected instrument only, newest first, bounded', () => {
      const store = createDashboardStore({ url: 'ws://t', initialSymbol: 'BTC-USD', maxTape: 3, scheduler: () => () => {} });
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      feed(store, {
        type: 'batch',
        conflated: false,
        updates: [trade(1, 1, 1), trade(2, 2, 2), trade(1, 3, 3), trade(1, 4, 4), trade(1, 5, 5)],
      });
      store.getState().actions.flush();
      expect(store.getState().tape.map((t) => t.price)).toEqual([5, 4, 3]);
    });

    it('fills from a snapshot even when the watchlist already applied newer trades', () => {
      const { store } = manualStore('ETH-USD');
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [trade(1, 9, 10)] });
      store.getState().actions.select('BTC-USD');
      feed(store, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 9,
        interval: 60,
        updates: [trade(1, 8, 8), trade(1, 9, 10), trade(1, 7, 7)],
      });
      store.getState().actions.flush();
      expect(store.getState().tape.map((t) => t.seq)).toEqual([9, 8, 7]);
    });
  });

  describe('epochs', () => {
    it('starts a new session when the server epoch changes', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments, { type: 'batch', conflated: false, updates: [trade(1, 50, 100)] });
      store.getState().actions.flush();
      feed(store, hello(2), instruments, { type: 'batch', conflated: false, updates: [trade(1, 1, 200)] });
      store.getState().actions.flush();
      expect(store.getState().tickers[1]).toMatchObject({ open: 200, last: 200, volume: 10 });
      expect(store.getState().connection.epoch).toBe(2);
      expect(store.getState().chart).toMatchObject({ instrumentId: 1, bars: [], status: 'loading' });
    });

    it('forgets the instrument table of the old epoch', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      feed(store, hello(2), { type: 'instruments', instruments: [{ ...ETH, id: 1 }] });
      store.getState().actions.flush();
      expect(store.getState().instrumentIds).toEqual([1]);
      expect(store.getState().instruments[1]?.symbol).toBe('ETH-USD');
      expect(store.getState().selectedSymbol).toBe('ETH-USD');
    });
  });

  describe('options', () => {
    it('rejects a bad option with a TypeError naming it', () => {
      expect(() => createDashboardStore({ url: 'ws://t', maxTape: 0 })).toThrow(/maxTape/);
      expect(() => createDashboardStore({ url: 'ws://t', initialInterval: 7 as 60 })).toThrow(/initialInterval/);
    });
  });

  describe('lag probe', () => {
    it('records receive-to-frame lag of live updates in ms', () => {
      const { store } = manualStore();
      feed(store, hello(1), instruments, {
        type: 'batch',
        conflated: false,
        updates: [{ ...trade(1, 1, 1), receiveTimeUs: 9_000_000 }],
      });
      store.getState().actions.flush();
      expect(store.lagProbe.samples()).toEqual([1000]);
    });
  });

  describe('scroll-back', () => {
    /** A BTC 1m chart whose snapshot brought minutes `first` .. `last`. */
    function charted(first: number, last: number): DashboardStore {
      const { store } = manualStore('BTC-USD');
      const bars = Array.from({ length: last - first + 1 }, (_, i) => bar(1, 60, 60 * (first + i), 1));
      feed(store, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: bars,
      });
      store.getState().actions.flush();
      return store;
    }
    const minutes = (store: DashboardStore) => store.getState().chart.bars.map((b) => b.openTimeUs / 60e6);

    it('has no scroll-back before the snapshot, and an idle one after it', () => {
      const { store } = manualStore('BTC-USD');
      feed(store, hello(1), instruments);
      store.getState().actions.flush();
      store.getState().actions.loadOlder();
      expect(store.getState().chart.older).toBeUndefined();
      expect(charted(10, 20).getState().chart.older?.status).toBe('idle');
    });

    it('marks one page in flight, merges it in front without a new revision, and keeps the live bar for the same minute', () => {
      const store = charted(10, 20);
      const { actions } = store.getState();
      const revision = store.getState().chart.revision;
      actions.loadOlder();
      const token = store.getState().chart.older;
      expect(token?.status).toBe('loading');
      actions.loadOlder(); // one request in flight: nothing changes
      expect(store.getState().chart.older).toBe(token);
      const page = [...Array.from({ length: 5 }, (_, i) => bar(1, 60, 60 * (5 + i), 2)), bar(1, 60, 600, 2)];
      actions.olderBarsLoaded(token!, { bars: page, more: true });
      const { chart } = store.getState();
      expect(minutes(store)).toEqual(Array.from({ length: 16 }, (_, i) => 5 + i));
      expect(chart.bars.find((b) => b.openTimeUs === 600e6)?.close).toBe(1); // the held bar won
      expect(chart.revision).toBe(revision);
      expect(chart.older?.status).toBe('idle');
    });

    it('stops at the start of data and asks no more', () => {
      const store = charted(10, 20);
      const { actions } = store.getState();
      actions.loadOlder();
      actions.olderBarsLoaded(store.getState().chart.older!, { bars: [bar(1, 60, 540, 2)], more: false });
      expect(store.getState().chart.older?.status).toBe('start');
      const before = store.getState().chart;
      actions.loadOlder();
      expect(store.getState().chart).toBe(before);
    });

    it('drops the answer of a page asked for another interval', () => {
      const store = charted(10, 20);
      const { actions } = store.getState();
      actions.loadOlder();
      const token = store.getState().chart.older!;
      actions.setInterval(300);
      actions.olderBarsLoaded(token, { bars: [bar(1, 60, 60, 2)], more: true });
      expect(store.getState().chart.bars).toEqual([]);
      expect(store.getState().chart.older).toBeUndefined();
    });

    it('drops the answer of a page asked in an earlier epoch', () => {
      const store = charted(10, 20);
      const { actions } = store.getState();
      actions.loadOlder();
      const token = store.getState().chart.older!;
      feed(store, hello(2), instruments);
      actions.flush();
      actions.olderBarsLoaded(token, { bars: [bar(1, 60, 60, 2)], more: true });
      expect(store.getState().chart.bars).toEqual([]);
    });

    it('keeps the loaded bars as live bars come, beyond the store window', () => {
      const small = createDashboardStore({ url: 'ws://t', initialSymbol: 'BTC-USD', maxBars: 20, scheduler: () => () => {} });
      const bars = Array.from({ length: 20 }, (_, i) => bar(1, 60, 60 * (100 + i), 1));
      feed(small, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: bars,
      });
      small.getState().actions.flush();
      small.getState().actions.loadOlder();
      const page = Array.from({ length: 50 }, (_, i) => bar(1, 60, 60 * (50 + i), 2));
      small.getState().actions.olderBarsLoaded(small.getState().chart.older!, { bars: page, more: true });
      expect(small.getState().chart.bars).toHaveLength(70);
      feed(small, { type: 'batch', conflated: false, updates: [bar(1, 60, 60 * 120, 3)] });
      small.getState().actions.flush();
      // One live bar in: the window grew with the page, the oldest loaded bar is still there.
      expect(small.getState().chart.bars).toHaveLength(70);
      expect(small.getState().chart.bars[0]?.openTimeUs).toBe(60 * 51 * 1e6);
    });

    it('waits before asking again after a failure', () => {
      let now = 10_000;
      const store = createDashboardStore({ url: 'ws://t', initialSymbol: 'BTC-USD', now: () => now, scheduler: () => () => {} });
      feed(store, hello(1), instruments, {
        type: 'snapshot',
        requestId: 1,
        instrumentId: 1,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 60,
        updates: [bar(1, 60, 600, 1)],
      });
      const { actions } = store.getState();
      actions.flush();
      actions.loadOlder();
      actions.olderBarsFailed(store.getState().chart.older!);
      expect(store.getState().chart.older?.status).toBe('failed');
      now += OLDER_RETRY_MS - 1;
      actions.loadOlder();
      expect(store.getState().chart.older?.status).toBe('failed');
      now += 1;
      actions.loadOlder();
      expect(store.getState().chart.older?.status).toBe('loading');
    });
  });
});
