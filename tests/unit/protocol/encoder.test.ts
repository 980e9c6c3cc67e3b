import { describe, expect, it } from 'vitest';
import type { Bar, MarketUpdate, Quote, Trade } from '../../../lib/market/types';
import { decodeClientMessage, decodeServerMessage, encodeJsonMessage, encodeMessage, type AnyMessage } from '../../../lib/protocol';

const trade: Trade = {
  kind: 'trade',
  instrumentId: 1,
  seq: 10,
  eventTimeUs: 1_732_230_000_000_000,
  receiveTimeUs: 1_732_230_000_000_500,
  price: 9_712_346,
  size: 310_000,
  side: 1,
  tradeId: 4_087_311,
};
const quote: Quote = {
  kind: 'quote',
  instrumentId: 1,
  seq: 11,
  eventTimeUs: 1_732_230_000_000_000,
  receiveTimeUs: 1_732_230_000_000_500,
  bid: 9_712_345,
  bidSize: 25,
  ask: 9_712_346,
  askSize: 12,
};
const bar: Bar = {
  kind: 'bar',
  instrumentId: 1,
  seq: 10,
  eventTimeUs: 1_732_230_000_000_000,
  receiveTimeUs: 1_732_230_000_000_500,
  interval: 60,
  openTimeUs: 1_732_229_940_000_000,
  open: 100,
  high: 110,
  low: 95,
  close: 105,
  volume: 1000,
  tradeCount: 7,
  vwap: 103,
};

const batch = (update: unknown): AnyMessage => ({ type: 'batch', conflated: false, updates: [update as MarketUpdate] });

/** Both encoders must refuse the message with `errorType` and a message naming `field`. */
function expectBothRefuse(msg: unknown, errorType: typeof TypeError | typeof RangeError, field: string) {
  const pattern = new RegExp(field.replace(/[.[\]]/g, '\\$&'));
  expect(() => encodeMessage(msg as AnyMessage)).toThrow(errorType);
  expect(() => encodeMessage(msg as AnyMessage)).toThrow(pattern);
  expect(() => encodeJsonMessage(msg as AnyMessage)).toThrow(errorType);
  expect(() => encodeJsonMessage(msg as AnyMessage)).toThrow(pattern);
}

