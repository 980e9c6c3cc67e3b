/**
 * The `history` request over real sockets (docs/protocol.md §2.12): pages from the feed service's
 * in-memory bars, paging back with `endTimeUs`, every documented error, answers in request order,
 * the shared request budget, and a history source that fails, hangs or misbehaves.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../lib/market/types';
import { ErrorCode, SUBPROTOCOL_JSON } from '../../lib/protocol';
import type { ErrorMessage, HistoryPageMessage, ServerMessage } from '../../lib/protocol/messages';
import { InProcessBus } from '../../server/bus/in-process';
import { Gateway } from '../../server/gateway/gateway';
import type { GatewayOptions } from '../../server/gateway/options';
import { History } from '../../server/history/history';
import type { HistoryPages } from '../../server/history/types';
import { silentLogger } from '../../server/log';
import { gatewayFixture } from '../support/gateway-fixture';
import { RawClient, isType } from '../support/raw-client';

const { feed, connect } = gatewayFixture();

type Answer = HistoryPageMessage | ErrorMessage;
const answerTo =
  (requestId: number) =>
  (m: ServerMessage): m is Answer =>
    (m.type === 'historyPage' || m.type === 'error') && m.requestId === requestId;

async function ask(
  client: RawClient,
  requestId: number,
  symbol: string,
  interval: number,
  endTimeUs: number,
  count: number,
): Promise<Answer> {
  client.send({ type: 'history', requestId, symbol, interval, endTimeUs, count });
  return client.waitFor(answerTo(requestId));
}

/** A bare gateway with `pages` (or none) over an in-process bus holding one instrument. */
async function gatewayWith(pages: HistoryPages | undefined, options: Partial<GatewayOptions> = {}) {
  const bus = new InProcessBus();
  bus.publishInstruments([{ id: 1, symbol: 'SIM:BTC-USD', venue: 'SIM', assetClass: 1, priceDecimals: 2, sizeDecimals: 8 }]);
  const gateway = new Gateway({ bus, history: new History(), logger: silentLogger, ...(pages ? { historyPages: pages } : {}) }, options);
  const server = createServer();
  gateway.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = await RawClient.connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await client.waitFor(isType('instruments'));
  return {
    client,
    async close() {
      client.ws.terminate();
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function bar(openTimeUs: number, overrides: Partial<Bar> = {}): Bar {
  return {
    kind: 'bar',
    instrumentId: 1,
    seq: 0,
    eventTimeUs: openTimeUs,
    receiveTimeUs: openTimeUs,
    interval: 60,
    openTimeUs,
    open: 1,
    high: 2,
    low: 1,
    close: 2,
    volume: 1,
    tradeCount: 1,
    vwap: 1,
    ...overrides,
  };
}

describe('Gateway history requests (feed service, in-memory bars)', () => {
  it('lists "history" in hello and pages back through the held 1 s bars to the start, ascending, without gaps or repeats', async () => {
    const service = await feed({ simulated: { ratePerInstrument: 200 } });
    const client = await connect(service.url);
    const hello = await client.waitFor(isType('hello'));
    expect(hello.capabilities).toStrictEqual(['history']);
    const table = await client.waitFor(isType('instruments'));
    const instrument = table.instruments[0]!;
    await client.until(() => service.gateway.stats().flushes > 0 && (service.health().history.bars ?? 0) > 0, 5000, 'bars');
    // Let a few 1 s bars form.
    await new Promise((r) => setTimeout(r, 2500));
    const newest = await ask(client, 1, instrument.symbol, 1, 0, 2);
    expect(newest).toMatchObject({ type: 'historyPage', requestId: 1, instrumentId: instrument.id, interval: 1 });
    const first = newest as HistoryPageMessage;
    expect(first.bars.length).toBe(2);
    expect(first.more).toBe(true);
    // The forming bar is the newest one when endTimeUs is 0.
    const all: Bar[] = [...first.bars];
    let end = first.bars[0]!.openTimeUs;
    let more = first.more;
    for (let id = 2; more && id < 50; id++) {
      const page = (await ask(client, id, instrument.symbol, 1, end, 1)) as HistoryPageMessage;
      expect(page.type).toBe('historyPage');
      expect(page.bars.length).toBeLessThanOrEqual(1);
      for (const b of page.bars) expect(b.openTimeUs).toBeLessThan(end);
      all.unshift(...page.bars);
      more = page.more;
      if (page.bars.length > 0) end = page.bars[0]!.openTimeUs;
    }
    expect(more).toBe(false);
    const opens = all.map((b) => b.openTimeUs);
    expect(opens).toStrictEqual([...opens].sort((a, b) => a - b));
    expect(new Set(opens).size).toBe(opens.length);
    expect(all.length).toBeGreaterThanOrEqual(3);
    // Before the first bar: an empty page at the start of data.
    expect(await ask(client, 99, instrument.symbol, 1, opens[0]!, 10)).toMatchObject({ type: 'historyPage', bars: [], more: false });
    expect(client.closeCode).toBeUndefined();
  });

  it('answers as JSON on tickwire.v2.json too', async () => {
    const service = await feed();
    const client = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
    const table = await client.waitFor(isType('instruments'));
    const answer = await ask(client, 5, table.instruments[0]!.symbol, 60, 0, 300);
    expect(answer).toMatchObject({ type: 'historyPage', requestId: 5, interval: 60 });
    expect(client.frames[client.messages.indexOf(answer)]).toMatch(
      /^\{"type":"historyPage","requestId":5,"instrumentId":\d+,"interval":60,"bars":\[/,
    );
  });

  it.each([
    ['an unknown instrument', { symbol: 'NOPE-USD' }, ErrorCode.UnknownInstrument, 'Unknown instrument(s): NOPE-USD'],
    ['an interval it does not build', { interval: 120 }, ErrorCode.BadInterval, 'Interval 120 s has no history here; use one of'],
    ['interval 0', { interval: 0 }, ErrorCode.BadInterval, 'Interval 0 s has no history here'],
    ['count 0', { count: 0 }, ErrorCode.BadRequest, 'History count 0 is outside 1..1000 bars'],
    ['count 1001', { count: 1001 }, ErrorCode.BadRequest, 'History count 1001 is outside 1..1000 bars'],
    ['count 2^31', { count: 2 ** 31 }, ErrorCode.BadRequest, 'History count 2147483648 is outside 1..1000 bars'],
    ['count 2^53-1', { count: Number.MAX_SAFE_INTEGER }, ErrorCode.BadRequest, 'outside 1..1000 bars'],
  ])('answers %s with the documented error and keeps the connection', async (_what, change, code, text) => {
    const service = await feed();
    const client = await connect(service.url);
    const table = await client.waitFor(isType('instruments'));
    const request = { symbol: table.instruments[0]!.symbol, interval: 60, endTimeUs: 0, count: 10, ...change };
    const answer = await ask(client, 3, request.symbol, request.interval, request.endTimeUs, request.count);
    expect(answer).toMatchObject({ type: 'error', requestId: 3, code });
    expect((answer as ErrorMessage).message).toContain(text);
    // Still served: the next request gets its page.
    expect(await ask(client, 4, table.instruments[0]!.symbol, 60, 0, 1)).toMatchObject({ type: 'historyPage', requestId: 4 });
  });

  it('closes 1007 for an end time of 2^53 (binary) or a negative one (JSON), as documented', async () => {
    const service = await feed();
    const binary = await connect(service.url);
    await binary.waitFor(isType('instruments'));
    binary.sendRaw(new Uint8Array([0x22, 0x01, 0x01, 0x58, 0x3c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x01]));
    expect(await binary.closed).toBe(1007);
    const json = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
    await json.waitFor(isType('instruments'));
    json.sendRaw('{"type":"history","requestId":1,"symbol":"X","interval":60,"endTimeUs":-1,"count":5}', false);
    expect(await json.closed).toBe(1007);
    expect(json.closeReason).toBe('history.endTimeUs must be a non-negative safe integer, got -1');
  });

  it('answers a connection in request order: a subscribe after a history waits for its page', async () => {
    const service = await feed();
    const client = await connect(service.url);
    const table = await client.waitFor(isType('instruments'));
    const symbol = table.instruments[0]!.symbol;
    client.send({ type: 'history', requestId: 1, symbol, interval: 60, endTimeUs: 0, count: 5 });
    client.send({ type: 'subscribe', requestId: 2, all: false, interval: 60, resumeEpoch: 0, symbols: [{ symbol, lastSeq: 0 }] });
    client.send({ type: 'history', requestId: 3, symbol: 'NOPE', interval: 60, endTimeUs: 0, count: 5 });
    client.send({ type: 'ping', nonce: 9, sentTimeUs: 1 });
    await client.waitFor((m): m is Extract<ServerMessage, { type: 'pong' }> => m.type === 'pong' && m.nonce === 9);
    const order = client.messages
      .filter((m) => m.type === 'historyPage' || m.type === 'ack' || m.type === 'error' || m.type === 'pong')
      .map((m) => `${m.type}:${'requestId' in m ? m.requestId : ''}`);
    expect(order).toStrictEqual(['historyPage:1', 'ack:2', 'error:3', 'pong:']);
  });

  it('counts history requests against the request budget: a flood is closed 1008', async () => {
    const service = await feed({ gateway: { requestBurst: 5, requestRatePerSec: 1 } });
    const client = await connect(service.url);
    const table = await client.waitFor(isType('instruments'));
    for (let i = 1; i <= 20; i++)
      client.send({ type: 'history', requestId: i, symbol: table.instruments[0]!.symbol, interval: 60, endTimeUs: 0, count: 1 });
    expect(await client.closed).toBe(1008);
    expect(client.closeReason).toBe('request rate limit exceeded');
    expect(client.messages.filter((m) => m.type === 'historyPage').length).toBeLessThanOrEqual(5);
  });
});

describe('Gateway history requests (injected sources)', () => {
  it('offers no capability and answers HistoryUnavailable without a source', async () => {
    const g = await gatewayWith(undefined);
    try {
      expect(g.client.messages.find((m) => m.type === 'hello')).toMatchObject({ capabilities: [] });
      expect(await ask(g.client, 1, 'SIM:BTC-USD', 60, 0, 5)).toStrictEqual({
        type: 'error',
        requestId: 1,
        code: ErrorCode.HistoryUnavailable,
        message: 'History is not served here (hello.capabilities lacks "history")',
      });
    } finally {
      await g.close();
    }
  });

  it('passes the request to the source and its page to the client, with seq 0 bars', async () => {
    const calls: unknown[][] = [];
    const pages: HistoryPages = {
      page: async (...args) => {
        calls.push(args);
        return { bars: [bar(60_000_000), bar(120_000_000, { seq: 7 })], more: true };
      },
    };
    const g = await gatewayWith(pages);
    try {
      const answer = await ask(g.client, 1, 'BTC-USD', 60, 180_000_000, 2);
      expect(calls).toStrictEqual([[1, 60, 180_000_000, 2]]);
      expect(answer).toStrictEqual({
        type: 'historyPage',
        requestId: 1,
        instrumentId: 1,
        interval: 60,
        bars: [bar(60_000_000), bar(120_000_000, { seq: 7 })],
        more: true,
      });
    } finally {
      await g.close();
    }
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('store degraded: disk full')), 'History unavailable: store degraded: disk full'],
    [
      'throws synchronously',
      () => {
        throw new Error('boom');
      },
      'History unavailable: boom',
    ],
    [
      'returns more bars than asked',
      async () => ({ bars: [bar(60e6), bar(120e6), bar(180e6)], more: false }),
      'returned 3 bars for a count of 2',
    ],
    ['returns bars out of order', async () => ({ bars: [bar(120e6), bar(60e6)], more: false }), 'not after the bar before it'],
    ['returns another interval', async () => ({ bars: [bar(60e6, { interval: 300 })], more: false }), 'has interval 300, not 60'],
    ['returns a bar at or after endTimeUs', async () => ({ bars: [bar(900e6)], more: false }), 'opening at or after endTimeUs'],
    ['returns no page', async () => undefined, 'returned no page'],
    ['returns a bar the encoder refuses', async () => ({ bars: [bar(60e6, { volume: -1 })], more: false }), 'cannot be sent'],
  ])('answers HistoryUnavailable with the reason when the source %s, and goes on serving', async (_what, page, text) => {
    const g = await gatewayWith({ page: page as unknown as HistoryPages['page'] });
    try {
      const answer = await ask(g.client, 1, 'SIM:BTC-USD', 60, 600e6, 2);
      expect(answer).toMatchObject({ type: 'error', code: ErrorCode.HistoryUnavailable });
      expect((answer as ErrorMessage).message).toContain(text);
      g.client.send({ type: 'ping', nonce: 1, sentTimeUs: 1 });
      await g.client.waitFor(isType('pong'));
      expect(g.client.closeCode).toBeUndefined();
    } finally {
      await g.close();
    }
  });

  it('gives up on a source that does not answer within historyTimeoutMs, and the requests behind it go on', async () => {
    const g = await gatewayWith({ page: () => new Promise(() => undefined) }, { historyTimeoutMs: 200 });
    try {
      g.client.send({ type: 'history', requestId: 1, symbol: 'SIM:BTC-USD', interval: 60, endTimeUs: 0, count: 5 });
      g.client.send({
        type: 'subscribe',
        requestId: 2,
        all: false,
        interval: 60,
        resumeEpoch: 0,
        symbols: [{ symbol: 'SIM:BTC-USD', lastSeq: 0 }],
      });
      expect(await g.client.waitFor(answerTo(1))).toStrictEqual({
        type: 'error',
        requestId: 1,
        code: ErrorCode.HistoryUnavailable,
        message: 'History unavailable: no answer within 200 ms',
      });
      expect(await g.client.waitFor(isType('ack'))).toMatchObject({ requestId: 2 });
    } finally {
      await g.close();
    }
  });
});
