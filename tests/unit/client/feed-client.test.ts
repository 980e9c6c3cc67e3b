import type { BarInterval } from '../../../lib/market/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedClient } from '../../../lib/client/feed-client';
import { ClientState, type StateChange } from '../../../lib/client/states';
import { ClientClosedError, ProtocolVersionError, RemoteCloseError, ServerRequestError, TransportError } from '../../../lib/client/errors';
import type { BatchEvent, GapEvent, SnapshotEvent } from '../../../lib/client/events';
import type { FeedClientError } from '../../../lib/client/errors';
import { BINARY_CODEC, ErrorCode, MAX_CLIENT_MESSAGE_BYTES, ProtocolError } from '../../../lib/protocol';
import { encodedByteLength } from '../../../lib/client/request-size';
import { BTC, ETH, FakeGateway, bar, fakeTransport, greet, quote, trade, type FakeSocket } from './fake-socket';

function makeClient(overrides: Partial<ConstructorParameters<typeof FeedClient>[0]> = {}) {
  const transport = fakeTransport();
  const client = new FeedClient({
    url: ['ws://gw-a:8080', 'ws://gw-b:8080'],
    transport: transport.factory,
    random: () => 0,
    pingIntervalMs: 0,
    ...overrides,
  });
  const states: StateChange[] = [];
  const errors: FeedClientError[] = [];
  const batches: BatchEvent[] = [];
  const snapshots: SnapshotEvent[] = [];
  const gaps: GapEvent[] = [];
  client.on('state', (s) => states.push(s));
  client.on('error', (e) => errors.push(e));
  client.on('batch', (b) => batches.push(b));
  client.on('snapshot', (s) => snapshots.push(s));
  client.on('gap', (g) => gaps.push(g));
  return { client, transport, states, errors, batches, snapshots, gaps };
}

