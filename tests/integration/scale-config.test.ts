/**
 * A scaled deployment started wrongly (docs/scaling.md "Faults"): every mistake a person can make
 * when wiring `npm run ingest` / `npm run gateway` to NATS ends the process within seconds with
 * exit 1 (2 for a usage error) and a message that names the fix — never a hang, never a stack trace.
 * Real processes: nats-server, ingest and gateway CLIs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptsConnections, freePort } from '../e2e/support/processes';
import { findNatsServerBinary, startNatsServer, type NatsServer } from '../support/nats-server';
import { spawnRole, startIngest, type RoleProcess } from '../support/scaled';

/**
 * How long a misconfigured process may take to give up, ms. Each gives up within about a second of
 * starting on an idle machine (the slowest waits are the 3 s connect timeout and half a lease); the
 * bound is wide because starting Node with tsx takes several seconds on a loaded 2-core machine, and
 * what it catches is a process that never exits.
 */
const EXIT_WITHIN_MS = 25_000;

const roles: RoleProcess[] = [];
const servers: NatsServer[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(roles.splice(0).map((r) => r.kill9()));
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid as number, 'SIGKILL');
      await gone;
    }
  }
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function natsServer(): Promise<NatsServer> {
  const server = await startNatsServer();
  servers.push(server);
  return server;
}

/** Runs a role to its exit; fails (and kills it) when it is still running after `EXIT_WITHIN_MS`. */
async function runToExit(
  cli: 'ingest' | 'gateway',
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | string; stderr: string; ms: number }> {
  const started = Date.now();
  const proc = spawnRole(cli, args, { NATS_URL: '', ...env });
  roles.push(proc);
  const code = await Promise.race([proc.exited(), new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), EXIT_WITHIN_MS))]);
  if (code === 'hung') {
    await proc.kill9();
    throw new Error(`npm run ${cli} ${args.join(' ')} was still running after ${EXIT_WITHIN_MS} ms; stderr:\n${proc.stderr()}`);
  }
  return { code, stderr: proc.stderr(), ms: Date.now() - started };
}

/** A 127.0.0.1 port nothing listens on. */
async function deadNatsUrl(): Promise<string> {
  return `nats://127.0.0.1:${await freePort()}`;
}

/** `nats-server` without -js, stopped by its PID in afterEach. */
async function natsWithoutJetStream(): Promise<string> {
  const port = await freePort();
  const child = spawn(findNatsServerBinary(), ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  children.push(child);
  const deadline = Date.now() + 10_000;
  while (!(await acceptsConnections(port))) {
    if (Date.now() > deadline) throw new Error('nats-server without -js did not listen');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return `nats://127.0.0.1:${port}`;
}

/** A stack trace in stderr means the person got our internals instead of the fix. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('a scaled deployment started wrongly', { timeout: 60_000 }, () => {
  it.each(['ingest', 'gateway'] as const)(
    'npm run %s with --nats where nothing listens: names the address and how to start a server, exit 1',
    async (cli) => {
      const url = await deadNatsUrl();
      const args = cli === 'gateway' ? ['--nats', url, '--port', '0'] : ['--nats', url, '--port', '0', '--instruments', '1'];
      const { code, stderr } = await runToExit(cli, args);
      expect(code).toBe(1);
      expect(stderr).toContain(`${cli} failed to start: cannot reach NATS at ${url}`);
      expect(stderr).toMatch(/Start a server with JetStream \(`nats-server -js -sd <dir>`\) or pass its address with --nats \/ NATS_URL/);
      expectNoStack(stderr);
    },
  );

  it.each(['ingest', 'gateway'] as const)(
    'npm run %s against a nats-server without JetStream: says to start it with -js, exit 1',
    async (cli) => {
      const url = await natsWithoutJetStream();
      const { code, stderr } = await runToExit(cli, ['--nats', url, '--port', '0']);
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`NATS at ${url} has no JetStream.*: start nats-server with -js`));
      expectNoStack(stderr);
    },
  );

  it('an ingest whose --max-age-ms differs from the existing stream: names both values, how to delete it, and the flags to match, exit 1', async () => {
    const server = await natsServer();
    const first = await startIngest(server.url, ['--instruments', '1', '--rate', '5', '--max-age-ms', '3600000']);
    roles.push(first);
    await first.stop();
    const { code, stderr } = await runToExit('ingest', [
      '--nats',
      server.url,
      '--port',
      '0',
      '--instruments',
      '1',
      '--max-age-ms',
      '60000',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'NATS stream "TICKWIRE_TICKS" exists with incompatible max age: it has 3600000 ms, this process needs 60000 ms',
    );
    expect(stderr).toContain('delete it (`nats stream rm TICKWIRE_TICKS`), or start every Tickwire process with matching');
    expect(stderr).toContain('--max-age-ms');
    expectNoStack(stderr);
  });

  it('a gateway on a fresh nats-server before any ingest: says to start an ingest first, exit 1', async () => {
    const server = await natsServer();
    const { code, stderr } = await runToExit('gateway', ['--nats', server.url, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('NATS stream "TICKWIRE_TICKS" does not exist');
    expect(stderr).toContain('start an ingest first (npm run ingest -- --nats ...)');
    expectNoStack(stderr);
  });

  it('a second ingest with other venues than the active one: names both venue lists and says a standby must run the same adapters, exit 1', async () => {
    const server = await natsServer();
    const active = await startIngest(server.url, ['--instruments', '1', '--rate', '5']);
    roles.push(active);
    const { code, stderr } = await runToExit('ingest', [
      '--nats',
      server.url,
      '--port',
      '0',
      '--adapter',
      'simulated',
      '--adapter-opt',
      'venue=SIM2',
      '--instruments',
      '1',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/holds the lease of this deployment and publishes venues \[SIM\]; this ingest runs \[SIM2\]/);
    expect(stderr).toContain('A standby must run the same adapters');
    expectNoStack(stderr);
    // The active ingest is untouched.
    expect(active.child.exitCode).toBeNull();
  });

  it.each(['ingest', 'gateway'] as const)('npm run %s without --nats or NATS_URL: a usage error naming both, exit 2', async (cli) => {
    const { code, stderr } = await runToExit(cli, ['--port', '0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--nats <url> \(or NATS_URL\) is required/);
    expect(stderr).toContain('Run with --help for usage.');
  });
});
