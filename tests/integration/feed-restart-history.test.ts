/**
 * The real feed CLI with a data folder, restarted under a connected FeedClient: a graceful stop
 * (SIGTERM) is invisible to the client (same epoch, recovered resume, no gap, every bar kept), and
 * after kill -9 the epoch changes and the bars from before the crash come back from the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import type { SnapshotEvent } from '../../lib/client/events';
import type { Bar, MarketUpdate } from '../../lib/market/types';
import { freePort } from '../e2e/support/processes';
import { spawnRole, type RoleProcess } from '../support/scaled';

const procs: RoleProcess[] = [];
const clients: FeedClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(procs.splice(0).map((p) => p.kill9()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function startFeed(port: number, dataDir: string): Promise<RoleProcess> {
  const proc = spawnRole('feed', ['--port', String(port), '--data-dir', dataDir, '--seed', '3', '--instruments', '2', '--rate', '40']);
  procs.push(proc);
  await proc.waitForLog((l) => l.msg === 'feed service listening');
  return proc;
}

/** What a chart keeps: the latest state of every 1s bar of BTC-USD, and the tick seqs in order. */
function watch(c: FeedClient) {
  const bars = new Map<number, Bar>();
  const seqs: number[] = [];
  const snapshots: SnapshotEvent[] = [];
  const ours = (id: number) => c.instruments.bySymbol('BTC-USD')?.id === id;
  const take = (u: MarketUpdate) => {
    if (!ours(u.instrumentId)) return;
    if (u.kind === 'bar') bars.set(u.openTimeUs, u);
    else if (u.kind !== 'session') seqs.push(u.seq);
  };
  c.on('snapshot', (s) => {
    if (!ours(s.instrumentId)) return;
    snapshots.push(s);
    if (!s.recovered) {
      bars.clear();
      seqs.length = 0;
      seqs.push(s.seq);
    }
    for (const u of s.updates) if (s.recovered || u.kind === 'bar') take(u);
  });
  c.on('batch', (b) => {
    for (const u of b.updates) take(u);
  });
  return { bars, seqs, snapshots };
}

function client(url: string): FeedClient {
  const c = new FeedClient({ url, transport: (u, p) => new WebSocket(u, p), reconnect: { minDelayMs: 50, maxDelayMs: 250 } });
  clients.push(c);
  return c;
}

/** A bar's market content (seq is the epoch's, so it is left out). */
const content = (b: Bar) => [b.openTimeUs, b.open, b.high, b.low, b.close, b.volume, b.tradeCount, b.vwap];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-restart-'));
  dirs.push(dir);
  return dir;
}

describe('feed CLI with --data-dir across restarts', () => {
  it('a graceful restart: same epoch, recovered resume, no gap, every bar kept', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await startFeed(port, dataDir);
    const c = client(`ws://127.0.0.1:${port}`);
    const epochs: unknown[] = [];
    c.on('epoch', (e) => epochs.push(e));
    const seen = watch(c);
    c.connect();
    await c.subscribe(['BTC-USD'], 1);
    await waitFor(() => seen.bars.size >= 4, 15_000, 'four 1s bars');
    const epoch = c.epoch;
    await first.stop();
    const before = new Map(seen.bars);
    await startFeed(port, dataDir);
    await waitFor(() => seen.snapshots.length >= 2, 20_000, 'the resume snapshot');
    expect(seen.snapshots[1]).toMatchObject({ recovered: true });
    expect(c.epoch).toBe(epoch);
    expect(epochs).toEqual([]);
    await waitFor(() => seen.seqs.length > before.size + 20, 10_000, 'live ticks after the restart');
    for (let i = 1; i < seen.seqs.length; i++) expect(seen.seqs[i]).toBe((seen.seqs[i - 1] as number) + 1);
    // Every bar closed before the stop is unchanged for the connected chart...
    const newest = Math.max(...before.keys());
    const kept = (bars: Map<number, Bar>, open: number) => {
      const bar = bars.get(open);
      if (bar === undefined) throw new Error(`no bar at ${open}; held: ${[...bars.keys()].join(',')}`);
      return content(bar);
    };
    for (const [open, bar] of before) if (open < newest) expect(kept(seen.bars, open)).toEqual(content(bar));
    // ...and a chart opened after the restart gets the same bars.
    const late = client(`ws://127.0.0.1:${port}`);
    const fresh = watch(late);
    late.connect();
    await late.subscribe(['BTC-USD'], 1);
    await waitFor(() => fresh.snapshots.length > 0, 5000, 'the late chart snapshot');
    for (const [open, bar] of before) if (open < newest) expect(kept(fresh.bars, open)).toEqual(content(bar));
  }, 60_000);

  it('after kill -9: a new epoch, and the bars from before the crash come back from the store', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await startFeed(port, dataDir);
    const c = client(`ws://127.0.0.1:${port}`);
    const epochs: { previousEpoch: number; epoch: number }[] = [];
    c.on('epoch', (e) => epochs.push(e));
    const seen = watch(c);
    c.connect();
    await c.subscribe(['BTC-USD'], 1);
    await waitFor(() => seen.bars.size >= 4, 15_000, 'four 1s bars');
    const before = new Map(seen.bars);
    // Bars closed at least one store flush (250 ms) before the crash are on disk.
    await sleep(600);
    const closedBefore = Math.max(...before.keys());
    await first.kill9();
    await startFeed(port, dataDir);
    await waitFor(() => seen.snapshots.length >= 2, 20_000, 'the snapshot in the new epoch');
    expect(epochs).toHaveLength(1);
    expect(seen.snapshots[1]).toMatchObject({ recovered: false });
    let checked = 0;
    for (const [open, bar] of before) {
      if (open >= closedBefore) continue;
      expect(content(seen.bars.get(open) as Bar)).toEqual(content(bar));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
