import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDecimal } from '../../../lib/market/decimal';
import { Side } from '../../../lib/market/types';
import { CoinbaseAdapter, type CoinbaseOptions } from '../../../server/adapters/coinbase';
import { createLogger } from '../../../server/log';
import { normalisedStream, recordingSink, venueServer, waitFor } from './support';

/** The documented samples: the client's subscribe, then a ticker, a match and a heartbeat. */
const SAMPLES = readFileSync(new URL('./fixtures/venues/coinbase-exchange.ndjson', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const [SUBSCRIBE, TICKER, MATCH, HEARTBEAT] = SAMPLES as [string, string, string, string];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<CoinbaseOptions> = {}) {
  const server = await venueServer();
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const adapter = new CoinbaseAdapter({
    symbols: 'ETH-USD,BTC-USD',
    baseUrl: server.url,
    minReconnectDelayMs: 10,
    maxReconnectDelayMs: 40,
    logger,
    ...options,
  });
  const recorded = recordingSink();
  cleanups.push(server.close, () => adapter.stop());
  return { server, adapter, logLines, ...recorded };
}

const subscriptions = JSON.stringify({ type: 'subscriptions', channels: [{ name: 'heartbeat', product_ids: ['ETH-USD', 'BTC-USD'] }] });
const match = (tradeId: number, sequence: number, extra: object = {}) =>
  JSON.stringify({
    type: 'match',
    trade_id: tradeId,
    sequence,
    maker_order_id: 'm',
    taker_order_id: 't',
    time: '2014-11-07T08:19:27.028459Z',
    product_id: 'BTC-USD',
    size: '5.23512',
    price: '400.23',
    side: 'sell',
    ...extra,
  });
const ticker = (sequence: number, bid: string) =>
  JSON.stringify({
    type: 'ticker',
    sequence,
    product_id: 'ETH-USD',
    price: bid,
    best_bid: bid,
    best_bid_size: '1',
    best_ask: '1300.00',
    best_ask_size: '2',
    side: 'buy',
    time: '2022-10-19T23:28:22.061769Z',
    trade_id: 1,
    last_size: '1',
  });
const heartbeat = (sequence: number, lastTradeId: number) =>
  JSON.stringify({ type: 'heartbeat', sequence, last_trade_id: lastTradeId, product_id: 'BTC-USD', time: '2014-11-07T08:19:28.464459Z' });

describe('CoinbaseAdapter', () => {
  describe('constructor', () => {
    it.each([
      [{}, /symbols must be given/],
      [{ symbols: 'BTC-USD', baseUrl: 'ftp://x' }, /baseUrl/],
      [{ symbols: 'BTC-USD', idleTimeoutMs: -1 }, /idleTimeoutMs/],
      [{ symbols: 'BTC-USD', channels: 'level2' }, /channels.*unknown option/],
    ])('names the bad option in %j', (options, message) => {
      expect(() => new CoinbaseAdapter(options as never)).toThrow(message);
    });
  });

  it('sends the documented subscribe message as soon as it connects, and again after reconnecting', async () => {
    const { server, adapter, sink } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe message', 1000);
    expect(JSON.parse(server.received[0]!.text)).toEqual({
      type: 'subscribe',
      product_ids: ['ETH-USD', 'BTC-USD'],
      channels: ['heartbeat', 'ticker', 'matches'],
    });
    // Same shape as the documented sample (which subscribes the other way round).
    expect(Object.keys(JSON.parse(SUBSCRIBE) as object).sort()).toEqual(Object.keys(JSON.parse(server.received[0]!.text) as object).sort());
    server.latest()?.terminate();
    await waitFor(() => server.received.length === 2, 'a second subscribe');
    expect(server.received[1]).toMatchObject({ socket: 1 });
  });

  it('normalises the documented ticker and match exactly; the aggressor is the opposite of the maker side', async () => {
    const { server, adapter } = await setup();
    const stream = normalisedStream();
    await stream.normaliser.attach(adapter);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    server.send(subscriptions, TICKER, MATCH, HEARTBEAT);
    await waitFor(() => adapter.stats().messages === 4, 'four messages');
    stream.normaliser.flush();
    expect(stream.bus.instruments().map((i) => i.symbol)).toEqual(['COINBASE:ETH-USD', 'COINBASE:BTC-USD']);
    expect(stream.ticks).toEqual([
      {
        kind: 'quote',
        instrumentId: 1,
        seq: 1,
        eventTimeUs: 1_666_222_102_061_769,
        receiveTimeUs: expect.any(Number),
        bid: 128_504_000_000,
        bidSize: 46_688_654,
        ask: 128_527_000_000,
        askSize: 156_637_040,
      },
      {
        kind: 'trade',
        instrumentId: 2,
        seq: 1,
        eventTimeUs: 1_415_348_367_028_459,
        receiveTimeUs: expect.any(Number),
        price: 40_023_000_000,
        size: 523_512_000,
        side: Side.Buy,
        tradeId: 10,
      },
    ]);
    const quote = stream.ticks[0];
    expect(quote?.kind === 'quote' && formatDecimal(quote.askSize, 8)).toBe('1.56637040');
    expect(adapter.stats()).toMatchObject({ quotes: 1, trades: 1, heartbeats: 1 });
    expect(stream.venueState('COINBASE')?.state).toBe('live');
    expect(stream.normaliser.stats().rejected).toEqual({});
  });

  it('ignores unknown message types and malformed JSON, logging a problem kind once', async () => {
    const { server, adapter, sink, of, logLines } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    server.send('{"type":"l2update","product_id":"BTC-USD"}', '{"type":"status"}', '{oops', '{oops', '42', match(10, 50));
    await waitFor(() => adapter.stats().messages === 6, 'six messages');
    expect(of('trade')).toHaveLength(1);
    expect(adapter.stats()).toMatchObject({ ignored: 2, malformed: 3 });
    expect(logLines.filter((l) => l.level === 'warn' && l.kind === 'malformed')).toHaveLength(1);
  });

  it('drops messages whose sequence is not newer than the last of their kind', async () => {
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    // A ticker and the match it reports share a sequence number: order is checked per message type.
    server.send(
      ticker(100, '1285.00'),
      ticker(102, '1285.02'),
      ticker(101, '1285.01'),
      ticker(102, '1285.02'),
      match(10, 100),
      match(11, 99),
    );
    await waitFor(() => adapter.stats().messages === 6, 'six messages');
    expect((of('quote') as { bid: string }[]).map((q) => q.bid)).toEqual(['1285.00', '1285.02']);
    expect(of('trade')).toHaveLength(1);
    expect(adapter.stats()).toMatchObject({ outOfOrder: 3 });
  });

  it('counts trades lost in a sequence gap, from trade ids and from heartbeats', async () => {
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    server.send(match(10, 50), match(13, 80), match(13, 80), heartbeat(90, 20), heartbeat(91, 0), match(21, 95));
    await waitFor(() => adapter.stats().messages === 6, 'six messages');
    expect((of('trade') as { tradeId: number }[]).map((t) => t.tradeId)).toEqual([10, 13, 21]);
    expect(adapter.stats()).toMatchObject({ tradeGaps: 2, missedTrades: 2 + 7, duplicates: 1 });
  });

  it('is live once the venue confirms the subscription, before any market message, and not before', async () => {
    const { server, adapter } = await setup();
    const stream = normalisedStream();
    await stream.normaliser.attach(adapter);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    // Open and subscribed, but not yet confirmed: the venue may still refuse the products.
    expect(stream.venueState('COINBASE')?.state).toBe('connecting');
    server.send(subscriptions);
    await waitFor(() => stream.venueState('COINBASE')?.state === 'live', 'the venue live');
    expect(adapter.stats()).toMatchObject({ messages: 1, trades: 0, quotes: 0, heartbeats: 0 });
  });

  it('keeps a quiet market live on heartbeats', async () => {
    const { server, adapter, sink, of, statuses } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    server.send(HEARTBEAT, heartbeat(91, 20));
    await waitFor(() => of('heartbeat').length >= 2, 'heartbeats');
    expect(statuses()).toEqual(['connecting', 'live']);
  });

  it('takes heartbeats that repeat the sequence (nothing happened on the book) as signs of life, not as out of order', async () => {
    // A heartbeat holds the product's current sequence: on a quiet book it stays the same second after second.
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    server.send(heartbeat(90, 0), heartbeat(90, 0), heartbeat(90, 0), heartbeat(89, 0));
    await waitFor(() => adapter.stats().messages === 4, 'four messages');
    expect(of('heartbeat')).toHaveLength(3);
    expect(adapter.stats()).toMatchObject({ heartbeats: 3, outOfOrder: 1 });
  });

  it('reconnects on an error message and after a dropped connection, dropping the repeated last_match', async () => {
    const { server, adapter, sink, of, statuses } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.received.length === 1, 'the subscribe');
    server.send(match(10, 50));
    server.send(JSON.stringify({ type: 'error', message: 'Failed to subscribe', reason: 'BTC-XYZ is not a valid product' }));
    await waitFor(() => server.received.length === 2, 'a resubscribe');
    expect(statuses()).toContainEqual(
      expect.stringMatching(/^down: coinbase error: Failed to subscribe \(BTC-XYZ is not a valid product\); reconnecting/),
    );
    // After a (re)subscribe the venue sends the last match again, then new ones.
    server.send(JSON.stringify({ ...JSON.parse(match(10, 50)), type: 'last_match' }), match(11, 60));
    server.latest()?.terminate();
    await waitFor(() => server.received.length === 3, 'a resubscribe after the drop');
    server.send(match(12, 70));
    await waitFor(() => of('trade').length === 3, 'three trades');
    expect((of('trade') as { tradeId: number }[]).map((t) => t.tradeId)).toEqual([10, 11, 12]);
    expect(adapter.stats()).toMatchObject({ duplicates: 1, errors: 1, reconnects: 2 });
  });
});