describe('Encoder', () => {
  describe('#encodeMessage and #encodeJsonMessage', () => {
    it('refuse a price that is not a safe integer with a RangeError naming the field', () => {
      for (const price of [1.5, Number.NaN, Infinity, 2 ** 53, -(2 ** 53)])
        expectBothRefuse(batch({ ...trade, price }), RangeError, 'trade.price');
    });

    it('refuse a price of the wrong type with a TypeError naming the field', () => {
      expectBothRefuse(batch({ ...trade, price: '97123.46' }), TypeError, 'trade.price');
    });

    it('refuse negative sizes, ids and sequence numbers', () => {
      expectBothRefuse(batch({ ...trade, size: -1 }), RangeError, 'trade.size');
      expectBothRefuse(batch({ ...trade, instrumentId: -1 }), RangeError, 'trade.instrumentId');
      expectBothRefuse(batch({ ...quote, seq: -1 }), RangeError, 'quote.seq');
      expectBothRefuse(batch({ ...trade, tradeId: -1 }), RangeError, 'trade.tradeId');
    });

    it('refuse negative timestamps', () => {
      expectBothRefuse(batch({ ...trade, receiveTimeUs: -1 }), RangeError, 'trade.receiveTimeUs');
      expectBothRefuse(batch({ ...bar, openTimeUs: -1 }), RangeError, 'bar.openTimeUs');
    });

    it('refuse a side outside 0..2', () => {
      expectBothRefuse(batch({ ...trade, side: 3 }), RangeError, 'trade.side');
    });

    it('refuse a bar interval outside BAR_INTERVALS in what a server sends', () => {
      expectBothRefuse(batch({ ...bar, interval: 0 }), RangeError, 'bar.interval');
      expectBothRefuse(batch({ ...bar, interval: 120 }), RangeError, 'bar.interval');
      expectBothRefuse(
        { type: 'snapshot', requestId: 1, instrumentId: 1, recovered: false, barsOnly: false, seq: 0, interval: 7, updates: [] },
        RangeError,
        'snapshot.interval',
      );
    });

    it('let a request name any whole number of seconds up to 2^31-1 (the gateway judges it), and refuse others', () => {
      const subscribe = { type: 'subscribe', requestId: 1, all: true, interval: 14_400, resumeEpoch: 0, symbols: [] } as const;
      expect(decodeClientMessage(encodeMessage(subscribe))).toEqual(subscribe);
      expectBothRefuse({ ...subscribe, interval: 2 ** 31 }, RangeError, 'subscribe.interval');
      expectBothRefuse({ ...subscribe, interval: 1.5 }, RangeError, 'subscribe.interval');
      expectBothRefuse({ type: 'unsubscribe', requestId: 1, all: true, interval: -1, symbols: [] }, RangeError, 'unsubscribe.interval');
      expectBothRefuse(
        {
          type: 'hello',
          protocolVersion: 2,
          serverId: 'g',
          epoch: 1,
          heartbeatIntervalMs: 1,
          serverTimeUs: 1,
          capabilities: [],
          intervals: [0],
        },
        RangeError,
        'hello.intervals[]',
      );
    });

    it('refuse a quote whose ask - bid is not a safe integer (it travels as a delta)', () => {
      expectBothRefuse(batch({ ...quote, bid: -(2 ** 52), ask: 2 ** 52 }), RangeError, 'quote.ask - quote.bid');
      expectBothRefuse(batch({ ...bar, open: -(2 ** 52), high: 2 ** 52 }), RangeError, 'bar.high - bar.open');
    });

    it('refuse an unknown update kind and an unknown message type with a TypeError', () => {
      expectBothRefuse(batch({ ...trade, kind: 'candle' }), TypeError, 'kind');
      expectBothRefuse({ type: 'greeting' }, TypeError, 'type');
    });

    it('refuse strings over 1024 UTF-8 bytes and strings with lone surrogates', () => {
      expectBothRefuse({ type: 'error', requestId: 1, code: 2, message: 'x'.repeat(1025) }, RangeError, 'error.message');
      expectBothRefuse({ type: 'error', requestId: 1, code: 2, message: '€'.repeat(342) }, RangeError, 'error.message');
      expectBothRefuse({ type: 'error', requestId: 1, code: 2, message: 'bad \ud800 surrogate' }, TypeError, 'error.message');
      expectBothRefuse(batch({ ...trade, tradeId: 'x'.repeat(1025) }), RangeError, 'trade.tradeId');
    });

    it('refuse enum fields outside their sets', () => {
      const entry = { id: 1, symbol: 'A', venue: 'SIM', assetClass: 1, priceDecimals: 2, sizeDecimals: 8, removed: false };
      expectBothRefuse({ type: 'instruments', instruments: [{ ...entry, priceDecimals: 19 }] }, RangeError, 'instrument.priceDecimals');
      expectBothRefuse({ type: 'instruments', instruments: [{ ...entry, assetClass: 9 }] }, RangeError, 'instrument.assetClass');
      expectBothRefuse({ type: 'instruments', instruments: [{ ...entry, removed: 1 }] }, TypeError, 'instrument.removed');
      expectBothRefuse({ type: 'error', requestId: 1, code: 0, message: '' }, RangeError, 'error.code');
      expectBothRefuse({ type: 'status', venues: [{ venue: 'SIM', state: 'up', reason: '' }] }, RangeError, 'status.state');
      expectBothRefuse({ type: 'status', venues: [{ venue: 'SIM', state: 1, reason: '' }] }, TypeError, 'status.state');
    });

    it('refuse a batch whose updates are not an array', () => {
      expectBothRefuse({ type: 'batch', conflated: false, updates: 'none' }, TypeError, 'updates');
    });
  });

  describe('#encodeMessage', () => {
    it('returns independent bytes for every call, which later calls never overwrite', () => {
      const first = encodeMessage({ type: 'ack', requestId: 1 });
      const second = encodeMessage({ type: 'ack', requestId: 2 });
      expect([...first]).toStrictEqual([0x05, 0x01]);
      expect([...second]).toStrictEqual([0x05, 0x02]);
      // Enough later messages to fill the encoder's shared buffer several times over.
      const batchBytes = encodeMessage(batch(trade));
      const held = Array.from({ length: 5000 }, (_, i) => encodeMessage(batch({ ...trade, seq: i })));
      expect([...first]).toStrictEqual([0x05, 0x01]);
      expect([...second]).toStrictEqual([0x05, 0x02]);
      held.forEach((bytes, i) => expect(decodeServerMessage(bytes)).toStrictEqual(batch({ ...trade, seq: i })));
      expect(decodeServerMessage(batchBytes)).toStrictEqual(batch(trade));
      const sameBuffer = held.filter((bytes) => bytes.buffer === held[0]!.buffer);
      for (let i = 1; i < sameBuffer.length; i++) {
        expect(sameBuffer[i]!.byteOffset).toBeGreaterThanOrEqual(sameBuffer[i - 1]!.byteOffset + sameBuffer[i - 1]!.length);
      }
    });

    it('recovers after a refused message: the next message encodes cleanly', () => {
      expect(() => encodeMessage(batch({ ...trade, price: 0.5 }))).toThrow(RangeError);
      expect([...encodeMessage({ type: 'ack', requestId: 3 })]).toStrictEqual([0x05, 0x03]);
    });

    it('grows past its initial buffer for large messages', () => {
      const updates = Array.from({ length: 3000 }, (_, i) => ({ ...trade, seq: i, tradeId: `${'id-'.repeat(100)}${i}` }));
      const msg: AnyMessage = { type: 'batch', conflated: false, updates };
      const bytes = encodeMessage(msg);
      expect(bytes.length).toBeGreaterThan(900_000);
      expect(decodeServerMessage(bytes)).toStrictEqual(msg);
    });

    it('ignores properties beyond the message model', () => {
      const withExtra = { ...trade, symbol: 'BTC-USD' };
      expect(decodeServerMessage(encodeMessage(batch(withExtra)))).toStrictEqual(batch(trade));
    });
  });

  describe('#encodeJsonMessage', () => {
    it('drops properties beyond the message model, so a strict decoder accepts the text', () => {
      const text = encodeJsonMessage(batch({ ...trade, symbol: 'BTC-USD' }));
      expect(JSON.parse(text)).toStrictEqual(batch(trade));
    });
  });
});