/** Answers the last subscribe with ack + one snapshot per named instrument. */
function answerSubscribe(
  socket: FakeSocket,
  snapshots: Array<{ id: number; seq: number; recovered?: boolean; updates?: ReturnType<typeof trade>[] }>,
): void {
  const request = socket.sentOf('subscribe').at(-1);
  if (!request) throw new Error('no subscribe sent');
  socket.deliver({ type: 'ack', requestId: request.requestId });
  for (const s of snapshots) {
    socket.deliver({
      type: 'snapshot',
      requestId: request.requestId,
      instrumentId: s.id,
      recovered: s.recovered ?? false,
      barsOnly: false,
      seq: s.seq,
      interval: request.interval as BarInterval | 0,
      updates: s.updates ?? [],
    });
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FeedClient', () => {
  describe('constructor', () => {
    it('names the bad option in a TypeError', () => {
      const transport = fakeTransport().factory;
      expect(() => new FeedClient({ url: 'http://x', transport })).toThrow(/option "url"/);
      expect(() => new FeedClient({ url: [], transport })).toThrow(/option "url"/);
      expect(() => new FeedClient({ url: 'ws://localhost:80800', transport })).toThrow(/option "url" must hold .*port up to 65535/);
      expect(() => new FeedClient({ url: ['ws://a:1', 'ws://:8080'], transport })).toThrow(/option "url"/);
      expect(() => new FeedClient({ url: 'ws://x', transport, protocol: 'xml' as never })).toThrow(/option "protocol"/);
      expect(() => new FeedClient({ url: 'ws://x', transport, reconnect: { minDelayMs: 100, maxDelayMs: 50 } })).toThrow(
        /reconnect.maxDelayMs/,
      );
      expect(() => new FeedClient({ url: 'ws://x', transport, heartbeatTimeoutFactor: 0 })).toThrow(/heartbeatTimeoutFactor/);
      expect(() => new FeedClient({ url: 'ws://x', transport, pingIntervalMs: -1 })).toThrow(/pingIntervalMs/);
    });

    it('asks for a transport where the runtime has no global WebSocket', () => {
      const hadGlobal = 'WebSocket' in globalThis;
      if (hadGlobal) return; // Node >= 22 / browsers: the default works
      expect(() => new FeedClient({ url: 'ws://x' })).toThrow(/option "transport"/);
    });
  });

  describe('#connect', () => {
    it('offers exactly the chosen subprotocol and asks for ArrayBuffers', () => {
      const { client, transport } = makeClient({ protocol: 'json' });
      client.connect();
      expect(transport.last().protocols).toEqual(['tickwire.v2.json']);
      expect(transport.last().binaryType).toBe('arraybuffer');
      client.close();
    });

    it('goes idle -> connecting -> connected on hello and exposes table, status and epoch', () => {
      const { client, transport, states } = makeClient();
      const hellos: unknown[] = [];
      client.on('hello', (h) => hellos.push(h));
      client.connect();
      greet(transport.last());
      expect(states.map((s) => s.newState)).toEqual([ClientState.Connecting, ClientState.Connected]);
      expect(client.epoch).toBe(7);
      expect(client.instruments.bySymbol('BTC-USD')?.id).toBe(1);
      expect(client.instruments.formatPrice(1, 6_000_012)).toBe('60000.12');
      expect(client.status?.venues[0]?.state).toBe('live');
      expect(hellos).toHaveLength(1);
      client.close();
    });

    it('sends subscriptions made before connecting once hello arrives, and resolves on ack', async () => {
      const { client, transport } = makeClient();
      const done = client.subscribe(['BTC-USD'], 60);
      client.connect();
      const socket = transport.last();
      socket.open();
      expect(socket.sentOf('subscribe')).toHaveLength(0); // waits for hello (epoch decides resume)
      greet(socket);
      const [request] = socket.sentOf('subscribe');
      expect(request).toMatchObject({ all: false, interval: 60, resumeEpoch: 0, symbols: [{ symbol: 'BTC-USD', lastSeq: 0 }] });
      answerSubscribe(socket, [{ id: 1, seq: 10 }]);
      await expect(done).resolves.toBeUndefined();
      client.close();
    });
  });

  describe('#subscribe', () => {
    it('rejects with the server error and undoes the subscription (UnknownInstrument reaches the caller)', async () => {
      const { client, transport, errors } = makeClient();
      client.connect();
      const socket = transport.last();
      greet(socket);
      const done = client.subscribe(['NOPE-USD'], 0);
      const request = socket.sentOf('subscribe').at(-1)!;
      socket.deliver({
        type: 'error',
        requestId: request.requestId,
        code: ErrorCode.UnknownInstrument,
        message: 'Unknown instrument(s): NOPE-USD',
      });
      const error = await done.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerRequestError);
      expect(error).toMatchObject({ code: ErrorCode.UnknownInstrument, symbols: ['NOPE-USD'] });
      expect(client.subscriptions().symbols.size).toBe(0);
      expect(errors).toHaveLength(1);
      client.close();
    });

    it('sends a request too big for one message in parts under 16 KiB, and resolves once every part is acked', async () => {
      const { client, transport } = makeClient();
      client.connect();
      const socket = transport.last();
      greet(socket);
      const symbols = Array.from({ length: 1500 }, (_, i) => `SIM:SYN${String(i).padStart(4, '0')}-USD`);
      let settled = false;
      const done = client.subscribe(symbols, 60).then(() => (settled = true));
      const parts = socket.sentOf('subscribe');
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) expect(encodedByteLength(BINARY_CODEC.encode(part))).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
      expect(parts.flatMap((p) => p.symbols.map((e) => e.symbol))).toEqual(symbols);
      for (const part of parts.slice(0, -1)) socket.deliver({ type: 'ack', requestId: part.requestId });
      await Promise.resolve();
      expect(settled).toBe(false);
      socket.deliver({ type: 'ack', requestId: parts.at(-1)!.requestId });
      await done;
      expect(settled).toBe(true);

      client.unsubscribe(symbols, 60);
      const unsubscribes = socket.sentOf('unsubscribe');
      expect(unsubscribes.length).toBeGreaterThan(1);
      for (const part of unsubscribes) expect(part.interval).toBe(60);
      for (const part of unsubscribes) expect(encodedByteLength(BINARY_CODEC.encode(part))).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
      expect(unsubscribes.flatMap((p) => p.symbols)).toEqual(symbols);
      client.close();
    });

    it('throws a TypeError for a bad interval or symbol list', () => {
      const { client } = makeClient();
      expect(() => client.subscribe(['BTC-USD'], 7 as never)).toThrow(TypeError);
      expect(() => client.subscribe([''], 0)).toThrow(TypeError);
      expect(() => client.subscribe('some' as never, 0)).toThrow(TypeError);
    });
  });

  describe('sequence checking', () => {
    function live() {
      const ctx = makeClient();
      ctx.client.subscribe(['BTC-USD', 'ETH-USD'], 0);
      ctx.client.connect();
      const socket = ctx.transport.last();
      greet(socket);
      answerSubscribe(socket, [
        { id: 1, seq: 10 },
        { id: 2, seq: 50 },
      ]);
      return { ...ctx, socket };
    }

    it('passes in-order updates through untouched', () => {
      const { client, socket, batches } = live();
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 11), quote(2, 51), trade(1, 12)] });
      expect(batches).toHaveLength(1);
      expect(batches[0]!.updates.map((u) => u.seq)).toEqual([11, 51, 12]);
      expect(client.position(1)).toBe(12);
      client.close();
    });

    it('drops duplicates before they reach consumers', () => {
      const { client, socket, batches } = live();
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 10), trade(1, 11), trade(1, 11)] });
      expect(batches[0]!.updates.map((u) => u.seq)).toEqual([11]);
      expect(client.stats().duplicates).toBe(2);
      client.close();
    });

    it('emits gap, drops the instrument until a fresh snapshot, and resyncs it without resume', () => {
      const { client, socket, batches, gaps, snapshots } = live();
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 13), quote(2, 51)] });
      expect(gaps).toEqual([{ instrumentId: 1, symbol: 'BTC-USD', expectedSeq: 11, receivedSeq: 13 }]);
      expect(batches[0]!.updates.map((u) => [u.instrumentId, u.seq])).toEqual([[2, 51]]);
      const resync = socket.sentOf('subscribe').at(-1)!;
      expect(resync).toMatchObject({ all: false, resumeEpoch: 0, symbols: [{ symbol: 'BTC-USD', lastSeq: 0 }] });
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 14)] });
      expect(batches).toHaveLength(1); // still waiting for the snapshot
      answerSubscribe(socket, [{ id: 1, seq: 14 }]);
      expect(snapshots.at(-1)).toMatchObject({ instrumentId: 1, seq: 14 });
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 15)] });
      expect(batches.at(-1)!.updates.map((u) => u.seq)).toEqual([15]);
      expect(client.stats().gaps).toBe(1);
      client.close();
    });

    it('spaces resync requests so a gap storm cannot trip the gateway rate limit', () => {
      const { client, socket } = live();
      const before = socket.sentOf('subscribe').length;
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 20)] });
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(2, 90)] });
      expect(socket.sentOf('subscribe').length).toBe(before + 1);
      vi.advanceTimersByTime(250);
      expect(socket.sentOf('subscribe').length).toBe(before + 2);
      client.close();
    });

    it('accepts conflated jumps and continues from the highest sequence', () => {
      const { client, socket, batches, gaps } = live();
      socket.deliver({ type: 'batch', conflated: true, updates: [quote(1, 30), bar(1, 29)] });
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 31)] });
      expect(gaps).toHaveLength(0);
      expect(batches.map((b) => b.conflated)).toEqual([true, false]);
      expect(client.position(1)).toBe(31);
      client.close();
    });

    it('filters already-seen trades out of a recovered snapshot', () => {
      const { client, socket, snapshots } = live();
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 11), trade(1, 12)] });
      socket.deliver({
        type: 'snapshot',
        requestId: 99,
        instrumentId: 1,
        recovered: true,
        barsOnly: false,
        seq: 14,
        interval: 0,
        updates: [trade(1, 11), trade(1, 12), trade(1, 13), trade(1, 14)],
      });
      expect(snapshots.at(-1)!.updates.map((u) => u.seq)).toEqual([13, 14]);
      client.close();
    });

    it('stops delivering an unsubscribed instrument', async () => {
      const { client, socket, batches } = live();
      const done = client.unsubscribe(['ETH-USD'], 0);
      socket.deliver({ type: 'ack', requestId: socket.sentOf('unsubscribe')[0]!.requestId });
      await done;
      socket.deliver({ type: 'batch', conflated: false, updates: [quote(2, 51), trade(1, 11)] });
      expect(batches[0]!.updates.map((u) => u.instrumentId)).toEqual([1]);
      client.close();
    });
  });

  describe('(instrument, interval) pairs', () => {
    /** A client holding (BTC, 60) and (BTC, 300) on a v2 fake gateway. */
    function twoCharts() {
      const ctx = makeClient();
      ctx.client.connect();
      const gateway = new FakeGateway(ctx.transport.last()).greet();
      const minute = ctx.client.subscribe(['BTC-USD'], 60);
      const fiveMinutes = ctx.client.subscribe(['BTC-USD'], 300);
      gateway.answer();
      return { ...ctx, gateway, minute, fiveMinutes };
    }

    it('adds a second interval of an instrument instead of replacing the first: each pair gets its snapshot', async () => {
      const { client, gateway, snapshots, minute, fiveMinutes } = twoCharts();
      await Promise.all([minute, fiveMinutes]);
      expect(client.subscriptions().symbols.get('BTC-USD')).toEqual(new Set([60, 300]));
      expect(gateway.socket.sentOf('subscribe').map((m) => m.interval)).toEqual([60, 300]);
      expect(snapshots.map((s) => [s.interval, s.barsOnly, s.updates.map((u) => u.kind)])).toEqual([
        [60, false, ['bar', 'trade', 'quote']],
        [300, true, ['bar']],
      ]);
      client.close();
    });

    it('delivers a trade once and the bars of both intervals', () => {
      const { client, gateway, batches } = twoCharts();
      gateway.publish(BTC.id);
      expect(batches.at(-1)!.updates.map((u) => (u.kind === 'bar' ? `bar ${u.interval}` : u.kind))).toEqual(['trade', 'bar 60', 'bar 300']);
      client.close();
    });

    it('unsubscribes one interval with that interval on the wire and keeps the other pair live', async () => {
      const { client, gateway, batches } = twoCharts();
      const done = client.unsubscribe(['BTC-USD'], 300);
      expect(gateway.socket.sentOf('unsubscribe')).toMatchObject([{ all: false, interval: 300, symbols: ['BTC-USD'] }]);
      // A bar of the dropped interval still in flight is not delivered.
      gateway.socket.deliver({ type: 'batch', conflated: false, updates: [bar(BTC.id, 10, 300)] });
      expect(batches).toHaveLength(0);
      gateway.answer();
      await done;
      expect(client.subscriptions().symbols.get('BTC-USD')).toEqual(new Set([60]));
      gateway.publish(BTC.id);
      expect(batches.at(-1)!.updates.map((u) => (u.kind === 'bar' ? `bar ${u.interval}` : u.kind))).toEqual(['trade', 'bar 60']);
      client.close();
    });

    it('resumes both pairs after a reconnect from the one position of the instrument', () => {
      const { client, gateway, transport } = twoCharts();
      gateway.publish(BTC.id);
      gateway.socket.serverClose(1006);
      vi.advanceTimersByTime(500);
      const next = new FakeGateway(transport.last(), 7, gateway.seq);
      greet(next.socket);
      expect(next.socket.sentOf('subscribe').map((m) => [m.interval, m.resumeEpoch, m.symbols])).toEqual([
        [60, 7, [{ symbol: 'BTC-USD', lastSeq: 11 }]],
        [300, 7, [{ symbol: 'BTC-USD', lastSeq: 11 }]],
      ]);
      client.close();
    });

    it('gives a chart opened under `all` the full snapshot, recent trades included (the tape fills at once)', () => {
      const { client, transport, snapshots } = makeClient();
      client.connect();
      const gateway = new FakeGateway(transport.last()).greet();
      client.subscribe('all', 0);
      gateway.answer();
      client.subscribe(['BTC-USD'], 60);
      gateway.answer();
      const chart = snapshots.at(-1)!;
      expect(chart).toMatchObject({ instrumentId: BTC.id, interval: 60, barsOnly: false });
      expect(chart.updates.map((u) => u.kind)).toEqual(['bar', 'trade', 'quote']);
      client.close();
    });

    it('keeps its position on a bars-only snapshot (the server says so) and takes the next tick as contiguous', () => {
      const { client, transport, batches, snapshots } = makeClient();
      client.connect();
      const gateway = new FakeGateway(transport.last()).greet();
      client.subscribe(['BTC-USD'], 60);
      gateway.answer();
      gateway.socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, 11)] });
      client.subscribe(['BTC-USD'], 300);
      gateway.answer();
      expect(snapshots.at(-1)).toMatchObject({ instrumentId: BTC.id, interval: 300, barsOnly: true });
      expect(snapshots.at(-1)!.updates.map((u) => u.kind)).toEqual(['bar']);
      gateway.socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, 12)] });
      expect(batches.at(-1)!.updates.map((u) => u.seq)).toEqual([12]);
      expect(client.stats().duplicates).toBe(0);
      expect(client.stats().gaps).toBe(0);
      client.close();
    });

    it('drops only (all, interval) on unsubscribe("all"): pairs held by name keep flowing', async () => {
      const { client, transport, batches } = makeClient();
      client.connect();
      const gateway = new FakeGateway(transport.last()).greet();
      client.subscribe('all', 0);
      client.subscribe(['BTC-USD'], 60);
      gateway.answer();
      const done = client.unsubscribe('all', 0);
      expect(gateway.socket.sentOf('unsubscribe')).toMatchObject([{ all: true, interval: 0 }]);
      gateway.answer();
      await done;
      gateway.publish(ETH.id);
      gateway.publish(BTC.id);
      expect(batches.at(-1)!.updates.map((u) => u.instrumentId)).toEqual([BTC.id, BTC.id]);
      expect(client.position(ETH.id)).toBeUndefined();
      client.close();
    });

    it('resyncs every pair of an instrument after a gap', () => {
      const { client, gateway, gaps } = twoCharts();
      const before = gateway.socket.sentOf('subscribe').length;
      gateway.socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, 13)] });
      expect(gaps).toHaveLength(1);
      expect(
        gateway.socket
          .sentOf('subscribe')
          .slice(before)
          .map((m) => [m.interval, m.symbols]),
      ).toEqual([
        [60, [{ symbol: 'BTC-USD', lastSeq: 0 }]],
        [300, [{ symbol: 'BTC-USD', lastSeq: 0 }]],
      ]);
      client.close();
    });
  });

  describe('reconnect', () => {
    it('reports retryAt, fails over to the next URL and resumes from the last sequence', () => {
      const { client, transport, states } = makeClient();
      client.subscribe(['BTC-USD'], 0);
      client.connect();
      const first = transport.last();
      expect(first.url).toBe('ws://gw-a:8080');
      greet(first);
      answerSubscribe(first, [{ id: 1, seq: 10 }]);
      first.deliver({ type: 'batch', conflated: false, updates: [trade(1, 11)] });
      first.serverClose(1001, 'server shutting down');
      const reconnecting = states.at(-1)!;
      expect(reconnecting).toMatchObject({ newState: 'reconnecting', closeCode: 1001, retryInMs: 500 });
      expect(reconnecting.retryAt).toBe(Date.now() + 500);
      vi.advanceTimersByTime(500);
      const second = transport.last();
      expect(second.url).toBe('ws://gw-b:8080');
      greet(second);
      expect(second.sentOf('subscribe')[0]).toMatchObject({ resumeEpoch: 7, symbols: [{ symbol: 'BTC-USD', lastSeq: 11 }] });
      expect(client.stats().reconnects).toBe(1);
      client.close();
    });

    it('keeps backing off across failed attempts with a fresh retryAt each time', () => {
      const { client, transport, states } = makeClient({ random: () => 0.999999 });
      client.connect();
      transport.last().fail();
      vi.advanceTimersByTime(1000);
      transport.last().fail();
      const retries = states.filter((s) => s.newState === 'reconnecting').map((s) => s.retryInMs);
      expect(retries).toEqual([1000, 2000]);
      client.close();
    });

    it('resubscribes fresh and emits epoch when the server epoch changed', () => {
      const { client, transport } = makeClient();
      const epochs: unknown[] = [];
      client.on('epoch', (e) => epochs.push(e));
      client.subscribe(['BTC-USD'], 0);
      client.connect();
      greet(transport.last(), 7);
      answerSubscribe(transport.last(), [{ id: 1, seq: 10 }]);
      transport.last().serverClose(1006);
      vi.advanceTimersByTime(500);
      greet(transport.last(), 8);
      expect(epochs).toEqual([{ previousEpoch: 7, epoch: 8 }]);
      expect(transport.last().sentOf('subscribe')[0]).toMatchObject({ resumeEpoch: 0, symbols: [{ symbol: 'BTC-USD', lastSeq: 0 }] });
      expect(client.position(1)).toBeUndefined();
      client.close();
    });

    it('asks for a fresh snapshot, not a resume, for a subscription whose snapshot a disconnect cut off', () => {
      const { client, transport } = makeClient();
      client.subscribe('all', 0);
      client.connect();
      greet(transport.last());
      answerSubscribe(transport.last(), [
        { id: 1, seq: 10 },
        { id: 2, seq: 20 },
      ]);
      transport.last().deliver({ type: 'batch', conflated: false, updates: [trade(1, 11), trade(2, 21)] });
      // The chart asks for BTC bars; the connection drops before the snapshot with its history.
      client.subscribe(['BTC-USD'], 60);
      transport.last().serverClose(1006);
      vi.advanceTimersByTime(500);
      greet(transport.last());
      const [symbolsRound, allRound] = transport.last().sentOf('subscribe');
      // A resume would replay only the ticks after seq 11: the bar history would never come.
      expect(symbolsRound).toMatchObject({ all: false, interval: 60, symbols: [{ symbol: 'BTC-USD', lastSeq: 0 }] });
      // The (all, 0) pair got its snapshots: it resumes both instruments.
      expect(allRound).toMatchObject({
        all: true,
        resumeEpoch: 7,
        symbols: [
          { symbol: 'BTC-USD', lastSeq: 11 },
          { symbol: 'ETH-USD', lastSeq: 21 },
        ],
      });
      client.close();
    });

    it('still resumes an instrument waiting for a gap resync when the connection drops', () => {
      const { client, transport, gaps } = makeClient();
      client.subscribe(['BTC-USD'], 0);
      client.connect();
      greet(transport.last());
      answerSubscribe(transport.last(), [{ id: 1, seq: 10 }]);
      transport.last().deliver({ type: 'batch', conflated: false, updates: [trade(1, 11), trade(1, 14)] });
      expect(gaps).toHaveLength(1);
      transport.last().serverClose(1006);
      vi.advanceTimersByTime(500);
      greet(transport.last());
      expect(transport.last().sentOf('subscribe')[0]).toMatchObject({ resumeEpoch: 7, symbols: [{ symbol: 'BTC-USD', lastSeq: 11 }] });
      client.close();
    });

    it('resolves a subscribe cut off by a disconnect once the next connection acks it', async () => {
      const { client, transport } = makeClient();
      client.connect();
      greet(transport.last());
      const done = client.subscribe(['ETH-USD'], 0);
      transport.last().serverClose(1006);
      vi.advanceTimersByTime(500);
      greet(transport.last());
      answerSubscribe(transport.last(), [{ id: 2, seq: 3 }]);
      await expect(done).resolves.toBeUndefined();
      client.close();
    });

    it('settles subscribes cut off by a disconnect by their own symbols when the next round is refused for another', async () => {
      const { client, transport } = makeClient();
      client.connect();
      greet(transport.last());
      const outcome = (p: Promise<void>) =>
        p.then(
          () => 'subscribed',
          (e: unknown) => (e as ServerRequestError).code,
        );
      const eth = outcome(client.subscribe(['ETH-USD'], 0));
      const nope = outcome(client.subscribe(['NOPE-USD'], 0));
      transport.last().serverClose(1006);
      vi.advanceTimersByTime(500);
      const socket = transport.last();
      greet(socket);
      const round = socket.sentOf('subscribe')[0]!;
      expect(round.symbols.map((e) => e.symbol)).toEqual(['ETH-USD', 'NOPE-USD']);
      socket.deliver({
        type: 'error',
        requestId: round.requestId,
        code: ErrorCode.UnknownInstrument,
        message: 'Unknown instrument(s): NOPE-USD',
      });
      expect(await nope).toBe(ErrorCode.UnknownInstrument);
      // ETH-USD is sent again alone; its promise settles with that request, not with the refusal.
      const retry = socket.sentOf('subscribe')[1]!;
      expect(retry.symbols.map((e) => e.symbol)).toEqual(['ETH-USD']);
      let settled = false;
      void eth.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      answerSubscribe(socket, [{ id: 2, seq: 3 }]);
      expect(await eth).toBe('subscribed');
      client.close();
    });

    it('drops a silent connection after heartbeatTimeoutFactor x heartbeatIntervalMs and reconnects', () => {
      const { client, transport, states } = makeClient();
      client.connect();
      const socket = transport.last();
      greet(socket, 7, 1000);
      vi.advanceTimersByTime(2500);
      socket.deliver({ type: 'heartbeat', serverTimeUs: 1_700_000_002_500_000 });
      vi.advanceTimersByTime(2900);
      expect(client.state).toBe('connected');
      vi.advanceTimersByTime(200);
      expect(socket.terminated).toBe(true);
      expect(states.at(-1)).toMatchObject({ newState: 'reconnecting' });
      expect(states.at(-1)!.reason).toMatch(/heartbeat timeout/);
      client.close();
    });

    it('gives up on a socket that never says hello within connectTimeoutMs', () => {
      const { client, transport } = makeClient({ connectTimeoutMs: 2000 });
      client.connect();
      transport.last().open();
      vi.advanceTimersByTime(2000);
      expect(client.state).toBe('reconnecting');
      client.close();
    });

    it('reports a malformed frame as a ProtocolError and reconnects', () => {
      const { client, transport, errors } = makeClient();
      client.connect();
      greet(transport.last());
      const socket = transport.last();
      socket.deliverRaw(new Uint8Array([0x03, 0x00]).buffer); // a batch cut short
      expect(errors[0]).toBeInstanceOf(ProtocolError);
      // The peer is alive, so it gets a close frame carrying the error's code (RFC 6455 §7.4.1).
      expect(socket.closedWith?.code).toBe((errors[0] as ProtocolError).closeCode);
      expect(client.state).toBe('reconnecting');
      client.close();
    });

    it('skips a server message of a type it does not know (a later v2 addition) and stays connected', () => {
      const { client, transport, errors } = makeClient();
      client.connect();
      greet(transport.last());
      const socket = transport.last();
      socket.deliverRaw(new Uint8Array([0x0a, 1, 2, 3]).buffer);
      socket.deliverRaw(new Uint8Array([0x1f]).buffer);
      expect(errors).toEqual([]);
      expect(socket.closedWith).toBeUndefined();
      expect(client.state).toBe('connected');
      expect(client.stats().unknownMessages).toBe(2);
      client.close();
    });

    it('reports protocol-class closes as errors but still reconnects', () => {
      const { client, transport, errors } = makeClient();
      client.connect();
      greet(transport.last());
      transport.last().serverClose(1007, 'bad subscribe');
      expect(errors[0]).toBeInstanceOf(RemoteCloseError);
      expect(client.state).toBe('reconnecting');
      client.close();
    });
  });

  describe('terminal closes', () => {
    it('stops on 1008 with the reason shown and rejects pending requests', async () => {
      const { client, transport, states, errors } = makeClient();
      client.connect();
      greet(transport.last());
      const done = client.subscribe(['BTC-USD'], 0);
      transport.last().serverClose(1008, 'subscribe rate limit exceeded');
      expect(states.at(-1)).toMatchObject({ newState: 'closed', closeCode: 1008 });
      expect(states.at(-1)!.reason).toMatch(/subscribe rate limit exceeded/);
      expect(errors.some((e) => e instanceof RemoteCloseError && e.closeCode === 1008)).toBe(true);
      await expect(done).rejects.toBeInstanceOf(Error);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('stops on 1000 without reconnecting', () => {
      const { client, transport } = makeClient();
      client.connect();
      greet(transport.last());
      transport.last().serverClose(1000);
      expect(client.state).toBe('closed');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('stops with a ProtocolVersionError when hello speaks another version', () => {
      const { client, transport, errors } = makeClient();
      client.connect();
      greet(transport.last(), 7, 1000, 3);
      expect(client.state).toBe('closed');
      expect(errors[0]).toBeInstanceOf(ProtocolVersionError);
      expect(errors[0]!.message).toMatch(/version 3.*speaks 2/);
    });
  });

  describe('#close', () => {
    it('closes 1000, clears every timer and rejects what was pending', async () => {
      const { client, transport } = makeClient({ pingIntervalMs: 1000 });
      client.connect();
      const socket = transport.last();
      greet(socket);
      const done = client.subscribe(['BTC-USD'], 0);
      client.close();
      expect(socket.closedWith?.code).toBe(1000);
      expect(vi.getTimerCount()).toBe(0);
      await expect(done).rejects.toBeInstanceOf(ClientClosedError);
      expect(client.state).toBe('closed');
    });

    it('can connect again afterwards and resumes the same subscriptions', () => {
      const { client, transport } = makeClient();
      client.subscribe(['BTC-USD'], 0);
      client.connect();
      greet(transport.last());
      answerSubscribe(transport.last(), [{ id: 1, seq: 5 }]);
      client.close();
      client.connect();
      greet(transport.last());
      expect(transport.last().sentOf('subscribe')[0]).toMatchObject({ resumeEpoch: 7, symbols: [{ symbol: 'BTC-USD', lastSeq: 5 }] });
      client.close();
    });
  });

  describe('#close from an event handler', () => {
    it('stays closed when an error handler closes on a protocol-class close', () => {
      const { client, transport, states } = makeClient();
      client.on('error', () => client.close());
      client.connect();
      greet(transport.last());
      transport.last().serverClose(1007, 'bad subscribe');
      expect(client.state).toBe('closed');
      expect(states.at(-1)?.newState).toBe('closed');
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(60_000);
      expect(transport.sockets).toHaveLength(1);
    });

    it('stays closed when an error handler closes on a malformed frame', () => {
      const { client, transport } = makeClient();
      client.on('error', () => client.close());
      client.connect();
      greet(transport.last());
      transport.last().deliverRaw(new Uint8Array([0x03, 0x00]).buffer); // a batch cut short
      expect(client.state).toBe('closed');
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(60_000);
      expect(transport.sockets).toHaveLength(1);
    });

    it('stays closed when an error handler closes after the transport factory threw', () => {
      let opened = 0;
      const client = new FeedClient({
        url: 'ws://x',
        transport: () => {
          opened++;
          throw new SyntaxError('bad url');
        },
      });
      client.on('error', () => client.close());
      client.connect();
      expect(client.state).toBe('closed');
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(60_000);
      expect(opened).toBe(1);
    });

    it('emits no batch and sends no resync after a gap handler closed the client', () => {
      const { client, transport, batches } = makeClient();
      client.subscribe(['BTC-USD', 'ETH-USD'], 0);
      client.connect();
      const socket = transport.last();
      greet(socket);
      answerSubscribe(socket, [
        { id: 1, seq: 10 },
        { id: 2, seq: 20 },
      ]);
      client.on('gap', () => client.close());
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(1, 13), trade(2, 21)] });
      expect(client.state).toBe('closed');
      expect(batches).toHaveLength(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('ping and pong', () => {
    it('answers a server ping with a pong echoing nonce and sentTimeUs', () => {
      const { client, transport } = makeClient();
      client.connect();
      greet(transport.last());
      transport.last().deliver({ type: 'ping', nonce: 42, sentTimeUs: 123 });
      expect(transport.last().sentOf('pong')).toEqual([{ type: 'pong', nonce: 42, sentTimeUs: 123 }]);
      client.close();
    });

    it('measures round-trip time from its own pings', () => {
      const { client, transport } = makeClient({ pingIntervalMs: 1000 });
      client.connect();
      const socket = transport.last();
      greet(socket);
      const ping = socket.sentOf('ping')[0]!;
      vi.advanceTimersByTime(12);
      socket.deliver({ type: 'pong', nonce: ping.nonce, sentTimeUs: ping.sentTimeUs });
      expect(client.stats().rttMs).toBe(12);
      client.close();
    });
  });

  describe('errors never escape into the application', () => {
    it('reports a transport failure as an error event', () => {
      const { client, transport, errors } = makeClient();
      client.connect();
      transport.last().fail();
      expect(errors[0]).toBeInstanceOf(TransportError);
      expect(errors[0]!.message).toMatch(/ECONNREFUSED/);
      client.close();
    });

    it('survives a transport factory that throws', () => {
      const client = new FeedClient({
        url: 'ws://x',
        transport: () => {
          throw new SyntaxError('bad url');
        },
      });
      const errors: unknown[] = [];
      client.on('error', (e) => errors.push(e));
      expect(() => client.connect()).not.toThrow();
      expect(errors[0]).toBeInstanceOf(TransportError);
      expect(client.state).toBe('reconnecting');
      client.close();
    });
  });

  it('uses the instrument table for ETH too (keeps the fixture honest)', () => {
    expect(ETH.id).not.toBe(BTC.id);
  });
});
