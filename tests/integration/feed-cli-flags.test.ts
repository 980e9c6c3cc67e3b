/**
 * `npm run feed` flags and environment as an operator gives them: blank values and numbers past
 * what the service can honour are refused or defaulted, never silently turned into something else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { feedUrl, killAll, runCli } from './adapters-support';

afterEach(() => killAll());

describe('npm run feed', () => {
  describe('environment', () => {
    it('listens on 127.0.0.1 when FEED_HOST is set but empty, not on every interface', async () => {
      const run = runCli('server/cli.ts', ['--port', '0', '--log-level', 'info'], { FEED_HOST: '' });
      expect(await feedUrl(run)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  describe('flags', () => {
    it('exits 2 on a blank --port instead of listening on a random one', async () => {
      const run = runCli('server/cli.ts', ['--port', '', '--log-level', 'info']);
      expect(await run.exited).toBe(2);
      expect(run.err()).toContain('--port must be a number in 0..65535, got ""');
    });

    it('exits 2 on an empty --host, which would listen on every interface', async () => {
      const run = runCli('server/cli.ts', ['--port', '0', '--host', '', '--log-level', 'info']);
      expect(await run.exited).toBe(2);
      expect(run.err()).toContain('feed service option "host" must be an interface address');
    });

    it('exits 2 on a duration no timer can wait, which Node would fire after 1 ms', async () => {
      const flush = runCli('server/cli.ts', ['--port', '0', '--flush-ms', '3000000000', '--log-level', 'info']);
      const restart = runCli('server/cli.ts', ['--port', '0', '--restart-max-ms', '1e10', '--log-level', 'info']);
      expect(await flush.exited).toBe(2);
      expect(flush.err()).toContain('--flush-ms must be a number in 1..2147483647, got "3000000000"');
      expect(await restart.exited).toBe(2);
      expect(restart.err()).toContain('--restart-max-ms must be a number in 1..2147483647');
    });
  });
});
