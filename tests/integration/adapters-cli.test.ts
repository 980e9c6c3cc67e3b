/**
 * Adapters as a user runs them: the docs/adapters.md example loaded with one flag, `npm run record`
 * replaying the bundled sample, and instrument names across two venues.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import { ServerRequestError } from '../../lib/client/errors';
import { ErrorCode } from '../../lib/protocol';
import { SAMPLE_RECORDING } from '../../server/adapters/replay';
import { SimulatedAdapter } from '../../server/adapters/simulated';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from '../support/feed';
import { feedUrl, killAll, ROOT, runCli, waitFor } from './adapters-support';

const dir = mkdtempSync(join(tmpdir(), 'tickwire-adapters-'));
const clients: FeedClient[] = [];
const services: FeedService[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  killAll();
  await Promise.all(services.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function client(url: string): FeedClient {
  const c = new FeedClient({
    url,
    transport: (u, protocols) => new WebSocket(u, protocols),
    reconnect: { minDelayMs: 20, maxDelayMs: 200 },
  });
  clients.push(c);
  return c;
}

describe('the docs/adapters.md example', () => {
  const EXAMPLE = 'server/adapters/examples/sine-wave.ts';

  it('is printed in the guide exactly as the file that runs', () => {
    const guide = readFileSync(join(ROOT, 'docs/adapters.md'), 'utf8');
    const block = /## A complete example[\s\S]*?```ts\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block).toBe(readFileSync(join(ROOT, EXAMPLE), 'utf8'));
  });

  it('streams to a client with one --adapter flag, renamed by --symbol-map', async () => {
    const run = runCli('server/cli/feed.ts', [
      '--port',
      '0',
      '--adapter',
      `./${EXAMPLE}`,
      '--adapter-opt',
      'symbols=ALPHA,BETA',
      '--adapter-opt',
      'intervalMs=20',
      '--symbol-map',
      'WAVE:ALPHA=ALPHA-USD',
    ]);
    const url = await feedUrl(run);
    const c = client(url);
    const trades: { symbol: string; price: string }[] = [];
    c.on('batch', (b) => {
      for (const u of b.updates) {
        if (u.kind !== 'trade') continue;
        const instrument = c.instruments.get(u.instrumentId);
        if (instrument) trades.push({ symbol: instrument.symbol, price: c.instruments.formatPrice(u.instrumentId, u.price) ?? '' });
      }
    });
    c.connect();
    await c.subscribe(['WAVE:ALPHA-USD', 'BETA']);
    await waitFor(() => new Set(trades.map((t) => t.symbol)).size === 2 && trades.length > 10, 10_000, 'trades of both symbols');
    expect([...c.instruments.byId.values()].map((i) => i.symbol).sort()).toEqual(['WAVE:ALPHA-USD', 'WAVE:BETA']);
    expect(trades.every((t) => /^\d+\.\d\d$/.test(t.price))).toBe(true);
    const health = (await (await fetch(`${url.replace('ws://', 'http://')}/healthz`)).json()) as { status: string; adapters: unknown[] };
    expect(health.status).toBe('ok');
    expect(health.adapters).toEqual([
      expect.objectContaining({ venue: 'WAVE', state: 'live', adapter: 'sine-wave', restarts: 0, rejected: {} }),
    ]);
  });
});

describe('npm run record', () => {
  it('records a replay of the bundled sample that matches the sample line for line', async () => {
    const out = join(dir, 'again.ndjson');
    const run = runCli('server/cli/record.ts', [
      '--adapter',
      'replay',
      '--adapter-opt',
      'speed=1000',
      '--adapter-opt',
      'venue=SIM',
      '--out',
      out,
      '--log-level',
      'warn',
    ]);
    expect(await run.exited).toBe(0);
    expect(run.err()).toMatch(/recorded \d+ ticks in [\d.]+ s to .*again\.ndjson \(every adapter finished\)/);
    const strip = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => {
          const { time: _time, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return rest;
        });
    const original = strip(readFileSync(SAMPLE_RECORDING, 'utf8'));
    const again = strip(readFileSync(out, 'utf8'));
    expect(again.length).toBe(original.length);
    expect(again).toEqual(original);
  });

  it('stops after --seconds and writes a simulated stream replay can read', async () => {
    const out = join(dir, 'sim.ndjson');
    const run = runCli('server/cli/record.ts', [
      '--adapter',
      'simulated',
      '--adapter-opt',
      'instruments=2',
      '--adapter-opt',
      'ratePerInstrument=50',
      '--out',
      out,
      '--seconds',
      '0.5',
      '--log-level',
      'warn',
    ]);
    expect(await run.exited).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; symbol: string });
    expect(lines.filter((l) => l.type === 'instrument').map((l) => l.symbol)).toEqual(['SIM:BTC-USD', 'SIM:ETH-USD']);
    expect(lines.length).toBeGreaterThan(20);
  });

  it('exits 2 on a --max-ticks that is not a whole number, which it could never reach', async () => {
    const run = runCli('server/cli/record.ts', [
      '--adapter',
      'simulated',
      '--out',
      join(dir, 'never.ndjson'),
      '--max-ticks',
      '2.5',
      '--seconds',
      '20',
    ]);
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(/--max-ticks must be a positive integer, got "2.5"/);
  });

  it('exits 2 naming the problem, without a stack trace, on a venue name the normaliser refuses', async () => {
    const run = runCli('server/cli/record.ts', [
      '--adapter',
      'simulated',
      '--adapter-opt',
      'venue=bad:venue',
      '--out',
      join(dir, 'never.ndjson'),
      '--seconds',
      '20',
    ]);
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(/adapter venue "bad:venue" may only hold letters/);
    expect(run.err()).not.toMatch(/\n\s+at /);
  });

  it('exits 2 without --out', async () => {
    const run = runCli('server/cli/record.ts', ['--adapter', 'simulated']);
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(/--out <file\|-> is required/);
  });
});

describe('instrument names across venues', () => {
  it('accepts full names and unique bare symbols, and refuses an ambiguous bare symbol naming the candidates', async () => {
    const service = await startTestFeed({
      adapters: [
        new SimulatedAdapter({ instruments: 3, ratePerInstrument: 20 }),
        new SimulatedAdapter({ venue: 'ALT', instruments: 2, ratePerInstrument: 20 }),
      ],
    });
    services.push(service);
    expect(service.bus.instruments().map((i) => i.symbol)).toEqual([
      'SIM:BTC-USD',
      'SIM:ETH-USD',
      'SIM:SOL-USD',
      'ALT:BTC-USD',
      'ALT:ETH-USD',
    ]);
    const c = client(service.url);
    const snapshots: string[] = [];
    c.on('snapshot', (s) => snapshots.push(s.instrument?.symbol ?? '?'));
    c.connect();
    const refused = await c.subscribe(['BTC-USD']).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServerRequestError);
    expect(refused).toMatchObject({ code: ErrorCode.UnknownInstrument });
    expect((refused as Error).message).toMatch(/Ambiguous instrument\(s\), name the venue: BTC-USD \(SIM:BTC-USD or ALT:BTC-USD\)/);
    await c.subscribe(['SOL-USD', 'ALT:BTC-USD']);
    await waitFor(() => snapshots.length === 2, 5000, 'two snapshots');
    expect(snapshots.sort()).toEqual(['ALT:BTC-USD', 'SIM:SOL-USD']);
    let live = 0;
    c.on('batch', (b) => (live += b.updates.length));
    await waitFor(() => live > 10, 5000, 'live updates for the bare-named subscription');
    expect(c.subscriptions().symbols.has('SOL-USD')).toBe(true);
  });
});
