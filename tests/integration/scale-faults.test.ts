/**
 * Faults of a scaled deployment with real processes (nats-server, ingest, gateways, FeedClients),
 * asserting what a person watching would notice (docs/scaling.md "Faults"):
 *
 * - the broker goes away and comes back on the same storage: gateways and clients say
 *   "upstream lost" meanwhile, the ingest holds what it could not publish, and afterwards every
 *   client's stream carries on without a hole — the ticks of the outage included;
 * - the broker stays away longer than the ingest may hold: the ingest says it dropped ticks, the
 *   epoch changes, clients are told (1012, new hello epoch) and start again from fresh snapshots;
 * - a gateway freezes (SIGSTOP) past its upstream lag limit: it resynchronises, its clients resume
 *   without a hole, and its memory stays bounded.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import type { GapEvent, SnapshotEvent } from '../../lib/client/events';
import type { StatusMessage } from '../../lib/protocol/messages';
import { startNatsServer, type NatsServer } from '../support/nats-server';
import { health, startGateway, startIngest, type RoleProcess } from '../support/scaled';

const servers: NatsServer[] = [];
const procs: RoleProcess[] = [];
const clients: FeedClient[] = [];
const frozen: number[] = [];

afterEach(async () => {
  for (const pid of frozen.splice(0)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  for (const c of clients.splice(0)) c.close();
  await Promise.all(procs.splice(0).map((p) => p.stop()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

interface GatewayHealthJson {
  status: string;
  epoch: number;
  upstream: { state: string; resyncs: number; epochChanges: number };
  adapters: { venue: string; state: string }[];
}
interface IngestHealthJson {
  epoch: number;
  publisher: { unpublished: number; droppedTicks: number; publishedTicks: number };
}

async function natsServer(): Promise<NatsServer> {
  const s = await startNatsServer();
  servers.push(s);
  return s;
}

/**
 * A FeedClient subscribed to every instrument, recording what its consumer sees: per instrument,
 * runs of tick seqs (a fresh snapshot starts a new run, a recovered one continues the run), and
 * every status, gap, close and hello.
 */
interface Watcher {
  readonly client: FeedClient;
  readonly runs: Map<number, number[][]>;
  readonly freshAfterFirst: SnapshotEvent[];
  readonly recoveredSnapshots: SnapshotEvent[];
  readonly gaps: GapEvent[];
  readonly statuses: StatusMessage[];
  readonly closeCodes: number[];
  readonly helloEpochs: number[];
}

async function watch(url: string, protocol: 'binary' | 'json'): Promise<Watcher> {
  const client = new FeedClient({
    url,
    protocol,
    transport: (u, p) => new WebSocket(u, p),
    reconnect: { minDelayMs: 50, maxDelayMs: 500 },
  });
  clients.push(client);
  const w: Watcher = {
    client,
    runs: new Map(),
    freshAfterFirst: [],
    recoveredSnapshots: [],
    gaps: [],
    statuses: [],
    closeCodes: [],
    helloEpochs: [],
  };
  const current = (id: number): number[] => {
    let runs = w.runs.get(id);
    if (runs === undefined) w.runs.set(id, (runs = [[]]));
    return runs[runs.length - 1] as number[];
  };
  client.on('snapshot', (s) => {
    if (s.barsOnly) return;
    if (s.recovered) {
      w.recoveredSnapshots.push(s);
      for (const u of s.updates) if (u.kind !== 'bar') current(s.instrumentId).push(u.seq);
      return;
    }
    const runs = w.runs.get(s.instrumentId);
    if (runs === undefined) w.runs.set(s.instrumentId, [[s.seq]]);
    else {
      w.freshAfterFirst.push(s);
      runs.push([s.seq]);
    }
  });
  client.on('batch', (b) => {
    for (const u of b.updates) if (u.kind !== 'bar') current(u.instrumentId).push(u.seq);
  });
  client.on('gap', (g) => w.gaps.push(g));
  client.on('status', (s) => w.statuses.push(s));
  client.on('hello', (h) => w.helloEpochs.push(h.epoch));
  client.on('state', (s) => {
    if (s.closeCode !== undefined) w.closeCodes.push(s.closeCode);
  });
  client.connect();
  await client.subscribe('all', 0);
  return w;
}

