/**
 * Failover without a gap and a standby ingest, with real processes: nats-server, ingest(s), two
 * gateways, and real FeedClients (lib/client) given both gateway URLs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import type { MarketUpdate } from '../../lib/market/types';
import { startNatsServer, type NatsServer } from '../support/nats-server';
import { health, startGateway, startIngest, type RoleProcess } from '../support/scaled';

let nats: NatsServer;
const procs: RoleProcess[] = [];
const clients: FeedClient[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
}, 20_000);
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(procs.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await nats?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD'];

/** What one client saw of every instrument: the ticks in order (snapshot tails and batches) and its snapshots. */
interface Record_ {
  readonly client: FeedClient;
  readonly ticks: Map<number, MarketUpdate[]>;
  readonly fresh: Map<number, number>;
  readonly recovered: Map<number, number>;
}

function record(client: FeedClient): Record_ {
  const r: Record_ = { client, ticks: new Map(), fresh: new Map(), recovered: new Map() };
  const take = (u: MarketUpdate) => {
    if (u.kind !== 'trade' && u.kind !== 'quote') return;
    const list = r.ticks.get(u.instrumentId) ?? [];
    list.push(u);
    r.ticks.set(u.instrumentId, list);
  };
  client.on('snapshot', (s) => {
    const counter = s.recovered ? r.recovered : r.fresh;
    counter.set(s.instrumentId, (counter.get(s.instrumentId) ?? 0) + 1);
    if (s.recovered) for (const u of s.updates) take(u);
    else r.ticks.set(s.instrumentId, []);
  });
  client.on('batch', (b) => {
    for (const u of b.updates) take(u);
  });
  return r;
}

function feedClient(url: string | string[]): FeedClient {
  const c = new FeedClient({ url, transport: (u, p) => new WebSocket(u, p), reconnect: { minDelayMs: 20, maxDelayMs: 300 } });
  clients.push(c);
  return c;
}

describe('scaled deployment: failover', () => {
  it('100 clients on a gateway killed -9 resume on the other with recovered snapshots and every missed tick exactly once', async () => {
    const ingest = await startIngest(nats.url, ['--instruments', '3', '--rate', '20', '--seed', '3']);
    procs.push(ingest);
    const a = await startGateway(nats.url);
    const b = await startGateway(nats.url);
    procs.push(a, b);

    const reference = record(feedClient(b.url));
    reference.client.connect();
    await reference.client.subscribe(SYMBOLS);
    const records = Array.from({ length: 100 }, () => record(feedClient([a.url, b.url])));
    for (const r of records) r.client.connect();
    await Promise.all(records.map((r) => r.client.subscribe(SYMBOLS)));
    expect(records.every((r) => r.client.url === a.url)).toBe(true);
    await sleep(2500);

    await a.kill9();
    await waitFor('every client on the surviving gateway', () =>
      records.every((r) => r.client.url === b.url && r.client.state === 'connected'),
    );
    await sleep(2500);
    for (const c of clients) c.close();

    const refTicks = new Map([...reference.ticks].map(([id, list]) => [id, new Map(list.map((u) => [u.seq, u]))]));
    for (const r of records) {
      for (const [id, list] of r.ticks) {
        expect(list.length).toBeGreaterThan(50);
        // Exactly once, in order: consecutive seqs across the failover.
        list.forEach((u, i) => {
          if (i > 0 && u.seq !== (list[i - 1] as MarketUpdate).seq + 1) {
            throw new Error(`instrument ${id}: ${(list[i - 1] as MarketUpdate).seq} then ${u.seq}`);
          }
        });
        // One fresh snapshot (the first subscribe) and a recovered one after the failover.
        expect(r.fresh.get(id)).toBe(1);
        expect(r.recovered.get(id) ?? 0).toBeGreaterThanOrEqual(1);
        // The same ticks as the client that stayed on the surviving gateway.
        const ref = refTicks.get(id)!;
        let compared = 0;
        for (const u of list) {
          const same = ref.get(u.seq);
          if (same === undefined) continue;
          expect(u).toEqual(same);
          compared += 1;
        }
        expect(compared).toBeGreaterThan(50);
      }
      expect(r.ticks.size).toBe(3);
      expect(r.client.stats().gaps).toBe(0);
    }
    const survivor = await health<{ clients: number; upstream: { state: string } }>(b.healthUrl);
    expect(survivor.upstream.state).toBe('connected');
  }, 120_000);
});

