/**
 * FeedClient over real sockets against the real feed service (simulated adapter -> gateway):
 * the client's own behaviour — subscribe, snapshot then live without gaps, errors reaching the
 * caller, failover, heartbeat timeout, resume after a network cut, epoch change.
 */
import { createServer as createNetServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FeedClient, type FeedClientOptions } from '../../lib/client';
import { ServerRequestError } from '../../lib/client/errors';
import { closeSocketQuietly } from '../../lib/client/transport';
import type { SnapshotEvent } from '../../lib/client/events';
import type { StateChange } from '../../lib/client/states';
import type { MarketUpdate } from '../../lib/market/types';
import { BINARY_CODEC, ErrorCode, SUBPROTOCOL_BINARY } from '../../lib/protocol';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from '../support/feed';

const services: FeedService[] = [];
const clients: FeedClient[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function feed(options: Parameters<typeof startTestFeed>[0] = {}): Promise<FeedService> {
  const service = await startTestFeed(options);
  services.push(service);
  return service;
}

function client(options: Partial<FeedClientOptions> & Pick<FeedClientOptions, 'url'>): FeedClient {
  const c = new FeedClient({
    transport: (url, protocols) => new WebSocket(url, protocols),
    reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
  clients.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Records trade/quote sequence numbers of one symbol as consumers see them (snapshots + batches).
 * `symbol` may be bare ("BTC-USD"): the client's table resolves it to "SIM:BTC-USD".
 */
function recordTicks(c: FeedClient, symbol: string) {
  const seqs: number[] = [];
  const snapshots: SnapshotEvent[] = [];
  const bars: MarketUpdate[] = [];
  const isOurs = (instrumentId: number) => c.instruments.bySymbol(symbol)?.id === instrumentId;
  const take = (u: MarketUpdate) => {
    if (!isOurs(u.instrumentId)) return;
    if (u.kind === 'bar') bars.push(u);
    else seqs.push(u.seq);
  };
  c.on('snapshot', (s) => {
    if (!isOurs(s.instrumentId)) return;
    snapshots.push(s);
    if (s.barsOnly) {
      // A second pair of the instrument: only its interval's bars; the ticks flow on.
      for (const u of s.updates) take(u);
    } else if (s.recovered) {
      // Exactly the updates after the resume point: they continue the stream.
      for (const u of s.updates) take(u);
    } else {
      // A fresh snapshot restarts the stream at its seq: consumers replace their state.
      seqs.length = 0;
      seqs.push(s.seq);
    }
  });
  c.on('batch', (b) => {
    for (const u of b.updates) take(u);
  });
  return { seqs, snapshots, bars };
}

function expectConsecutive(seqs: readonly number[]): void {
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== (seqs[i - 1] ?? 0) + 1) {
      throw new Error(`sequence breaks at index ${i}: ${seqs[i - 1]} -> ${seqs[i]} (${seqs.slice(Math.max(0, i - 3), i + 3).join(',')})`);
    }
  }
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy whose connections the test can cut, to simulate a network drop. */
async function proxy(target: string): Promise<{ url: string; cut(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((downstream) => {
    const upstream = netConnect(Number(port), hostname);
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

describe('FeedClient against the feed service', () => {
  it.each(['binary', 'json'] as const)('subscribes, gets a snapshot, then live updates without gaps (%s)', async (protocol) => {
    const service = await feed();
    const c = client({ url: service.url, protocol });
    const ticks = recordTicks(c, 'BTC-USD');
    await sleep(300); // let the simulated market trade, so the snapshot has history
    c.connect();
    await c.subscribe(['BTC-USD'], 60);
    await waitFor(() => ticks.snapshots.length === 1, 5000, 'snapshot');
    const snapshot = ticks.snapshots[0]!;
    expect(snapshot).toMatchObject({ recovered: false, interval: 60 });
    expect(snapshot.updates.some((u) => u.kind === 'trade')).toBe(true);
    await waitFor(() => ticks.seqs.length > 40, 5000, 'live updates');
    expectConsecutive(ticks.seqs);
    expect(ticks.bars.every((b) => b.kind === 'bar' && b.interval === 60)).toBe(true);
    const stats = c.stats();
    expect(stats.gaps).toBe(0);
    expect(stats.updatesPerSec).toBeGreaterThan(0);
    expect(stats.dataAgeMs).not.toBeNull();
  });

  it('rejects a subscribe to an unknown instrument with UnknownInstrument and stays connected', async () => {
    const service = await feed();
    const c = client({ url: service.url });
    c.connect();
    const error = await c.subscribe(['NOPE-USD'], 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRequestError);
    expect(error).toMatchObject({ code: ErrorCode.UnknownInstrument });
    expect((error as Error).message).toMatch(/NOPE-USD/);
    expect(c.state).toBe('connected');
    expect(c.subscriptions().symbols.size).toBe(0);
    await expect(c.subscribe(['ETH-USD'], 0)).resolves.toBeUndefined();
  });

  it('settles subscriptions made before connecting one by one: an unknown symbol rejects only its own', async () => {
    const service = await feed();
    const c = client({ url: service.url });
    const outcome = (p: Promise<void>) =>
      p.then(
        () => 'subscribed',
        (e: unknown) => (e as ServerRequestError).code,
      );
    const all = outcome(c.subscribe('all', 0));
    const btc = outcome(c.subscribe(['BTC-USD'], 60));
    const nope = outcome(c.subscribe(['NOPE-USD'], 60));
    c.connect();
    // Before: the three were sent as one round and every promise rejected with NOPE-USD's refusal,
    // although 'all' and BTC-USD were then subscribed.
    expect(await Promise.all([all, btc, nope])).toEqual(['subscribed', 'subscribed', ErrorCode.UnknownInstrument]);
    expect(c.subscriptions()).toEqual({ all: new Set([0]), symbols: new Map([['BTC-USD', new Set([60])]]) });
  });

  it('holds two intervals of one instrument: ticks once and consecutive, bars of both; dropping one keeps the other', async () => {
    const service = await feed();
    const c = client({ url: service.url });
    const ticks = recordTicks(c, 'BTC-USD');
    await sleep(300);
    c.connect();
    await c.subscribe(['BTC-USD'], 1);
    await c.subscribe(['BTC-USD'], 5);
    await waitFor(() => ticks.snapshots.length === 2, 5000, 'two snapshots');
    expect(ticks.snapshots.map((s) => [s.interval, s.barsOnly])).toEqual([
      [1, false],
      [5, true],
    ]);
    expect(ticks.snapshots[1]!.updates.every((u) => u.kind === 'bar' && u.interval === 5)).toBe(true);
    await waitFor(
      () => ticks.seqs.length > 40 && new Set(ticks.bars.map((b) => b.kind === 'bar' && b.interval)).size === 2,
      5000,
      'bars of both intervals',
    );
    expectConsecutive(ticks.seqs);
    expect(c.stats().duplicates).toBe(0);
    await c.unsubscribe(['BTC-USD'], 5);
    const from = ticks.bars.length;
    const seqsFrom = ticks.seqs.length;
    await waitFor(() => ticks.seqs.length > seqsFrom + 20, 5000, 'live updates after the drop');
    expect(ticks.bars.slice(from).every((b) => b.kind === 'bar' && b.interval === 1)).toBe(true);
    expect(ticks.bars.length).toBeGreaterThan(from);
    expectConsecutive(ticks.seqs);
  });

  it('fails over to the next URL when the first gateway is dead', async () => {
    const service = await feed();
    const dead = `ws://127.0.0.1:${await deadPort()}`;
    const c = client({ url: [dead, service.url] });
    const states: StateChange[] = [];
    c.on('state', (s) => states.push(s));
    c.subscribe(['BTC-USD'], 0);
    c.connect();
    await waitFor(() => c.state === 'connected', 5000, 'connected');
    expect(c.url).toBe(service.url);
    expect(states.map((s) => s.newState)).toEqual(['connecting', 'reconnecting', 'connected']);
    expect(states[1]!.retryAt).toBeGreaterThan(0);
  });

  it('drops a gateway that goes silent after heartbeatTimeoutFactor x heartbeatIntervalMs and reconnects', async () => {
    const service = await feed();
    // A "gateway" that says hello (heartbeat every 100 ms) and then never speaks again.
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => SUBPROTOCOL_BINARY });
    silent.on('connection', (ws) =>
      ws.send(
        BINARY_CODEC.encode({
          type: 'hello',
          protocolVersion: 2,
          serverId: 'silent',
          epoch: service.epoch,
          heartbeatIntervalMs: 100,
          serverTimeUs: Date.now() * 1000,
          capabilities: [],
          intervals: [1, 5, 60, 300, 900, 3600],
        }),
      ),
    );
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const ws of silent.clients) ws.terminate();
          silent.close(() => resolve());
        }),
    );
    const c = client({ url: [`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, service.url], heartbeatTimeoutFactor: 3 });
    const states: StateChange[] = [];
    c.on('state', (s) => states.push(s));
    c.connect();
    await waitFor(() => c.state === 'connected', 5000, 'connected to the silent gateway');
    const silentAt = Date.now();
    await waitFor(() => states.some((s) => s.newState === 'reconnecting'), 3000, 'heartbeat timeout');
    const elapsed = Date.now() - silentAt;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
    expect(states.find((s) => s.newState === 'reconnecting')!.reason).toMatch(/heartbeat timeout/);
    await waitFor(() => c.state === 'connected' && c.url === service.url, 5000, 'failover to the real gateway');
  });

  it('resumes after a network cut: the recovered snapshot fills the hole exactly', async () => {
    const service = await feed();
    const link = await proxy(service.url);
    // Reconnect after >= 300 ms: at ~50 updates/s for BTC-USD the client misses some.
    const c = client({ url: link.url, reconnect: { minDelayMs: 300, maxDelayMs: 600 } });
    const ticks = recordTicks(c, 'BTC-USD');
    c.connect();
    await c.subscribe(['BTC-USD'], 0);
    await waitFor(() => ticks.seqs.length > 20, 5000, 'live updates');
    link.cut();
    await waitFor(() => c.state === 'reconnecting', 2000, 'disconnect');
    await waitFor(() => ticks.snapshots.length === 2, 5000, 'resume snapshot');
    expect(ticks.snapshots[1]).toMatchObject({ recovered: true });
    expect(ticks.snapshots[1]!.updates.length).toBeGreaterThan(0); // it did miss something
    const atResume = ticks.seqs.length;
    await waitFor(() => ticks.seqs.length > atResume + 20, 5000, 'live updates after resume');
    expectConsecutive(ticks.seqs);
    expect(c.stats()).toMatchObject({ gaps: 0, reconnects: 1 });
  });

  it('resumes "all" on a feed of 1000 instruments after a network cut, its resume request kept under 16 KiB', async () => {
    const service = await feed({ simulated: { instruments: 1000, ratePerInstrument: 1 } });
    const link = await proxy(service.url);
    const c = client({ url: link.url });
    const closes: number[] = [];
    c.on('state', (s) => {
      if (s.closeCode !== undefined) closes.push(s.closeCode);
    });
    const snapshots: SnapshotEvent[] = [];
    c.on('snapshot', (s) => snapshots.push(s));
    c.connect();
    await c.subscribe('all', 0);
    await waitFor(() => snapshots.length === 1000, 10_000, 'a snapshot of every instrument');
    link.cut();
    await waitFor(() => c.state === 'reconnecting', 2000, 'disconnect');
    // Before: the resume listed 1000 positions (~20 KB), the gateway closed it 1009, and so on forever.
    await waitFor(() => snapshots.length === 2000, 10_000, 'every instrument answered again after the reconnect');
    expect(closes).toEqual([1006]);
    expect(c.state).toBe('connected');
    expect(snapshots.slice(1000).some((s) => s.recovered)).toBe(true);
  });

  it('reconnects after a shutdown (1001) and takes fresh snapshots when the feed returns with a new epoch', async () => {
    const first = await feed({ epoch: 1_000 });
    const port = first.port;
    const c = client({ url: first.url });
    const epochs: unknown[] = [];
    c.on('epoch', (e) => epochs.push(e));
    const states: StateChange[] = [];
    c.on('state', (s) => states.push(s));
    const ticks = recordTicks(c, 'BTC-USD');
    c.connect();
    await c.subscribe(['BTC-USD'], 0);
    await waitFor(() => ticks.seqs.length > 5, 5000, 'live updates');
    await first.close();
    services.splice(services.indexOf(first), 1);
    // Shutdown is announced with 1001 (going away), which the client answers by reconnecting.
    await waitFor(() => c.state === 'reconnecting', 2000, 'reconnecting after shutdown');
    expect(states.find((s) => s.newState === 'reconnecting')).toMatchObject({ closeCode: 1001 });
    await feed({ epoch: 2_000, port });
    await waitFor(() => ticks.snapshots.length === 2, 5000, 'snapshot in the new epoch');
    expect(epochs).toEqual([{ previousEpoch: 1_000, epoch: 2_000 }]);
    expect(ticks.snapshots[1]).toMatchObject({ recovered: false });
    expect(c.epoch).toBe(2_000);
  });
});

describe('closing while the WebSocket handshake is still pending', () => {
  /** A TCP server that accepts connections and never answers the HTTP upgrade. */
  async function silentServer(): Promise<{ url: string; connections: () => number }> {
    let connections = 0;
    const held: Socket[] = [];
    const server = createNetServer((socket) => {
      connections++;
      held.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of held) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
  }

  /** Uncaught exceptions seen while `run` runs and for a little while after. */
  async function uncaughtDuring(run: () => void | Promise<void>): Promise<Error[]> {
    const seen: Error[] = [];
    const record = (error: Error): void => {
      seen.push(error);
    };
    process.on('uncaughtException', record);
    try {
      await run();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', record);
    }
    return seen;
  }

  it('FeedClient.close() during the handshake throws nothing, now or on the next tick', async () => {
    const silent = await silentServer();
    const c = client({ url: silent.url });
    c.connect();
    await waitFor(() => silent.connections() === 1, 5000, 'the client to connect');
    expect(c.state).toBe('connecting');
    const errors = await uncaughtDuring(() => c.close());
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(c.state).toBe('closed');
  });

  it('closeSocketQuietly on a connecting ws socket, graceful or not, throws nothing', async () => {
    const silent = await silentServer();
    for (const graceful of [true, false]) {
      const socket = new WebSocket(silent.url, SUBPROTOCOL_BINARY);
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      const errors = await uncaughtDuring(() => closeSocketQuietly(socket, 1000, 'bye', graceful));
      expect(
        errors.map((e) => e.message),
        `graceful: ${graceful}`,
      ).toEqual([]);
    }
  });
});
