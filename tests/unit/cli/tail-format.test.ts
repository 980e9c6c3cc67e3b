import { describe, expect, it } from 'vitest';
import { updateRecord } from '../../../server/cli/tail-format';
import { AssetClass, Side, type MarketUpdate } from '../../../lib/market/types';

const BTC = { id: 1, symbol: 'BTC-USD', venue: 'SIM', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 8 };
const T = 1_714_564_800_123_456; // 2024-05-01T12:00:00.123456Z

describe('updateRecord', () => {
  it('writes a trade with exact decimal strings and a side word', () => {
    const trade: MarketUpdate = {
      kind: 'trade',
      instrumentId: 1,
      seq: 42,
      eventTimeUs: T,
      receiveTimeUs: T + 1000,
      price: 6_000_012,
      size: 1_500_000,
      side: Side.Buy,
      tradeId: 9,
    };
    expect(updateRecord(trade, BTC)).toEqual({
      type: 'trade',
      symbol: 'BTC-USD',
      seq: 42,
      price: '60000.12',
      size: '0.01500000',
      side: 'buy',
      tradeId: 9,
      eventTime: '2024-05-01T12:00:00.123456Z',
      receiveTime: '2024-05-01T12:00:00.124456Z',
    });
  });

  it('leaves out the trade id of a trade whose venue gave none (the wire carries "")', () => {
    const trade: MarketUpdate = {
      kind: 'trade',
      instrumentId: 1,
      seq: 43,
      eventTimeUs: T,
      receiveTimeUs: T,
      price: 6_000_012,
      size: 1_500_000,
      side: Side.Sell,
      tradeId: '',
    };
    const record = updateRecord(trade, BTC);
    expect(record).not.toHaveProperty('tradeId');
    expect(JSON.stringify(record)).not.toContain('"tradeId":""');
    expect(updateRecord({ ...trade, tradeId: 0 }, BTC)).toMatchObject({ tradeId: 0 });
  });

  it('marks snapshot and conflated origins', () => {
    const quote: MarketUpdate = {
      kind: 'quote',
      instrumentId: 1,
      seq: 3,
      eventTimeUs: T,
      receiveTimeUs: T,
      bid: 100,
      bidSize: 1,
      ask: 105,
      askSize: 2,
    };
    expect(updateRecord(quote, BTC, { snapshot: true })).toMatchObject({ bid: '1.00', ask: '1.05', bidSize: '0.00000001', snapshot: true });
    expect(updateRecord(quote, BTC, { conflated: true })).toMatchObject({ conflated: true });
    expect(updateRecord(quote, BTC)).not.toHaveProperty('snapshot');
    expect(updateRecord(quote, BTC, { history: true })).toMatchObject({ history: true });
    expect(updateRecord(quote, BTC)).not.toHaveProperty('history');
  });

  it('labels bar intervals and formats OHLC exactly', () => {
    const bar: MarketUpdate = {
      kind: 'bar',
      instrumentId: 1,
      seq: 7,
      eventTimeUs: T,
      receiveTimeUs: T,
      interval: 60,
      openTimeUs: 1_714_564_800_000_000,
      open: 100,
      high: 250,
      low: 99,
      close: 200,
      volume: 123_456_789,
      tradeCount: 4,
      vwap: 150,
    };
    expect(updateRecord(bar, BTC)).toMatchObject({
      type: 'bar',
      interval: '1m',
      openTime: '2024-05-01T12:00:00.000000Z',
      open: '1.00',
      high: '2.50',
      low: '0.99',
      close: '2.00',
      volume: '1.23456789',
      vwap: '1.50',
      tradeCount: 4,
    });
  });

  it('writes session figures with the session start and exact decimals', () => {
    const session: MarketUpdate = {
      kind: 'session',
      instrumentId: 1,
      seq: 7,
      eventTimeUs: T,
      receiveTimeUs: T,
      startTimeUs: 1_714_521_600_000_000,
      open: 100,
      high: 250,
      low: 99,
      close: 200,
      volume: 123_456_789,
      tradeCount: 4,
    };
    expect(updateRecord(session, BTC)).toStrictEqual({
      type: 'session',
      symbol: 'BTC-USD',
      seq: 7,
      sessionStart: '2024-05-01T00:00:00.000000Z',
      open: '1.00',
      high: '2.50',
      low: '0.99',
      close: '2.00',
      volume: '1.23456789',
      tradeCount: 4,
      eventTime: updateRecord(session, BTC).eventTime,
      receiveTime: updateRecord(session, BTC).receiveTime,
    });
  });

  it('falls back to the id and raw mantissas for an instrument not in the table', () => {
    const trade: MarketUpdate = {
      kind: 'trade',
      instrumentId: 77,
      seq: 1,
      eventTimeUs: T,
      receiveTimeUs: T,
      price: 5,
      size: 1,
      side: Side.Sell,
      tradeId: 'x',
    };
    expect(updateRecord(trade, undefined)).toMatchObject({ symbol: '#77', price: '5', side: 'sell' });
  });
});
