/**
 * Protocol v2 subscriptions over real sockets: a subscription is a pair (instrument, bar interval),
 * several intervals of one instrument share one stream of ticks, and each pair gets its snapshot
 * and its bars (docs/protocol.md §2.3).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import type { MarketUpdate } from '../../lib/market/types';
import { ErrorCode } from '../../lib/protocol';
import type { BatchMessage, ServerMessage, SnapshotMessage } from '../../lib/protocol/messages';
import { InProcessBus } from '../../server/bus/in-process';
import type { FeedService } from '../../server/feed-service';
import type { Connection } from '../../server/gateway/connection';
import { Gateway } from '../../server/gateway/gateway';
import { History } from '../../server/history/history';
import { silentLogger } from '../../server/log';
import { gatewayFixture } from '../support/gateway-fixture';
import { RawClient, isType } from '../support/raw-client';

const { feed, connect } = gatewayFixture();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Reply = Extract<ServerMessage, { type: 'ack' | 'error' }>;
const replyTo =
  (requestId: number) =>
  (m: ServerMessage): m is Reply =>
    (m.type === 'ack' || m.type === 'error') && m.requestId === requestId;

/** A client greeted by a service whose history already holds trades of its instruments. */
async function ready(service: FeedService): Promise<RawClient> {
  const client = await connect(service.url);
  await client.waitFor(isType('instruments'));
  const held = service.bus.instruments().length * 10;
  await client.until(() => service.health().history.ticks >= held, 5000, 'history to hold some ticks of every instrument');
  return client;
}

/** Sends a subscribe by name and waits for its answer (ack or error). */
async function subscribe(client: RawClient, requestId: number, interval: number, symbols: string[]): Promise<Reply> {
  client.send({
    type: 'subscribe',
    requestId,
    all: false,
    interval,
    resumeEpoch: 0,
    symbols: symbols.map((symbol) => ({ symbol, lastSeq: 0 })),
  });
  return client.waitFor(replyTo(requestId));
}

async function unsubscribe(client: RawClient, requestId: number, interval: number, symbols: string[], all = false): Promise<Reply> {
  client.send({ type: 'unsubscribe', requestId, all, interval, symbols });
  return client.waitFor(replyTo(requestId));
}

const snapshotsOf = (client: RawClient, requestId: number): SnapshotMessage[] =>
  client.messages.filter((m): m is SnapshotMessage => m.type === 'snapshot' && m.requestId === requestId);

/** Every update of the normal batches received from message index `from` on. */
const liveUpdates = (client: RawClient, from = 0): MarketUpdate[] =>
  client.messages.slice(from).flatMap((m) => (m.type === 'batch' && !m.conflated ? m.updates : []));