/** Last seq the watcher saw of each instrument. */
function lastSeqs(w: Watcher): Map<number, number> {
  const out = new Map<number, number>();
  for (const [id, runs] of w.runs) {
    const run = runs[runs.length - 1] as number[];
    if (run.length > 0) out.set(id, run[run.length - 1] as number);
  }
  return out;
}

/** Throws naming the first hole or duplicate in any run of any instrument. */
function expectRunsConsecutive(w: Watcher, label: string): void {
  for (const [id, runs] of w.runs) {
    for (const run of runs) {
      for (let i = 1; i < run.length; i++) {
        if (run[i] !== (run[i - 1] as number) + 1) {
          throw new Error(`${label}: instrument ${id} goes ${run[i - 1]} -> ${run[i]} (${run.slice(Math.max(0, i - 3), i + 3).join(',')})`);
        }
      }
    }
  }
}

/** Every watcher holds `count` instruments and has seen each advance past `after` (by instrument). */
async function advancedPast(
  watchers: readonly Watcher[],
  after: readonly Map<number, number>[],
  by: number,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitUntil(
    () =>
      watchers.every((w, i) => {
        const seen = lastSeqs(w);
        const before = after[i] as Map<number, number>;
        return before.size > 0 && [...before].every(([id, seq]) => (seen.get(id) ?? 0) >= seq + by);
      }),
    timeoutMs,
    what,
  );
}

const venuesIn = (s: StatusMessage | undefined): string[] => (s?.venues ?? []).map((v) => v.state);

