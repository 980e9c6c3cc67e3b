/**
 * FeedClient.history (docs/protocol.md §2.12) against a fake socket: the request it sends, the page
 * it resolves with, refusals, requests made before connecting or cut off by a reconnect, close, and
 * the pacing that keeps a burst of calls inside the gateway's request budget.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedClient } from '../../../lib/client/feed-client';
import { ClientClosedError, ServerRequestError, type FeedClientError } from '../../../lib/client/errors';
import { HISTORY_BURST, HISTORY_RATE_PER_SEC } from '../../../lib/client/history-requests';
import type { Bar } from '../../../lib/market/types';
import { ErrorCode } from '../../../lib/protocol';
import { BTC, fakeTransport, greet } from './fake-socket';

function makeClient() {
  const transport = fakeTransport();
  const client = new FeedClient({ url: 'ws://gw:8080', transport: transport.factory, random: () => 0, pingIntervalMs: 0 });
  const errors: FeedClientError[] = [];
  client.on('error', (e) => errors.push(e));
  return { client, transport, errors };
}

const bar = (openTimeUs: number, seq = 0): Bar => ({
  kind: 'bar',
  instrumentId: BTC.id,
  seq,
  eventTimeUs: openTimeUs + 1,
  receiveTimeUs: openTimeUs + 1,
  interval: 60,
  openTimeUs,
  open: 1,
  high: 2,
  low: 1,
  close: 2,
  volume: 3,
  tradeCount: 1,
  vwap: 1,
});

/** Lets promise callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FeedClient#history', () => {
  it('sends one history request and resolves with the page and its instrument', async () => {
    const { client, transport } = makeClient();
    client.connect();
    greet(transport.last());
    const promise = client.history('BTC-USD', 60, { endTimeUs: 1_700_000_000_000_000, count: 2 });
    const [request] = transport.last().sentOf('history');
    expect(request).toStrictEqual({
      type: 'history',
      requestId: request!.requestId,
      symbol: 'BTC-USD',
      interval: 60,
      endTimeUs: 1_700_000_000_000_000,
      count: 2,
    });
    transport.last().deliver({
      type: 'historyPage',
      requestId: request!.requestId,
      instrumentId: BTC.id,
      interval: 60,
      bars: [bar(60e6), bar(120e6, 9)],
      more: true,
    });
    const page = await promise;
    expect(page).toMatchObject({ requestId: request!.requestId, instrumentId: BTC.id, interval: 60, more: true, instrument: BTC });
    expect(page.bars.map((b) => [b.openTimeUs, b.seq])).toStrictEqual([
      [60e6, 0],
      [120e6, 9],
    ]);
    // History bars never touch sequence positions.
    expect(client.position(BTC.id)).toBeUndefined();
  });

  it('asks for the newest 300 bars by default', () => {
    const { client, transport } = makeClient();
    client.connect();
    greet(transport.last());
    void client.history('BTC-USD', 300);
    expect(transport.last().sentOf('history')[0]).toMatchObject({ interval: 300, endTimeUs: 0, count: 300 });
  });

  it('uses request ids no subscribe in flight uses', () => {
    const { client, transport } = makeClient();
    client.connect();
    greet(transport.last());
    void client.subscribe(['BTC-USD'], 60);
    void client.history('BTC-USD', 60);
    void client.subscribe(['ETH-USD'], 60);
    const ids = transport
      .last()
      .sent.filter((m) => 'requestId' in m)
      .map((m) => (m as { requestId: number }).requestId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects with ServerRequestError on an error answer, only through the promise', async () => {
    const { client, transport, errors } = makeClient();
    client.connect();
    greet(transport.last());
    const promise = client.history('NOPE', 60);
    const requestId = transport.last().sentOf('history')[0]!.requestId;
    transport.last().deliver({ type: 'error', requestId, code: ErrorCode.UnknownInstrument, message: 'Unknown instrument(s): NOPE' });
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRequestError);
    expect(error).toMatchObject({
      code: ErrorCode.UnknownInstrument,
      serverMessage: 'Unknown instrument(s): NOPE',
      requestId,
      symbols: ['NOPE'],
    });
    expect(errors).toStrictEqual([]);
  });

  it('waits to be connected, then sends; resolves only after the instrument table arrived', async () => {
    const { client, transport } = makeClient();
    let page: unknown;
    void client.history('BTC-USD', 60).then((p) => (page = p));
    client.connect();
    expect(transport.last().sentOf('history')).toHaveLength(0);
    greet(transport.last());
    const [request] = transport.last().sentOf('history');
    expect(request).toBeDefined();
    transport
      .last()
      .deliver({ type: 'historyPage', requestId: request!.requestId, instrumentId: BTC.id, interval: 60, bars: [], more: false });
    await settle();
    expect(page).toMatchObject({ instrument: BTC, bars: [], more: false });
  });

  it('sends a request cut off by a disconnect again on the next connection, and ignores a stale answer', async () => {
    const { client, transport } = makeClient();
    client.connect();
    greet(transport.last());
    let page: { more: boolean } | undefined;
    void client.history('BTC-USD', 60, { count: 10 }).then((p) => (page = p));
    const first = transport.last();
    const oldId = first.sentOf('history')[0]!.requestId;
    first.serverClose(1001, 'server shutting down');
    await vi.advanceTimersByTimeAsync(60_000);
    const second = transport.last();
    expect(second).not.toBe(first);
    greet(second);
    const [again] = second.sentOf('history');
    expect(again).toMatchObject({ symbol: 'BTC-USD', interval: 60, count: 10 });
    expect(again!.requestId).not.toBe(oldId);
    // An answer to the old id (another connection's) settles nothing.
    second.deliver({ type: 'historyPage', requestId: oldId, instrumentId: BTC.id, interval: 60, bars: [], more: true });
    await settle();
    expect(page).toBeUndefined();
    second.deliver({ type: 'historyPage', requestId: again!.requestId, instrumentId: BTC.id, interval: 60, bars: [], more: false });
    await settle();
    expect(page).toMatchObject({ more: false });
  });

  it('rejects waiting and in-flight requests with ClientClosedError on close()', async () => {
    const { client, transport } = makeClient();
    const before = client.history('BTC-USD', 60);
    client.connect();
    greet(transport.last());
    const inFlight = client.history('BTC-USD', 60);
    client.close();
    await expect(before).rejects.toBeInstanceOf(ClientClosedError);
    await expect(inFlight).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('paces a burst of calls: HISTORY_BURST at once, then HISTORY_RATE_PER_SEC per second', async () => {
    const { client, transport } = makeClient();
    client.connect();
    greet(transport.last());
    for (let i = 0; i < 20; i++) void client.history('BTC-USD', 60, { endTimeUs: 1_000_000 * (i + 1) });
    expect(transport.last().sentOf('history')).toHaveLength(HISTORY_BURST);
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.last().sentOf('history')).toHaveLength(HISTORY_BURST + HISTORY_RATE_PER_SEC);
    // Heartbeats keep the connection alive meanwhile (the client drops a silent one).
    for (let second = 0; second < 10; second++) {
      transport.last().deliver({ type: 'heartbeat', serverTimeUs: 1 });
      await vi.advanceTimersByTimeAsync(1000);
    }
    const sent = transport.last().sentOf('history');
    expect(sent).toHaveLength(20);
    // In the order asked.
    expect(sent.map((m) => m.endTimeUs)).toStrictEqual(Array.from({ length: 20 }, (_, i) => 1_000_000 * (i + 1)));
  });

  it('refuses malformed arguments with a TypeError or RangeError naming the limit', () => {
    const { client } = makeClient();
    expect(() => client.history('', 60)).toThrow(TypeError);
    expect(() => client.history('BTC-USD', 0)).toThrow(/history interval must be a bar interval/);
    expect(() => client.history('BTC-USD', 60, { count: 0 })).toThrow('history count must be an integer 1 .. 1000, got 0');
    expect(() => client.history('BTC-USD', 60, { count: 1001 })).toThrow(RangeError);
    expect(() => client.history('BTC-USD', 60, { endTimeUs: -1 })).toThrow(/history endTimeUs/);
    expect(() => client.history('BTC-USD', 60, { endTimeUs: 2 ** 53 })).toThrow(RangeError);
  });
});