describe('Gateway subscriptions by (instrument, interval)', () => {
  it('gives two intervals of one instrument each a snapshot and their bars, while trades arrive once', async () => {
    const service = await feed();
    const instrument = service.bus.instruments()[0]!;
    const client = await ready(service);
    expect(await subscribe(client, 1, 1, [instrument.symbol])).toMatchObject({ type: 'ack' });
    expect(await subscribe(client, 2, 60, [instrument.symbol])).toMatchObject({ type: 'ack' });
    const [first] = snapshotsOf(client, 1);
    const [second] = snapshotsOf(client, 2);
    expect(first).toMatchObject({ instrumentId: instrument.id, interval: 1, recovered: false });
    expect(first!.updates.some((u) => u.kind === 'trade')).toBe(true);
    // The instrument's ticks already flow on (instrument, 1): the second snapshot carries its bars only.
    expect(second).toMatchObject({ instrumentId: instrument.id, interval: 60 });
    expect(second!.updates.length).toBeGreaterThan(0);
    expect(second!.updates.every((u) => u.kind === 'bar' && u.interval === 60)).toBe(true);
    expect(second!.seq).toBeGreaterThanOrEqual(first!.seq);

    const from = client.messages.length;
    await sleep(1200);
    const updates = liveUpdates(client, from);
    const tradeSeqs = updates.filter((u) => u.kind === 'trade').map((u) => u.seq);
    expect(tradeSeqs.length).toBeGreaterThan(10);
    expect(new Set(tradeSeqs).size).toBe(tradeSeqs.length);
    const barIntervals = new Set(updates.flatMap((u) => (u.kind === 'bar' ? [u.interval] : [])));
    expect([...barIntervals].sort((a, b) => a - b)).toEqual([1, 60]);
  });

  it('keeps the other pair when one pair of an instrument is unsubscribed, and stops the instrument with the last', async () => {
    const service = await feed();
    const instrument = service.bus.instruments()[0]!;
    const client = await ready(service);
    await subscribe(client, 1, 1, [instrument.symbol]);
    await subscribe(client, 2, 60, [instrument.symbol]);
    expect(await unsubscribe(client, 3, 1, [instrument.symbol])).toMatchObject({ type: 'ack' });
    const from = client.messages.length;
    await sleep(800);
    const updates = liveUpdates(client, from);
    expect(updates.some((u) => u.kind === 'trade')).toBe(true);
    expect(new Set(updates.flatMap((u) => (u.kind === 'bar' ? [u.interval] : [])))).toEqual(new Set([60]));

    expect(await unsubscribe(client, 4, 60, [instrument.symbol])).toMatchObject({ type: 'ack' });
    const after = client.messages.length;
    await sleep(400);
    expect(liveUpdates(client, after)).toEqual([]);
  });

  it('acks an unsubscribe of a pair not held and changes nothing', async () => {
    const service = await feed();
    const instrument = service.bus.instruments()[0]!;
    const client = await ready(service);
    await subscribe(client, 1, 60, [instrument.symbol]);
    expect(await unsubscribe(client, 2, 5, [instrument.symbol])).toMatchObject({ type: 'ack' });
    const from = client.messages.length;
    await client.waitFor(
      (m): m is BatchMessage => m.type === 'batch' && m.updates.some((u) => u.kind === 'bar' && u.interval === 60),
      3000,
      from,
    );
  });

  it('holds several `all` intervals, with one snapshot per instrument each, and drops one without the other', async () => {
    const service = await feed({ simulated: { instruments: 3 } });
    const ids = service.bus.instruments().map((i) => i.id);
    const client = await ready(service);
    client.send({ type: 'subscribe', requestId: 1, all: true, interval: 0, resumeEpoch: 0, symbols: [] });
    await client.waitFor(replyTo(1));
    client.send({ type: 'subscribe', requestId: 2, all: true, interval: 5, resumeEpoch: 0, symbols: [] });
    await client.waitFor(replyTo(2));
    expect(snapshotsOf(client, 1).map((s) => s.instrumentId)).toEqual(ids);
    const second = snapshotsOf(client, 2);
    expect(second.map((s) => s.instrumentId)).toEqual(ids);
    expect(second.flatMap((s) => s.updates).every((u) => u.kind === 'bar' && u.interval === 5)).toBe(true);
    await client.waitFor((m): m is BatchMessage => m.type === 'batch' && m.updates.some((u) => u.kind === 'bar' && u.interval === 5), 3000);

    expect(await unsubscribe(client, 3, 5, [], true)).toMatchObject({ type: 'ack' });
    const from = client.messages.length;
    await sleep(500);
    const updates = liveUpdates(client, from);
    expect(updates.some((u) => u.kind === 'trade')).toBe(true);
    expect(updates.filter((u) => u.kind === 'bar')).toEqual([]);
  });

  it('counts pairs against the subscription limit', async () => {
    const service = await feed({ gateway: { maxSubscriptionsPerConnection: 2 } });
    const symbol = service.bus.instruments()[0]!.symbol;
    const client = await ready(service);
    expect(await subscribe(client, 1, 0, [symbol])).toMatchObject({ type: 'ack' });
    expect(await subscribe(client, 2, 60, [symbol])).toMatchObject({ type: 'ack' });
    // Holding a pair again adds nothing: it is answered with a fresh snapshot.
    expect(await subscribe(client, 3, 60, [symbol])).toMatchObject({ type: 'ack' });
    expect(snapshotsOf(client, 3)).toHaveLength(1);
    expect(await subscribe(client, 4, 1, [symbol])).toMatchObject({ type: 'error', code: ErrorCode.TooManySubscriptions });
  });

  it('answers BadInterval naming the offered intervals for an interval it does not build, and changes nothing', async () => {
    const service = await feed();
    const symbol = service.bus.instruments()[0]!.symbol;
    const client = await ready(service);
    const refused = await subscribe(client, 1, 120, [symbol]);
    expect(refused).toMatchObject({ type: 'error', code: ErrorCode.BadInterval });
    expect((refused as Extract<Reply, { type: 'error' }>).message).toMatch(/120.*0.*1, 5, 60, 300, 900, 3600/);
    client.send({ type: 'subscribe', requestId: 2, all: true, interval: 2 ** 31 - 1, resumeEpoch: 0, symbols: [] });
    expect(await client.waitFor(replyTo(2))).toMatchObject({ type: 'error', code: ErrorCode.BadInterval });
    expect(await unsubscribe(client, 3, 7, [symbol])).toMatchObject({ type: 'error', code: ErrorCode.BadInterval });
    await sleep(300);
    expect(client.messages.filter((m) => m.type === 'snapshot' || m.type === 'batch')).toEqual([]);
    expect(client.closeCode).toBeUndefined();
  });

  it('sends the current bar of every held interval in a conflated batch', async () => {
    const service = await feed({ gateway: { softBufferLimitBytes: 1000, hardBufferLimitBytes: 1_000_000, maxConflatedMs: 60_000 } });
    const instrument = service.bus.instruments()[0]!;
    const client = await ready(service);
    await subscribe(client, 1, 1, [instrument.symbol]);
    await subscribe(client, 2, 300, [instrument.symbol]);
    const [connection] = (service.gateway as unknown as { connections: Set<Connection> }).connections;
    let backedUp = true;
    vi.spyOn(connection!, 'bufferedBytes').mockImplementation(() => (backedUp ? 5000 : 0));
    await client.until(() => connection!.isDirty(instrument.id), 5000, 'the instrument to change while conflated');
    backedUp = false;
    const conflated = await client.waitFor((m): m is BatchMessage => m.type === 'batch' && m.conflated, 5000);
    const bars = conflated.updates.filter((u) => u.kind === 'bar');
    expect(bars.map((u) => u.kind === 'bar' && u.interval)).toEqual([1, 300]);
  });
});

describe('Gateway hello', () => {
  it('offers no capabilities yet and the bar intervals its history builds, ascending', async () => {
    const bus = new InProcessBus();
    const gateway = new Gateway({ bus, history: new History({ intervals: [60, 1] }), logger: silentLogger });
    const server = createServer();
    gateway.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = await RawClient.connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const hello = await client.waitFor(isType('hello'));
      expect(hello).toMatchObject({ protocolVersion: 2, capabilities: [], intervals: [1, 60] });
      client.send({ type: 'subscribe', requestId: 1, all: true, interval: 5, resumeEpoch: 0, symbols: [] });
      const refused = await client.waitFor(isType('error'));
      expect(refused).toMatchObject({ code: ErrorCode.BadInterval });
      expect(refused.message).toContain('1, 60');
      client.ws.terminate();
    } finally {
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