describe('scaled deployment: standby ingest', () => {
  it('a standby takes over after kill -9 of the active ingest, continuing every sequence under the same epoch, publishing nothing twice', async () => {
    // The same adapters and deployment for both: one publishes, the other stands by.
    const args = [
      '--instruments',
      '3',
      '--rate',
      '20',
      '--seed',
      '5',
      '--lease-ms',
      '1500',
      '--bucket',
      'standby',
      '--stream',
      'STANDBY',
      '--subject-root',
      'sb',
    ];
    const active = await startIngest(nats.url, args);
    procs.push(active);
    const standby = await startIngest(nats.url, args, true);
    procs.push(standby);
    expect((await health<{ role: string }>(standby.healthUrl)).role).toBe('standby');
    const gw = await startGateway(nats.url, ['--bucket', 'standby', '--stream', 'STANDBY', '--subject-root', 'sb']);
    procs.push(gw);
    const watcher = record(feedClient(gw.url));
    watcher.client.connect();
    await watcher.client.subscribe(SYMBOLS);
    await sleep(2000);
    const epoch = watcher.client.epoch;

    const killedAt = Date.now();
    await active.kill9();
    const took = await standby.waitForLog((l) => l.msg === 'ingest active', 15_000);
    const takeoverMs = Date.parse(String(took.time)) - killedAt;
    // Documented: about 1.25 x --lease-ms (1500) plus catching up and starting the adapters.
    expect(takeoverMs).toBeLessThan(1500 * 1.25 + 1500);
    expect(took.epoch).toBe(epoch);
    await sleep(2500);

    expect(watcher.client.epoch).toBe(epoch);
    for (const [id, list] of watcher.ticks) {
      list.forEach((u, i) => {
        if (i > 0 && u.seq !== (list[i - 1] as MarketUpdate).seq + 1)
          throw new Error(`instrument ${id}: ${(list[i - 1] as MarketUpdate).seq} then ${u.seq}`);
      });
      expect(watcher.fresh.get(id)).toBe(1);
      // Ticks published by the new active continue the old one's.
      expect(list.filter((u) => u.receiveTimeUs > killedAt * 1000 + 1_000_000).length).toBeGreaterThan(10);
    }
    const h = await health<{ role: string; epoch: number; publisher: { publishedTicks: number } }>(standby.healthUrl);
    expect(h.role).toBe('active');
    expect(h.epoch).toBe(epoch);

    // The stream itself: per instrument, every seq once, in order, across both publishers.
    const nc = await connect({ servers: nats.url });
    try {
      const consumer = await jetstream(nc).consumers.get('STANDBY', { deliver_policy: DeliverPolicy.All });
      const info = await consumer.info();
      const last = new Map<string, number>();
      let seen = 0;
      for (let i = 0; i < info.num_pending; i++) {
        const m = await consumer.next({ expires: 5000 });
        if (m === null) break;
        seen += 1;
        for (const tick of m.json<{ seq: number }[]>()) {
          const before = last.get(m.subject) ?? 0;
          if (tick.seq !== before + 1) throw new Error(`${m.subject}: stream holds seq ${before} then ${tick.seq}`);
          last.set(m.subject, tick.seq);
        }
      }
      expect(seen).toBe(info.num_pending);
      expect(last.size).toBe(3);
    } finally {
      await nc.close();
    }
  }, 90_000);
});
