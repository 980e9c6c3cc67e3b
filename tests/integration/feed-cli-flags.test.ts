/**
 * `npm run feed` flags and environment as an operator gives them: blank values and numbers past
 * what the service can honour are refused or defaulted, never silently turned into something else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DUPLICATE_SIGNAL_MS } from '../../server/shutdown-signals';
import { feedUrl, killAll, runCli, waitFor } from './adapters-support';

afterEach(() => killAll());

/** An adapter whose stop never settles, so a shutdown takes the supervisor's whole stop timeout (5 s). */
const dir = mkdtempSync(join(tmpdir(), 'tickwire-cli-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HUNG_STOP = join(dir, 'hung-stop.ts');
writeFileSync(
  HUNG_STOP,
  `export default class HungStop {
  name = 'hung-stop';
  venue = 'HUNG';
  async start(sink) { sink.instruments([{ symbol: 'X', priceDecimals: 2, sizeDecimals: 0 }]); sink.status('live'); }
  stop() { return new Promise(() => {}); }
}
`,
);

describe('npm run feed', () => {
  describe('environment', () => {
    it('listens on 127.0.0.1 when FEED_HOST is set but empty, not on every interface', async () => {
      const run = runCli('server/cli/feed.ts', ['--port', '0', '--log-level', 'info'], { FEED_HOST: '' });
      expect(await feedUrl(run)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  describe('signals', () => {
    it('exits at once on a second SIGINT instead of waiting out a hung adapter', async () => {
      const run = runCli('server/cli/feed.ts', ['--port', '0', '--log-level', 'info', '--adapter', HUNG_STOP]);
      await feedUrl(run);
      run.child.kill('SIGINT');
      await waitFor(() => run.logs().some((l) => l.msg === 'shutting down'), 5000, 'the shutdown to start');
      // A person's second Ctrl-C, not the echo of the first that comes within DUPLICATE_SIGNAL_MS.
      await new Promise((resolve) => setTimeout(resolve, DUPLICATE_SIGNAL_MS + 50));
      const secondAt = Date.now();
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
      expect(Date.now() - secondAt).toBeLessThan(2000);
      expect(run.logs().some((l) => l.msg === 'second signal while shutting down: exiting now')).toBe(true);
    });

    it('takes one Ctrl-C delivered twice (tsx relays it 30 ms later) as one, and still stops gracefully', async () => {
      const run = runCli('server/cli/feed.ts', ['--port', '0', '--log-level', 'info', '--adapter', HUNG_STOP]);
      await feedUrl(run);
      run.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 30));
      run.child.kill('SIGINT');
      // The graceful stop waits out the hung adapter's stop timeout (5 s), then exits 0.
      expect(await run.exited).toBe(0);
      expect(run.logs().some((l) => l.msg === 'second signal while shutting down: exiting now')).toBe(false);
    }, 15_000);
  });

  describe('flags', () => {
    it('exits 2 on --rate 0 naming the flag, not the simulator option behind it', async () => {
      const run = runCli('server/cli/feed.ts', ['--port', '0', '--rate', '0', '--log-level', 'info']);
      expect(await run.exited).toBe(2);
      expect(run.err()).toContain('--rate must be above 0 updates per second');
      expect(run.err()).not.toContain('ratePerInstrument');
    });

    it('exits 2 on a blank --port instead of listening on a random one', async () => {
      const run = runCli('server/cli/feed.ts', ['--port', '', '--log-level', 'info']);
      expect(await run.exited).toBe(2);
      expect(run.err()).toContain('--port must be a number in 0..65535, got ""');
    });

    it('exits 2 on an empty --host, which would listen on every interface', async () => {
      const run = runCli('server/cli/feed.ts', ['--port', '0', '--host', '', '--log-level', 'info']);
      expect(await run.exited).toBe(2);
      expect(run.err()).toContain('feed service option "host" must be an interface address');
    });

    it('exits 2 on a duration no timer can wait, which Node would fire after 1 ms', async () => {
      const flush = runCli('server/cli/feed.ts', ['--port', '0', '--flush-ms', '3000000000', '--log-level', 'info']);
      const restart = runCli('server/cli/feed.ts', ['--port', '0', '--restart-max-ms', '1e10', '--log-level', 'info']);
      expect(await flush.exited).toBe(2);
      expect(flush.err()).toContain('--flush-ms must be a number in 1..2147483647, got "3000000000"');
      expect(await restart.exited).toBe(2);
      expect(restart.err()).toContain('--restart-max-ms must be a number in 1..2147483647');
    });
  });
});
