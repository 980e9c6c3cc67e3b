/**
 * Misbehaving adapters (NaN prices, a throw from a timer, silence, a start that fails) run next to
 * the simulator in a real `npm run feed` process: each is contained (counted, logged once per
 * kind, restarted with backoff) while the simulator keeps streaming to a connected client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import type { StatusMessage } from '../../lib/protocol/messages';
import { feedUrl, killAll, runCli, waitFor } from './adapters-support';

const BAD = './tests/unit/adapters/fixtures/misbehaving-adapter.ts';
const clients: FeedClient[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  killAll();
});

describe('adapter containment (npm run feed)', () => {
  it('keeps streaming the good adapter while bad ones are counted, logged once, and restarted', async () => {
    const bad = (mode: string, venue: string) => ['--adapter', BAD, '--adapter-opt', `mode=${mode}`, '--adapter-opt', `venue=${venue}`];
    const run = runCli('server/cli/feed.ts', [
      '--port',
      '0',
      '--flush-ms',
      '20',
      '--adapter',
      'simulated',
      '--adapter-opt',
      'instruments=3',
      '--adapter-opt',
      'ratePerInstrument=60',
      ...bad('nan', 'NANS'),
      ...bad('throw-in-timer', 'THROWS'),
      ...bad('silent', 'SILENT'),
      ...bad('throw-on-start', 'NOSTART'),
      '--stale-after-ms',
      '300',
      '--restart-after-silent-ms',
      '700',
      '--restart-min-ms',
      '100',
      '--restart-max-ms',
      '400',
    ]);
    const url = await feedUrl(run);
    const client = new FeedClient({
      url,
      transport: (u, protocols) => new WebSocket(u, protocols),
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    });
    clients.push(client);
    const seqs: number[] = [];
    const states = new Map<string, Set<string>>();
    client.on('status', (message: StatusMessage) => {
      for (const v of message.venues) {
        if (!states.has(v.venue)) states.set(v.venue, new Set());
        states.get(v.venue)?.add(v.state);
      }
    });
    client.on('snapshot', (s) => seqs.push(s.seq));
    client.on('batch', (b) => {
      for (const u of b.updates) if (u.kind !== 'bar') seqs.push(u.seq);
    });
    client.connect();
    await client.subscribe(['BTC-USD']); // bare name of SIM:BTC-USD
    const healthUrl = `${url.replace('ws://', 'http://')}/healthz`;
    type Report = {
      venue: string;
      state: string;
      reason: string;
      restarts?: number;
      lastError?: string;
      rejected?: Record<string, number>;
    };
    let adapters: Report[] = [];
    const byVenue = (venue: string) => adapters.find((a) => a.venue === venue);
    await waitFor(() => seqs.length > 60, 10_000, 'live updates from the simulator');
    await waitFor(
      () => {
        void fetch(healthUrl)
          .then(async (r) => (adapters = ((await r.json()) as { adapters: Report[] }).adapters))
          .catch(() => {});
        return (
          (byVenue('THROWS')?.restarts ?? 0) >= 1 &&
          (byVenue('SILENT')?.restarts ?? 0) >= 1 &&
          (byVenue('NANS')?.rejected?.['bad-price'] ?? 0) >= 10
        );
      },
      10_000,
      'restarts and rejections on /healthz',
    );
    const before = seqs.length;
    await waitFor(() => seqs.length > before + 30, 5000, 'more updates while the bad adapters misbehave');

    // The good stream never broke: consecutive sequence numbers from the snapshot on.
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    expect(byVenue('SIM')).toMatchObject({ state: 'live', restarts: 0, rejected: {} });
    expect(byVenue('NANS')).toMatchObject({ restarts: 0 });
    expect(byVenue('THROWS')?.lastError).toBe('crashed: bug in the adapter timer');
    expect(byVenue('SILENT')?.lastError).toMatch(/^no data for \d s$/);
    expect(byVenue('NOSTART')).toMatchObject({
      state: 'down',
      reason: expect.stringMatching(/^failed to start: cannot reach the source; restarting in \d s$/),
    });
    // The dashboard hears about it through the protocol's status messages.
    expect(states.get('SILENT')).toContain('stale');
    expect(states.get('NOSTART')).toContain('down');
    // Hundreds of NaN prices, one log line with an example.
    const nanLines = run.logs().filter((l) => l.msg === 'rejected update from adapter' && l.venue === 'NANS');
    expect(nanLines).toHaveLength(1);
    expect(nanLines[0]).toMatchObject({ reason: 'bad-price', example: { price: 'NaN' } });
    expect(run.logs().filter((l) => l.msg === 'adapter error caught outside its calls').length).toBeGreaterThanOrEqual(1);
    expect(run.child.exitCode).toBeNull();

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('exits 2 naming the problem when an adapter cannot be built', async () => {
    const run = runCli('server/cli/feed.ts', ['--port', '0', '--adapter', BAD, '--adapter-opt', 'mode=bogus']);
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(/adapter setup failed: misbehaving option mode must be one of/);
    const twice = runCli('server/cli/feed.ts', [
      '--port',
      '0',
      '--adapter',
      'simulated',
      '--adapter',
      'replay',
      '--adapter-opt',
      'venue=SIM',
    ]);
    expect(await twice.exited).toBe(2);
    expect(twice.err()).toMatch(/two adapters on venue SIM \(simulated and replay\)/);
  });
});
