import { describe, expect, it } from 'vitest';
import { AssetClass, Side, type Instrument } from '../../lib/market/types';
import type { AdapterInstrument, AdapterSink, FeedAdapter } from '../../server/adapters/types';
import { InProcessBus } from '../../server/bus/in-process';
import type { Tick } from '../../server/bus/types';
import { createLogger } from '../../server/log';
import { Normaliser, type NormaliserOptions } from '../../server/normaliser/normaliser';

const NOW_US = 1_750_000_000_000_000;

/** An adapter the test drives by hand through the sink it was started with. */
class ManualAdapter implements FeedAdapter {
  readonly name = 'manual';
  sink: AdapterSink | undefined;
  stopped = false;
  constructor(readonly venue = 'TEST') {}
  async start(sink: AdapterSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  get out(): AdapterSink {
    if (this.sink === undefined) throw new Error('not started');
    return this.sink;
  }
}

const BTC: AdapterInstrument = { symbol: 'BTC-USD', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 8 };
const AAPL: AdapterInstrument = { symbol: 'AAPL', assetClass: AssetClass.Equity, priceDecimals: 2, sizeDecimals: 0 };

/** Lets the normaliser's end-of-turn publish run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function setup(options: Partial<NormaliserOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const bus = new InProcessBus({ epoch: 7 });
  const batches: (readonly Tick[])[] = [];
  const tables: (readonly Instrument[])[] = [];
  bus.onTicks((ticks) => batches.push(ticks));
  bus.onInstruments((table) => tables.push(table));
  let now = NOW_US;
  const normaliser = new Normaliser({ bus, logger, now: () => now, ...options });
  const adapter = new ManualAdapter();
  await normaliser.attach(adapter);
  adapter.out.instruments([BTC, AAPL]);
  return {
    bus,
    normaliser,
    adapter,
    sink: adapter.out,
    batches,
    tables,
    ticks: () => batches.flat(),
    // Warnings about ticks; venue state changes are logged too (see 'status').
    warnings: () => lines.filter((l) => l.level === 'warn' && l.msg !== 'venue state'),
    logs: () => lines,
    setNow: (us: number) => (now = us),
  };
}

const goodTrade = { symbol: 'BTC-USD', price: '60000.12', size: '0.015', side: 'buy', tradeId: 77, eventTimeUs: NOW_US - 1000 } as const;
const goodQuote = { symbol: 'BTC-USD', bid: 60000.1, bidSize: '1.5', ask: '60000.20', askSize: 2, eventTimeUs: NOW_US - 500 } as const;

describe('Normaliser', () => {
  describe('constructor', () => {
    it('names the invalid option', () => {
      const bus = new InProcessBus({ epoch: 1 });
      const logger = createLogger({ level: 'silent' });
      expect(() => new Normaliser({ bus, logger, maxFutureSkewUs: -1 })).toThrow(/maxFutureSkewUs/);
      expect(() => new Normaliser({ bus, logger, maxBatchSize: 0.5 })).toThrow(/maxBatchSize/);
      expect(() => new Normaliser({ bus: {} as never, logger })).toThrow(/bus/);
    });
  });

  describe('instruments', () => {
    it('assigns ids 1, 2, 3 in declaration order, names them VENUE:SYMBOL and publishes the table', async () => {
      const { normaliser, tables, sink } = await setup();
      sink.instruments([{ symbol: 'EUR/USD', priceDecimals: 5, sizeDecimals: 0 }]);
      expect(normaliser.instruments()).toEqual([
        { id: 1, symbol: 'TEST:BTC-USD', venue: 'TEST', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 8 },
        { id: 2, symbol: 'TEST:AAPL', venue: 'TEST', assetClass: AssetClass.Equity, priceDecimals: 2, sizeDecimals: 0 },
        { id: 3, symbol: 'TEST:EUR/USD', venue: 'TEST', assetClass: AssetClass.Other, priceDecimals: 5, sizeDecimals: 0 },
      ]);
      expect(tables.map((t) => t.length)).toEqual([2, 3]);
    });

    it('keeps ids stable and publishes nothing when the same instruments are declared again', async () => {
      const { normaliser, tables, sink } = await setup();
      sink.instruments([AAPL, BTC]);
      expect(tables).toHaveLength(1);
      expect(normaliser.instruments().map((i) => [i.id, i.symbol])).toEqual([
        [1, 'TEST:BTC-USD'],
        [2, 'TEST:AAPL'],
      ]);
    });

    it('rejects bad declarations and conflicts, keeping the good ones', async () => {
      const { normaliser, sink } = await setup();
      sink.instruments([
        { symbol: '', priceDecimals: 2, sizeDecimals: 0 },
        { symbol: 'A B', priceDecimals: 2, sizeDecimals: 0 },
        { symbol: 'X', priceDecimals: 19, sizeDecimals: 0 },
        { symbol: 'Y', priceDecimals: 2, sizeDecimals: -1 },
        { symbol: 'Z', priceDecimals: 1.5, sizeDecimals: 0 },
        // Only the venue prefix: no symbol once it is taken off.
        { symbol: 'TEST:', priceDecimals: 2, sizeDecimals: 0 },
        { symbol: 'BTC-USD', priceDecimals: 3, sizeDecimals: 8, assetClass: AssetClass.Crypto },
        { symbol: 'OK', priceDecimals: 0, sizeDecimals: 18 },
      ]);
      sink.instruments('nonsense' as never);
      expect(normaliser.stats().rejected).toEqual({ 'bad-instrument': 7, 'instrument-conflict': 1 });
      expect(normaliser.instruments().map((i) => i.symbol)).toEqual(['TEST:BTC-USD', 'TEST:AAPL', 'TEST:OK']);
    });

    it('refuses a second symbol that a symbol map gives the name of another, instead of merging two markets', async () => {
      const { normaliser, ticks } = await setup();
      const { sink } = normaliser.open({
        adapter: 'test',
        venue: 'BIN',
        symbolMap: new Map([
          ['BTCUSDT', 'BTC-USD'],
          ['BTCUSDC', 'BTC-USD'],
        ]),
      });
      sink.instruments([
        { symbol: 'BTCUSDT', priceDecimals: 2, sizeDecimals: 0 },
        { symbol: 'BTCUSDC', priceDecimals: 2, sizeDecimals: 0 },
        // The same symbol again, with and without the venue prefix: still one instrument.
        { symbol: 'BIN:BTCUSDT', priceDecimals: 2, sizeDecimals: 0 },
      ]);
      sink.trade({ symbol: 'BTCUSDT', price: '100.00', size: '1', side: 'buy' });
      sink.trade({ symbol: 'BTCUSDC', price: '200.00', size: '1', side: 'buy' });
      await nextTurn();
      const btc = normaliser.instruments().find((i) => i.symbol === 'BIN:BTC-USD');
      expect(
        ticks()
          .filter((t) => t.instrumentId === btc?.id)
          .map((t) => t.kind === 'trade' && t.price),
      ).toEqual([10000]);
      expect(normaliser.stats().rejected).toEqual({ 'instrument-conflict': 1, 'unknown-instrument': 1 });
      // A restarted adapter (a new sink) declares its symbols again without conflict.
      const again = normaliser.open({ adapter: 'test', venue: 'BIN', symbolMap: new Map([['BTCUSDT', 'BTC-USD']]) });
      again.sink.instruments([{ symbol: 'BTCUSDT', priceDecimals: 2, sizeDecimals: 0 }]);
      expect(normaliser.stats().rejected).toEqual({ 'instrument-conflict': 1, 'unknown-instrument': 1 });
    });

    it('refuses instruments beyond maxInstruments', async () => {
      const { normaliser, sink } = await setup({ maxInstruments: 2 });
      sink.instruments([{ symbol: 'THIRD', priceDecimals: 2, sizeDecimals: 0 }]);
      expect(normaliser.stats()).toMatchObject({ instruments: 2, rejected: { 'too-many-instruments': 1 } });
    });
  });

  describe('ticks', () => {
    it('accepts string and number prices as exact mantissas and stamps receive time', async () => {
      const { sink, ticks } = await setup();
      sink.trade(goodTrade);
      sink.quote(goodQuote);
      await nextTurn();
      expect(ticks()).toEqual([
        {
          kind: 'trade',
          instrumentId: 1,
          seq: 1,
          eventTimeUs: NOW_US - 1000,
          receiveTimeUs: NOW_US,
          price: 6_000_012,
          size: 1_500_000,
          side: Side.Buy,
          tradeId: 77,
        },
        {
          kind: 'quote',
          instrumentId: 1,
          seq: 2,
          eventTimeUs: NOW_US - 500,
          receiveTimeUs: NOW_US,
          bid: 6_000_010,
          bidSize: 150_000_000,
          ask: 6_000_020,
          askSize: 200_000_000,
        },
      ]);
    });

    it('gives trades and quotes one consecutive seq per instrument and publishes them in order, once per turn', async () => {
      const { sink, batches, ticks } = await setup();
      for (let i = 0; i < 5; i += 1) {
        sink.trade({ ...goodTrade, price: 100 + i });
        sink.quote({ symbol: 'AAPL', bid: '190.01', bidSize: 100, ask: '190.02', askSize: 300 });
        sink.quote(goodQuote);
      }
      expect(batches).toHaveLength(0);
      await nextTurn();
      expect(batches).toHaveLength(1);
      const btc = ticks().filter((t) => t.instrumentId === 1);
      expect(btc.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(btc.filter((t) => t.kind === 'trade').map((t) => (t.kind === 'trade' ? t.price : 0))).toEqual([
        10_000, 10_100, 10_200, 10_300, 10_400,
      ]);
      expect(
        ticks()
          .filter((t) => t.instrumentId === 2)
          .map((t) => t.seq),
      ).toEqual([1, 2, 3, 4, 5]);
    });

    it('defaults a missing event time to the receive time and a missing trade id to the empty string', async () => {
      const { sink, ticks } = await setup();
      sink.trade({ symbol: 'AAPL', price: 190, size: 3, side: 'unknown' });
      await nextTurn();
      expect(ticks()[0]).toMatchObject({ eventTimeUs: NOW_US, tradeId: '', side: Side.Unknown });
    });

    it('splits a burst into batches of at most maxBatchSize, keeping order', async () => {
      const { sink, batches, ticks } = await setup({ maxBatchSize: 4 });
      for (let i = 0; i < 10; i += 1) sink.quote(goodQuote);
      await nextTurn();
      expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
      expect(ticks().map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('starts sequences again at 1 in a new normaliser', async () => {
      const first = await setup();
      first.sink.quote(goodQuote);
      const second = await setup();
      second.sink.quote(goodQuote);
      await nextTurn();
      expect(second.ticks()[0]?.seq).toBe(1);
    });
  });

  describe('rejections', () => {
    const cases: [string, 'trade' | 'quote', unknown, string][] = [
      ['a NaN price', 'trade', { ...goodTrade, price: Number.NaN }, 'bad-price'],
      ['an infinite price', 'trade', { ...goodTrade, price: Number.POSITIVE_INFINITY }, 'bad-price'],
      ['a negative price', 'trade', { ...goodTrade, price: '-5.00' }, 'bad-price'],
      ['a zero price', 'trade', { ...goodTrade, price: 0 }, 'bad-price'],
      ['a price that is no decimal', 'trade', { ...goodTrade, price: '1e3' }, 'bad-price'],
      ['a price finer than the precision', 'trade', { ...goodTrade, price: '0.001' }, 'inexact-price'],
      ['a number price off the grid', 'trade', { ...goodTrade, price: 1.005 }, 'inexact-price'],
      ['a large number price half a tick off the grid', 'trade', { ...goodTrade, price: 60000.125 }, 'inexact-price'],
      ['a large number price finer than the precision', 'trade', { ...goodTrade, price: 60000.12345 }, 'inexact-price'],
      ['a large number size off the grid', 'trade', { ...goodTrade, symbol: 'AAPL', size: 1234567.4 }, 'inexact-size'],
      ['a zero trade size', 'trade', { ...goodTrade, size: 0 }, 'bad-size'],
      ['a size finer than the precision', 'trade', { ...goodTrade, size: '0.000000001' }, 'inexact-size'],
      ['a bad side', 'trade', { ...goodTrade, side: 'long' }, 'bad-side'],
      ['a fractional trade id', 'trade', { ...goodTrade, tradeId: 1.5 }, 'bad-trade-id'],
      ['an absurdly long trade id', 'trade', { ...goodTrade, tradeId: 'x'.repeat(500) }, 'bad-trade-id'],
      ['a far-future event time', 'trade', { ...goodTrade, eventTimeUs: NOW_US + 6_000_000 }, 'future-time'],
      ['an event time from 1970', 'trade', { ...goodTrade, eventTimeUs: 1_000 }, 'stale-time'],
      ['a NaN event time', 'trade', { ...goodTrade, eventTimeUs: Number.NaN }, 'bad-time'],
      ['an unknown symbol', 'trade', { ...goodTrade, symbol: 'NOPE' }, 'unknown-instrument'],
      ['a missing symbol', 'quote', { ...goodQuote, symbol: undefined }, 'malformed'],
      ['an empty quote object', 'quote', {}, 'malformed'],
      ['an empty trade object', 'trade', {}, 'malformed'],
      ['a number symbol', 'trade', { ...goodTrade, symbol: 7 }, 'malformed'],
      ['a crossed quote', 'quote', { ...goodQuote, bid: '60000.30' }, 'crossed-quote'],
      ['a negative quote size', 'quote', { ...goodQuote, askSize: -1 }, 'bad-size'],
      ['a non-object', 'quote', 42, 'malformed'],
      ['null', 'trade', null, 'malformed'],
    ];

    it.each(cases)('rejects %s', async (_, kind, raw, reason) => {
      const { sink, normaliser, ticks } = await setup();
      if (kind === 'trade') sink.trade(raw as never);
      else sink.quote(raw as never);
      await nextTurn();
      expect(ticks()).toEqual([]);
      expect(normaliser.stats()).toMatchObject({ accepted: 0, rejected: { [reason]: 1 } });
    });

    it('accepts a zero quote size and a one-sided-looking but uncrossed quote', async () => {
      const { sink, ticks } = await setup();
      sink.quote({ ...goodQuote, bidSize: 0, bid: goodQuote.ask });
      await nextTurn();
      expect(ticks()).toHaveLength(1);
    });

    it('rejects ticks for a symbol declared by another venue', async () => {
      const { normaliser, sink } = await setup();
      const other = new ManualAdapter('OTHER');
      await normaliser.attach(other);
      other.out.trade(goodTrade);
      sink.trade(goodTrade);
      expect(normaliser.stats()).toMatchObject({ accepted: 1, rejected: { 'unknown-instrument': 1 } });
    });

    it('honours configured skews', async () => {
      const { sink, normaliser } = await setup({ maxFutureSkewUs: 10, maxPastSkewUs: 10 });
      sink.trade({ ...goodTrade, eventTimeUs: NOW_US + 11 });
      sink.trade({ ...goodTrade, eventTimeUs: NOW_US - 11 });
      sink.trade({ ...goodTrade, eventTimeUs: NOW_US + 10 });
      expect(normaliser.stats()).toMatchObject({ accepted: 1, rejected: { 'future-time': 1, 'stale-time': 1 } });
    });

    it('never throws out of the sink, whatever it is given', async () => {
      const { sink, normaliser } = await setup();
      const hostile = new Proxy(
        {},
        {
          get: () => {
            throw new Error('gotcha');
          },
        },
      );
      const inputs: unknown[] = [undefined, null, 0, 'x', [], hostile, { symbol: 'BTC-USD', price: {}, size: [] }, Symbol('s')];
      for (const input of inputs) {
        expect(() => sink.trade(input as never)).not.toThrow();
        expect(() => sink.quote(input as never)).not.toThrow();
        expect(() => sink.instruments(input as never)).not.toThrow();
        expect(() => sink.status(input as never)).not.toThrow();
      }
      expect(normaliser.stats().accepted).toBe(0);
      // Every call is rejected except instruments([]), a valid empty declaration.
      expect(Object.values(normaliser.stats().rejected).reduce((a, b) => a + b, 0)).toBe(inputs.length * 4 - 1);
    });

    it('logs the first rejection per reason with an example, then only a summary of counts', async () => {
      const { sink, normaliser, warnings } = await setup();
      for (let i = 0; i < 5; i += 1) sink.trade({ ...goodTrade, price: Number.NaN });
      for (let i = 0; i < 3; i += 1) sink.trade({ ...goodTrade, side: 'up' as never });
      expect(warnings()).toHaveLength(2);
      expect(warnings()[0]).toMatchObject({
        reason: 'bad-price',
        adapter: 'manual',
        venue: 'TEST',
        example: { price: 'NaN', symbol: 'BTC-USD' },
      });
      expect(warnings()[1]).toMatchObject({ reason: 'bad-side', example: { side: 'up' } });
      await normaliser.detachAll();
      expect(warnings()).toHaveLength(3);
      expect(warnings()[2]).toMatchObject({ msg: 'rejected updates since last summary', counts: { 'bad-price': 4, 'bad-side': 2 } });
    });

    it('summarises on a timer no more often than the configured interval', async () => {
      const { sink, warnings } = await setup({ rejectSummaryIntervalMs: 30 });
      sink.trade({ ...goodTrade, size: -1 });
      sink.trade({ ...goodTrade, size: -1 });
      sink.trade({ ...goodTrade, size: -1 });
      expect(warnings()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(warnings().slice(1)).toEqual([expect.objectContaining({ counts: { 'bad-size': 2 } })]);
    });
  });

  describe('status', () => {
    it('forwards adapter states as venue status on the bus', async () => {
      const { sink, bus, normaliser } = await setup();
      expect(bus.status()).toEqual([{ venue: 'TEST', state: 'connecting', reason: '' }]);
      sink.status('live');
      const other = new ManualAdapter('OTHER');
      await normaliser.attach(other);
      other.out.status('stale', 'no data for 5 s');
      expect(bus.status()).toEqual([
        { venue: 'TEST', state: 'live', reason: '' },
        { venue: 'OTHER', state: 'stale', reason: 'no data for 5 s' },
      ]);
      sink.status('sleeping' as never);
      expect(normaliser.stats().rejected).toEqual({ 'bad-status': 1 });
    });

    it('rejects upstream_lost from an adapter as bad-status: only a gateway that lost its broker reports it', async () => {
      const { sink, bus, normaliser } = await setup();
      sink.status('live');
      sink.status('upstream_lost' as never, 'pretending');
      expect(bus.status()).toEqual([{ venue: 'TEST', state: 'live', reason: '' }]);
      expect(normaliser.stats().rejected).toEqual({ 'bad-status': 1 });
    });

    it('carries the reason given with live (a non-fatal venue problem) and clears it with a plain live', async () => {
      const { sink, bus } = await setup();
      sink.status('live', '1 of 3 symbols refused by the venue: XYZ');
      expect(bus.status()).toEqual([{ venue: 'TEST', state: 'live', reason: '1 of 3 symbols refused by the venue: XYZ' }]);
      sink.status('live');
      expect(bus.status()).toEqual([{ venue: 'TEST', state: 'live', reason: '' }]);
    });

    it('logs every venue state change with its reason, and nothing for a repeat', async () => {
      const { sink, logs } = await setup();
      sink.status('live');
      sink.status('live');
      sink.status('down', 'connection closed (code 1006); reconnecting in 0.7 s');
      sink.status('live', 'symbol XYZ refused');
      const changes = logs().filter((l) => l.msg === 'venue state');
      expect(changes).toEqual([
        expect.objectContaining({ level: 'info', venue: 'TEST', state: 'connecting', reason: '', previous: null }),
        expect.objectContaining({ level: 'info', venue: 'TEST', state: 'live', reason: '', previous: 'connecting' }),
        expect.objectContaining({
          level: 'warn',
          venue: 'TEST',
          state: 'down',
          reason: 'connection closed (code 1006); reconnecting in 0.7 s',
          previous: 'live',
        }),
        expect.objectContaining({ level: 'info', venue: 'TEST', state: 'live', reason: 'symbol XYZ refused', previous: 'down' }),
      ]);
    });

    it('reports a venue down and passes the error on when its adapter fails to start', async () => {
      const { bus, normaliser } = await setup();
      const broken: FeedAdapter = {
        name: 'broken',
        venue: 'BRK',
        start: () => Promise.reject(new Error('no route')),
        stop: async () => {},
      };
      await expect(normaliser.attach(broken)).rejects.toThrow('no route');
      expect(bus.status()).toContainEqual({ venue: 'BRK', state: 'down', reason: 'failed to start: no route' });
    });
  });

  describe('#detachAll', () => {
    it('stops adapters, publishes what is pending and ignores their later output', async () => {
      const { sink, adapter, normaliser, batches, bus } = await setup();
      sink.quote(goodQuote);
      await normaliser.detachAll();
      expect(adapter.stopped).toBe(true);
      expect(batches).toHaveLength(1);
      sink.quote(goodQuote);
      await nextTurn();
      expect(batches).toHaveLength(1);
      expect(bus.status()).toEqual([{ venue: 'TEST', state: 'down', reason: 'detached' }]);
    });
  });
});
