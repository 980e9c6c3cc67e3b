import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatDecimal } from '../../../lib/market/decimal';
import { Side } from '../../../lib/market/types';
import { BinanceAdapter, type BinanceOptions } from '../../../server/adapters/binance';
import { createLogger } from '../../../server/log';
import { normalisedStream, recordingSink, sleep, venueServer, waitFor } from './support';

/** The documented samples: raw trade, raw bookTicker, the same two combined, and a kline. */
const SAMPLES = readFileSync(new URL('./fixtures/venues/binance-spot.ndjson', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const [RAW_TRADE, RAW_BOOK_TICKER, COMBINED_TRADE, COMBINED_BOOK_TICKER, KLINE] = SAMPLES as [string, string, string, string, string];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<BinanceOptions> = {}) {
  const server = await venueServer();
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const adapter = new BinanceAdapter({
    symbols: 'bnbbtc,bnbusdt',
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

/** A combined-stream trade event as Binance sends it. */
const trade = (t: number, symbol = 'BNBBTC', extra: object = {}) =>
  JSON.stringify({
    stream: `${symbol.toLowerCase()}@trade`,
    data: { e: 'trade', E: 1672515782136, s: symbol, t, p: '0.00100000', q: '1.00000000', T: 1672515782136, m: false, M: true, ...extra },
  });
const bookTicker = (u: number, symbol = 'BNBUSDT') =>
  JSON.stringify({
    stream: `${symbol.toLowerCase()}@bookTicker`,
    data: { u, s: symbol, b: '25.35190000', B: '31.21000000', a: '25.36520000', A: '40.66000000' },
  });

describe('BinanceAdapter', () => {
  describe('constructor', () => {
    it.each([
      [{}, /symbols must be given/],
      [{ symbols: '' }, /at least one symbol/],
      [{ symbols: 'btc usdt' }, /not a venue symbol/],
      [{ symbols: [{ symbol: 'btcusdt', priceDecimals: 19 }] }, /decimals must be integers/],
      [{ symbols: 'btcusdt,BTCUSDT' }, /names BTCUSDT twice/],
      [{ symbols: 'btcusdt', baseUrl: 'http://x' }, /baseUrl/],
      [{ symbols: 'btcusdt', speed: 2 }, /speed.*unknown option/],
    ])('names the bad option in %j', (options, message) => {
      expect(() => new BinanceAdapter(options as never)).toThrow(message);
    });

    it('defaults to the public endpoint and 8 decimals', () => {
      const adapter = new BinanceAdapter({ symbols: 'btcusdt' });
      expect(adapter.streamUrl()).toBe('wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@bookTicker');
      expect(adapter.options).toMatchObject({ priceDecimals: 8, sizeDecimals: 8, venue: 'BINANCE' });
    });
  });

  it('subscribes to the combined stream of <symbol>@trade and <symbol>@bookTicker', async () => {
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    expect(server.paths).toEqual(['/stream?streams=bnbbtc@trade/bnbbtc@bookTicker/bnbusdt@trade/bnbusdt@bookTicker']);
    expect(of('instruments')).toEqual([
      [
        { symbol: 'BNBBTC', assetClass: 1, priceDecimals: 8, sizeDecimals: 8 },
        { symbol: 'BNBUSDT', assetClass: 1, priceDecimals: 8, sizeDecimals: 8 },
      ],
    ]);
  });

  it('normalises the documented trade and book ticker, raw or combined, with venue decimals kept exact', async () => {
    const { server, adapter } = await setup();
    const stream = normalisedStream();
    await stream.normaliser.attach(adapter);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(RAW_TRADE, RAW_BOOK_TICKER, COMBINED_TRADE, COMBINED_BOOK_TICKER);
    await waitFor(() => adapter.stats().messages === 4, 'four messages');
    stream.normaliser.flush();
    expect(stream.bus.instruments().map((i) => i.symbol)).toEqual(['BINANCE:BNBBTC', 'BINANCE:BNBUSDT']);
    const [t, q] = stream.ticks;
    expect(stream.ticks).toHaveLength(2); // the combined copies repeat the raw ones: same trade id, same update id
    expect(t).toMatchObject({
      kind: 'trade',
      instrumentId: 1,
      price: 100_000,
      size: 10_000_000_000,
      side: Side.Sell,
      tradeId: 12345,
      eventTimeUs: 1_672_515_782_136_000,
    });
    expect(q).toMatchObject({
      kind: 'quote',
      instrumentId: 2,
      bid: 2_535_190_000,
      bidSize: 3_121_000_000,
      ask: 2_536_520_000,
      askSize: 4_066_000_000,
    });
    // What the screen shows is the venue's own string.
    expect(q?.kind === 'quote' && formatDecimal(q.bid, 8)).toBe('25.35190000');
    expect(t?.kind === 'trade' && formatDecimal(t.price, 8)).toBe('0.00100000');
    expect(adapter.stats()).toMatchObject({ trades: 1, quotes: 1, duplicates: 1, outOfOrder: 1 });
    expect(stream.venueState('BINANCE')).toEqual({ venue: 'BINANCE', state: 'live', reason: '' });
    expect(stream.normaliser.stats().rejected).toEqual({});
  });

  it('shows a quiet pair live once the stream connection is open, before any trade or book ticker', async () => {
    // The streams are named in the URL: an open socket is the subscription accepted. A pair that
    // trades nothing for minutes is still connected, and must not read "connecting" meanwhile.
    const { server, adapter, sink, statuses } = await setup();
    const stream = normalisedStream();
    await stream.normaliser.attach(adapter);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    await waitFor(() => stream.venueState('BINANCE')?.state === 'live', 'the venue live');
    expect(adapter.stats()).toMatchObject({ messages: 0, trades: 0, quotes: 0 });
    expect(stream.ticks).toEqual([]);
    // The same through a bare sink: connecting, then live, nothing else.
    const second = new BinanceAdapter({ symbols: 'bnbbtc', baseUrl: server.url, logger: createLogger({ level: 'silent' }) });
    cleanups.push(() => second.stop());
    await second.start(sink);
    await waitFor(() => server.sockets.length === 2, 'a second connection');
    await waitFor(() => statuses().length === 2, 'two statuses');
    expect(statuses()).toEqual(['connecting', 'live']);
  });

  it('reports an error response as down with the venue message, then reconnects and is live again', async () => {
    const { server, adapter, sink, statuses, logLines } = await setup();
    await adapter.start(sink);
    await waitFor(() => statuses().includes('live'), 'live');
    server.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown variant' }, id: 1 }));
    await waitFor(() => server.sockets.length === 2, 'a reconnection');
    await waitFor(() => statuses().length === 5, 'live again');
    expect(statuses()).toEqual([
      'connecting',
      'live',
      expect.stringMatching(/^down: binance error: Invalid request: unknown variant \(code 2\); reconnecting in 0\.\d s$/),
      'connecting: reconnecting (attempt 1)',
      'live',
    ]);
    expect(adapter.stats()).toMatchObject({ errors: 1, reconnects: 1 });
    expect(adapter.stats().ignored).toBeUndefined();
    expect(logLines.filter((l) => l.kind === 'errors')).toHaveLength(1);
  });

  it('ignores unknown events and malformed JSON, counting them and logging each kind once', async () => {
    const { server, adapter, sink, of, logLines } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(
      KLINE,
      KLINE,
      '{"stream":"bnbbtc@trade","data":',
      'not json',
      '[]',
      '{"result":null,"id":1}',
      trade(1, 'BNBBTC', { p: 5 }),
      trade(2),
    );
    await waitFor(() => adapter.stats().messages === 8, 'eight messages');
    expect(of('trade')).toHaveLength(1);
    expect(adapter.stats()).toMatchObject({ ignored: 2, malformed: 4 });
    expect(logLines.filter((l) => l.level === 'warn').map((l) => l.kind)).toEqual(['ignored', 'malformed']);
  });

  it('drops repeated trade ids and stale book tickers, and counts the trades a gap in trade ids lost', async () => {
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(
      trade(1),
      trade(2),
      trade(2),
      trade(1),
      trade(5),
      trade(1, 'BNBUSDT'),
      bookTicker(10),
      bookTicker(9),
      bookTicker(10),
      bookTicker(11),
    );
    await waitFor(() => adapter.stats().messages === 10, 'ten messages');
    expect((of('trade') as { tradeId: number; symbol: string }[]).map((t) => `${t.symbol}#${t.tradeId}`)).toEqual([
      'BNBBTC#1',
      'BNBBTC#2',
      'BNBBTC#5',
      'BNBUSDT#1',
    ]);
    expect(of('quote')).toHaveLength(2);
    expect(adapter.stats()).toMatchObject({ duplicates: 2, outOfOrder: 2, tradeGaps: 1, missedTrades: 2 });
  });

  it('drops trades and book tickers for symbols it did not subscribe to, keeping no state for them', async () => {
    const { server, adapter, sink, of, logLines } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    const strangers = Array.from({ length: 50 }, (_, i) => trade(1, `X${i}USDT`));
    server.send(...strangers, bookTicker(1, 'ETHUSDT'), trade(1), bookTicker(1));
    await waitFor(() => adapter.stats().messages === 53, 'every message');
    expect((of('trade') as { symbol: string }[]).map((t) => t.symbol)).toEqual(['BNBBTC']);
    expect((of('quote') as { symbol: string }[]).map((q) => q.symbol)).toEqual(['BNBUSDT']);
    expect(adapter.stats()).toMatchObject({ unknownSymbol: 51 });
    expect(logLines.filter((l) => l.kind === 'unknownSymbol')).toHaveLength(1);
    // Per-symbol bookkeeping stays bounded by the configured symbols, whatever the venue sends.
    const state = adapter as unknown as { lastTradeId: Map<string, number>; lastUpdateId: Map<string, number> };
    expect([...state.lastTradeId.keys(), ...state.lastUpdateId.keys()]).toEqual(['BNBBTC', 'BNBUSDT']);
  });

  it('marks the taker side: a buyer-maker trade is a sell, otherwise a buy', async () => {
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(trade(1, 'BNBBTC', { m: true }), trade(2, 'BNBBTC', { m: false }));
    await waitFor(() => of('trade').length === 2, 'two trades');
    expect((of('trade') as { side: string }[]).map((t) => t.side)).toEqual(['sell', 'buy']);
  });

  it('answers pings with the same payload and counts them as signs of life', async () => {
    const { server, adapter, sink, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1 && server.latest()?.readyState === 1, 'a connection');
    server.latest()?.ping('20s-keepalive');
    await waitFor(() => server.pongs.length === 1, 'a pong');
    expect(server.pongs).toEqual(['20s-keepalive']);
    expect(of('heartbeat').length).toBeGreaterThanOrEqual(1);
  });

  it('reconnects after a dropped connection, down with the reason meanwhile, then live again', async () => {
    const { server, adapter, sink, statuses, of } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(trade(1));
    await waitFor(() => statuses().includes('live'), 'live');
    server.latest()?.terminate();
    await waitFor(() => server.sockets.length === 2, 'a second connection');
    server.send(trade(2));
    await waitFor(() => of('trade').length === 2, 'the trade after reconnecting');
    expect(statuses()).toEqual([
      'connecting',
      'live',
      expect.stringMatching(/^down: connection closed \(code 1006\); reconnecting in 0\.\d s$/),
      'connecting: reconnecting (attempt 1)',
      'live',
    ]);
    expect(adapter.stats()).toMatchObject({ reconnects: 1, connects: 2 });
  });

  it('replaces the connection before its maximum age, make-before-break, emitting each trade once', async () => {
    const { server, adapter, sink, of } = await setup({ maxConnectionAgeMs: 150 });
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(trade(1));
    await waitFor(() => server.sockets.length === 2 && server.sockets[1]?.readyState === 1, 'the replacement connection');
    // Both connections carry the same stream during the overlap.
    server.sockets[0]?.send(trade(2));
    server.sockets[1]?.send(trade(2));
    server.sockets[1]?.send(trade(3));
    await waitFor(() => of('trade').length === 3, 'three trades');
    await waitFor(() => server.sockets[0]?.readyState === 3, 'the old connection closed');
    expect((of('trade') as { tradeId: number }[]).map((t) => t.tradeId)).toEqual([1, 2, 3]);
    expect(adapter.stats().rotations).toBeGreaterThanOrEqual(1);
  });

  it('switches connection at once when the venue announces a server shutdown', async () => {
    const { server, adapter, sink } = await setup();
    await adapter.start(sink);
    await waitFor(() => server.sockets.length === 1, 'a connection');
    server.send(JSON.stringify({ event: { e: 'serverShutdown', E: 1770123456789 } }));
    await waitFor(() => server.sockets.length === 2 && server.sockets[1]?.readyState === 1, 'a new connection');
    server.sockets[1]?.send(trade(1));
    await waitFor(() => server.sockets[0]?.readyState === 3, 'the old connection closed');
    expect(adapter.stats().serverShutdowns).toBe(1);
  });

  it('treats a connection with no message and no ping for idleTimeoutMs as dead', async () => {
    const { server, adapter, sink } = await setup({ idleTimeoutMs: 80 });
    await adapter.start(sink);
    await waitFor(() => server.sockets.length >= 2, 'a reconnection');
    expect(adapter.stats().idleTimeouts).toBeGreaterThanOrEqual(1);
  });
});

describe('BinanceAdapter connection replacement', () => {
  it('keeps one connection when the old one drops while its replacement is still opening', async () => {
    // A venue whose second handshake waits until the test lets it finish.
    let admitSecond: (() => void) | undefined;
    let handshakes = 0;
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => {
        handshakes += 1;
        if (handshakes === 2) admitSecond = () => done(true);
        else done(true);
      },
    });
    await once(wss, 'listening');
    const sockets: WebSocket[] = [];
    wss.on('connection', (ws) => sockets.push(ws));
    const adapter = new BinanceAdapter({
      symbols: 'bnbbtc',
      baseUrl: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      minReconnectDelayMs: 200,
      maxReconnectDelayMs: 200,
      logger: createLogger({ level: 'silent' }),
    });
    cleanups.push(
      async () => {
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      },
      () => adapter.stop(),
    );
    const { sink, of } = recordingSink();
    await adapter.start(sink);
    await waitFor(() => sockets.length === 1, 'a connection');
    sockets[0]?.send(JSON.stringify({ event: { e: 'serverShutdown', E: 1770123456789 } }));
    await waitFor(() => admitSecond !== undefined, 'the replacement handshake');
    sockets[0]?.terminate();
    await waitFor(() => (of('status') as string[]).some((s) => s.startsWith('down')), 'down after the drop');
    admitSecond?.();
    await waitFor(() => sockets.length === 2 && sockets[1]?.readyState === 1, 'the replacement open');
    sockets[1]?.send(trade(1));
    await waitFor(() => of('trade').length === 1, 'a trade on the replacement');
    // Past the reconnect delay the drop scheduled: the replacement must still be the only connection.
    await sleep(400);
    expect(sockets.length).toBe(2);
    expect(wss.clients.size).toBe(1);
    sockets[1]?.send(trade(2));
    await waitFor(() => of('trade').length === 2, 'the next trade');
    expect((of('trade') as { tradeId: number }[]).map((t) => t.tradeId)).toEqual([1, 2]);
  });
});
