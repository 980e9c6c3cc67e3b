/**
 * `npm run tail` as a user runs it: a real process against the real feed service.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedService } from '../../server/feed-service';
import { SimulatedAdapter } from '../../server/adapters/simulated';
import { startTestFeed } from '../support/feed';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const services: FeedService[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(services.splice(0).map((s) => s.close()));
});

function tail(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/tail.ts', ...args], { cwd: ROOT });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tail CLI', () => {
  it('prints one NDJSON line per update with exact decimals and exits 0 on SIGINT', async () => {
    const service = await startTestFeed();
    services.push(service);
    const run = tail(['--url', service.url, '--interval', '1m', 'BTC-USD', 'ETH-USD']);
    await waitFor(
      () =>
        run
          .out()
          .split('\n')
          .filter((l) => l.includes('"snapshot"') === false && l.length > 0).length > 10,
      15_000,
      'live lines',
    );
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const lines = run
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const trade = lines.find((l) => l.type === 'trade')!;
    // Bare names on the command line; records carry the full VENUE:SYMBOL name.
    expect(trade).toMatchObject({
      symbol: expect.stringMatching(/^SIM:(BTC|ETH)-USD$/),
      side: expect.stringMatching(/^(buy|sell|unknown)$/),
    });
    expect(trade.price).toMatch(/^\d+\.\d+$/);
    expect(trade.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(lines.some((l) => l.type === 'bar' && l.interval === '1m')).toBe(true);
    expect(lines.some((l) => l.snapshot === true)).toBe(true);
    const control = run
      .err()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(control.some((c) => c.event === 'state' && c.state === 'connected')).toBe(true);
  });

  it('tails symbols typed in another case, as dashboard links take them', async () => {
    const service = await startTestFeed();
    services.push(service);
    const run = tail(['--url', service.url, 'btc-usd', 'sim:eth-usd']);
    await waitFor(
      () => run.out().includes('"symbol":"SIM:BTC-USD"') && run.out().includes('"symbol":"SIM:ETH-USD"'),
      15_000,
      'lines of both',
    );
    expect(run.err()).not.toMatch(/unknown symbol/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('prints --history n bars per symbol, marked "history":true, before the live stream', async () => {
    const service = await startTestFeed({ simulated: { ratePerInstrument: 200 } });
    services.push(service);
    await new Promise((r) => setTimeout(r, 2200));
    const run = tail(['--url', service.url, '--history', '2', '--interval', '1s', '--kinds', 'bar,trade', 'BTC-USD']);
    await waitFor(
      () =>
        run
          .out()
          .split('\n')
          .filter((l) => l.includes('"trade"')).length > 3,
      15_000,
      'live trades',
    );
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const lines = run
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const history = lines.filter((l) => l.history === true);
    expect(history).toHaveLength(2);
    expect(history.every((l) => l.type === 'bar' && l.symbol === 'SIM:BTC-USD' && l.interval === '1s')).toBe(true);
    expect(String(history[0]!.openTime) < String(history[1]!.openTime)).toBe(true);
    // The page comes first: every other line follows it.
    expect(lines.slice(0, 2)).toStrictEqual(history);
    expect(lines.some((l) => l.snapshot === true)).toBe(true);
    expect(run.err()).toMatch(/"event":"history","time":"[^"]+","symbol":"SIM:BTC-USD","bars":2,"more":true/);
  });

  it('names an unknown symbol on stderr and exits 1 when nothing is left to tail', async () => {
    const service = await startTestFeed();
    services.push(service);
    const run = tail(['--url', service.url, 'NOPE-USD']);
    expect(await run.exited).toBe(1);
    expect(run.err()).toMatch(/unknown symbol NOPE-USD/);
    expect(run.out()).toBe('');
  });

  it('says a bare symbol several venues list is ambiguous, naming the candidates, and tails the rest', async () => {
    const service = await startTestFeed({
      adapters: [
        new SimulatedAdapter({ instruments: 3, ratePerInstrument: 20 }),
        new SimulatedAdapter({ venue: 'ALT', instruments: 2, ratePerInstrument: 20 }),
      ],
    });
    services.push(service);
    const run = tail(['--url', service.url, 'BTC-USD', 'SOL-USD']);
    await waitFor(() => run.out().includes('"symbol":"SIM:SOL-USD"'), 15_000, 'SOL-USD lines');
    // Before: 'unknown symbol BTC-USD: the server has no such instrument', which it lists twice.
    expect(run.err()).toMatch(/ambiguous symbol BTC-USD: several venues list it, name one \(SIM:BTC-USD or ALT:BTC-USD\)/);
    expect(run.err()).not.toMatch(/no such instrument/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);

    const alone = tail(['--url', service.url, 'BTC-USD']);
    expect(await alone.exited).toBe(1);
    expect(alone.err()).toMatch(/"name":"AmbiguousInstrument","symbol":"BTC-USD","candidates":\["SIM:BTC-USD","ALT:BTC-USD"\]/);
  });

  it('exits quietly with 0 when the reader of stdout goes away (| head)', async () => {
    const service = await startTestFeed();
    services.push(service);
    const run = tail(['--url', service.url, '--all']);
    await waitFor(() => run.out().length > 0, 15_000, 'first line');
    run.child.stdout.destroy();
    expect(await run.exited).toBe(0);
    expect(run.err()).not.toMatch(/EPIPE|Error:|at .*\.ts/);
  });

  it('exits 2 naming a --url no WebSocket can open, instead of retrying it forever', async () => {
    const run = tail(['--url', 'ws://localhost:80800', 'BTC-USD']);
    const code = await Promise.race([run.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    expect(code).toBe(2);
    expect(run.err()).toMatch(/--url must be a ws:\/\/ or wss:\/\/ URL, got "ws:\/\/localhost:80800"/);
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const run = tail(['--interval', '7m', 'BTC-USD']);
    expect(await run.exited).toBe(2);
    expect(run.err()).toMatch(/--interval must be one of/);
    expect(run.err()).toMatch(/Usage: npm run tail/);
  });
});