describe('scaled deployment faults', () => {
  it('the broker stops for 10 s and restarts on its storage: "upstream lost" meanwhile, then every client carries on without a hole', async () => {
    const nats = await natsServer();
    const ingest = await startIngest(nats.url, ['--instruments', '3', '--rate', '20']);
    procs.push(ingest);
    const gateways = await Promise.all([startGateway(nats.url), startGateway(nats.url)]);
    procs.push(...gateways);
    const watchers = await Promise.all(gateways.flatMap((g) => [watch(g.url, 'binary'), watch(g.url, 'json')]));
    await waitUntil(
      () => watchers.every((w) => w.runs.size === 3 && [...lastSeqs(w).values()].every((s) => s > 5)),
      15_000,
      'live ticks on every client',
    );

    const before = watchers.map(lastSeqs);
    await nats.stop();
    const stoppedAt = Date.now();

    // While it is down: gateways and clients say so; the ingest keeps what it could not publish.
    for (const g of gateways) {
      await waitUntil(
        async () => (await health<GatewayHealthJson>(g.healthUrl)).upstream.state === 'lost',
        5000,
        'gateway /healthz upstream lost',
      );
      const h = await health<GatewayHealthJson>(g.healthUrl);
      expect(h.status).toBe('degraded');
      expect(h.adapters.map((a) => a.state)).toEqual(['upstream_lost']);
    }
    await waitUntil(
      () => watchers.every((w) => venuesIn(w.statuses.at(-1)).join() === 'upstream_lost'),
      5000,
      'clients told upstream_lost',
    );
    const early = (await health<IngestHealthJson>(ingest.healthUrl)).publisher.unpublished;
    await sleep(Math.max(0, stoppedAt + 8000 - Date.now()));
    const late = (await health<IngestHealthJson>(ingest.healthUrl)).publisher.unpublished;
    expect(early).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(early);
    await sleep(Math.max(0, stoppedAt + 10_000 - Date.now()));

    // Back on the same storage and port: every part reconnects by itself.
    await nats.restart();
    for (const g of gateways) {
      await waitUntil(
        async () => {
          const h = await health<GatewayHealthJson>(g.healthUrl);
          return h.upstream.state === 'connected' && h.status === 'ok';
        },
        15_000,
        'gateway /healthz connected and ok again',
      );
    }
    await waitUntil(
      async () => (await health<IngestHealthJson>(ingest.healthUrl)).publisher.unpublished === 0,
      15_000,
      'ingest published its backlog',
    );
    await waitUntil(() => watchers.every((w) => venuesIn(w.statuses.at(-1)).join() === 'live'), 5000, 'clients told live again');
    await advancedPast(watchers, before, 100, 20_000, 'every client past the outage').catch((error: unknown) => {
      const seen = watchers.map(
        (w, i) =>
          `client ${i}: before ${JSON.stringify([...(before[i] ?? [])])} now ${JSON.stringify([...lastSeqs(w)])} state ${w.client.state} closes ${w.closeCodes.join()}`,
      );
      const logs = gateways.map((g) =>
        g.logs
          .filter((l) => l.level !== 'debug')
          .slice(-15)
          .map((l) => JSON.stringify(l))
          .join('\n'),
      );
      throw new Error(
        `${String(error)}\n${seen.join('\n')}\n${logs.join('\n---\n')}\ningest:\n${ingest.logs
          .slice(-15)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
    });

    const ingestHealth = await health<IngestHealthJson>(ingest.healthUrl);
    expect(ingestHealth.publisher.droppedTicks).toBe(0);
    watchers.forEach((w, i) => {
      const label = `client ${i} (${w.client.url})`;
      expect(w.gaps, label).toEqual([]);
      expectRunsConsecutive(w, label);
      // Nothing silently restarted: one run per instrument, and it holds the tick after the last one seen before the stop.
      expect(
        w.freshAfterFirst.map((s) => s.instrumentId),
        label,
      ).toEqual([]);
      for (const [id, seq] of before[i] as Map<number, number>) {
        const runs = w.runs.get(id) as number[][];
        expect(runs).toHaveLength(1);
        expect(runs[0], `${label} instrument ${id}`).toContain(seq + 1);
      }
    });
  }, 80_000);

  it('the broker stays away past --max-unpublished: the ingest says it dropped ticks, the epoch changes, clients get 1012 and start again from fresh snapshots', async () => {
    const nats = await natsServer();
    const ingest = await startIngest(nats.url, ['--instruments', '3', '--rate', '20', '--max-unpublished', '50']);
    procs.push(ingest);
    const gateways = await Promise.all([startGateway(nats.url), startGateway(nats.url)]);
    procs.push(...gateways);
    const watchers = await Promise.all(gateways.map((g, i) => watch(g.url, i === 0 ? 'binary' : 'json')));
    await waitUntil(
      () => watchers.every((w) => w.runs.size === 3 && [...lastSeqs(w).values()].every((s) => s > 5)),
      15_000,
      'live ticks on every client',
    );
    const oldEpoch = (await health<GatewayHealthJson>(gateways[0]!.healthUrl)).epoch;
    expect(watchers.map((w) => w.helloEpochs)).toEqual([[oldEpoch], [oldEpoch]]);

    await nats.stop();
    const dropped = await ingest.waitForLog(
      (l) => l.msg === 'unpublished ticks over the bound: dropped, and a new epoch tells every client to resync',
      8000,
    );
    expect(dropped).toMatchObject({ bound: 50, oldEpoch });
    await sleep(5000);
    await nats.restart();

    // Every gateway moves to the ingest's new epoch; every client is told (1012) and says hello again in it.
    let newEpoch = 0;
    await waitUntil(
      async () => {
        newEpoch = (await health<IngestHealthJson>(ingest.healthUrl)).epoch;
        const epochs = await Promise.all(gateways.map(async (g) => (await health<GatewayHealthJson>(g.healthUrl)).epoch));
        return newEpoch !== oldEpoch && epochs.every((e) => e === newEpoch);
      },
      20_000,
      'gateways in the new epoch',
    );
    await waitUntil(() => watchers.every((w) => w.helloEpochs.at(-1) === newEpoch), 15_000, 'clients say hello in the new epoch');
    // Then fresh snapshots (recovered: false) of every instrument, and the stream runs on from them.
    await waitUntil(
      () => watchers.every((w) => new Set(w.freshAfterFirst.map((s) => s.instrumentId)).size === 3),
      15_000,
      'fresh snapshots',
    );
    const atFresh = watchers.map(lastSeqs);
    await advancedPast(watchers, atFresh, 10, 15_000, 'ticks after the fresh snapshots');
    watchers.forEach((w, i) => {
      const label = `client ${i}`;
      expect(w.closeCodes, label).toContain(1012);
      // One outage, one new epoch: not one per overflow while the broker was away.
      expect([...new Set(w.helloEpochs)], label).toEqual([oldEpoch, newEpoch]);
      expect(
        w.recoveredSnapshots.filter((s) => s.recovered),
        label,
      ).toEqual([]);
      expect(w.gaps, label).toEqual([]);
      expectRunsConsecutive(w, label);
    });
    const h = await health<IngestHealthJson>(ingest.healthUrl);
    expect(h.publisher.droppedTicks).toBeGreaterThan(0);
    for (const g of gateways) expect((await health<GatewayHealthJson>(g.healthUrl)).upstream.epochChanges).toBe(1);
    // The new epoch is the deployment's: a gateway started now says hello in it.
    const late = await startGateway(nats.url);
    procs.push(late);
    expect((await health<GatewayHealthJson>(late.healthUrl)).epoch).toBe(newEpoch);
  }, 80_000);

  it('a gateway frozen (SIGSTOP) past --max-upstream-lag-ms resynchronises: its clients resume without a hole and its memory stays bounded', async () => {
    const nats = await natsServer();
    const ingest = await startIngest(nats.url, ['--instruments', '5', '--rate', '200']);
    procs.push(ingest);
    const gateway = await startGateway(nats.url, ['--max-upstream-lag-ms', '2000', '--heartbeat-ms', '5000']);
    procs.push(gateway);
    const watchers = await Promise.all([watch(gateway.url, 'binary'), watch(gateway.url, 'json')]);
    await waitUntil(
      () => watchers.every((w) => w.runs.size === 5 && [...lastSeqs(w).values()].every((s) => s > 50)),
      15_000,
      'live ticks on every client',
    );
    await sleep(1000);
    const rssBefore = rssBytes(gateway.pid);

    process.kill(gateway.pid, 'SIGSTOP');
    frozen.push(gateway.pid);
    try {
      await sleep(5000);
    } finally {
      process.kill(gateway.pid, 'SIGCONT');
      frozen.splice(frozen.indexOf(gateway.pid), 1);
    }
    const before = watchers.map(lastSeqs);
    await gateway.waitForLog((l) => l.msg === 'instrument resynchronised' && /behind the stream/.test(String(l.reason)), 10_000);
    await advancedPast(watchers, before, 200, 20_000, 'every client live again after the freeze');
    const rssAfter = rssBytes(gateway.pid);

    watchers.forEach((w, i) => {
      const label = `client ${i}`;
      expect(w.gaps, label).toEqual([]);
      expectRunsConsecutive(w, label);
      // Resumed, not restarted: 1012, then recovered snapshots that continue each run.
      expect(w.closeCodes, label).toContain(1012);
      expect(w.recoveredSnapshots.length, label).toBeGreaterThan(0);
      expect(w.freshAfterFirst, label).toEqual([]);
    });
    expect(rssAfter).toBeLessThan(2 * rssBefore + 50 * 1024 * 1024);
  }, 80_000);
});

/** Resident set size of a process, bytes (Linux /proc). */
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}
