/**
 * `npm start` leaves nothing behind: after `kill -9` of the launcher (which cannot clean up), the
 * Next.js dashboard it spawned stops by itself and both ports are free again. Runs the launcher's
 * dev path (`next dev`), which needs no production build.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptsConnections, freePort } from '../e2e/support/processes';
import { ROOT, waitFor } from './adapters-support';

/** Every process this test started, launcher and descendants, to SIGKILL if the test fails. */
const started = new Set<number>();

afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
});

/** Pids of `pid`'s descendants, from `ps`. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  it('frees the dashboard and feed ports within seconds of kill -9 of the launcher', async () => {
    const dashboardPort = await freePort();
    const { INIT_CWD: _npmFolder, ...env } = process.env;
    const launcher: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/cli/launch.ts', '--dev', '--port', String(dashboardPort), '--hostname', '127.0.0.1', '--feed-port', '0'],
      { cwd: ROOT, env: { ...env, TICKWIRE_LOG_LEVEL: 'info' } },
    );
    started.add(launcher.pid as number);
    let stderr = '';
    launcher.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    launcher.stdout.resume();

    let feedPort = 0;
    await waitFor(
      () => {
        if (launcher.exitCode !== null) throw new Error(`launcher exited ${launcher.exitCode}: ${stderr}`);
        const match = /"msg":"dashboard starting".*"feed":"ws:\/\/127\.0\.0\.1:(\d+)"/.exec(stderr);
        feedPort = match ? Number(match[1]) : 0;
        return feedPort > 0;
      },
      30_000,
      'the launcher to start the feed and the dashboard',
    );
    await waitUntil(() => acceptsConnections(dashboardPort), 30_000, 'next dev to listen');
    expect(await acceptsConnections(feedPort)).toBe(true);
    const children = descendants(launcher.pid as number);
    for (const pid of children) started.add(pid);
    expect(children.length).toBeGreaterThan(0);

    launcher.kill('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(
      async () => !(await acceptsConnections(dashboardPort)) && !(await acceptsConnections(feedPort)),
      5_000,
      'both ports to be freed',
    );
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    // And no process of the launcher's is left running.
    await waitFor(() => children.every((pid) => !alive(pid)), 5_000, 'the dashboard processes to exit');
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
