/**
 * Real processes for the end-to-end tests: the feed service (`server/cli/feed.ts`) and the built
 * dashboard (`next start`), each on a free 127.0.0.1 port, stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** How long a process may take to become ready (ms); `next start` on a busy 2-core box is slow. */
export const READY_TIMEOUT_MS = 60_000;
/** Grace period after SIGTERM before SIGKILL (ms). */
export const STOP_GRACE_MS = 5_000;

/** A free TCP port on 127.0.0.1 (the OS picks it; it is released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once('error', () => resolveAnswer(false));
  });
}

/** Polls `url` until it answers (any HTTP status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited with ${child.exitCode} before it was ready`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Stops a child by PID: SIGTERM, then SIGKILL after {@link STOP_GRACE_MS}. Resolves once it exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Options of {@link startFeed}. */
export interface FeedProcessOptions {
  readonly port: number;
  readonly instruments?: number;
  /** Updates per second per instrument. */
  readonly rate?: number;
  readonly seed?: number;
  /** Simulator activity bursts. @defaultValue true */
  readonly bursts?: boolean;
  /** Browser origins the gateway accepts besides localhost ones (`--allow-origin`). */
  readonly allowOrigins?: readonly string[];
  /** More command-line arguments, e.g. `--adapter` flags (then name `simulated` too to keep it). */
  readonly extraArgs?: readonly string[];
}

/** A running feed service. */
export interface FeedProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real feed service CLI with the simulator and waits for /healthz. */
export async function startFeed(options: FeedProcessOptions): Promise<FeedProcess> {
  const args = [
    '--import',
    'tsx',
    'server/cli/feed.ts',
    '--port',
    String(options.port),
    '--host',
    '127.0.0.1',
    '--seed',
    String(options.seed ?? 1),
    '--instruments',
    String(options.instruments ?? 20),
    '--rate',
    String(options.rate ?? 20),
    '--log-level',
    'warn',
    ...(options.bursts === false ? ['--no-bursts'] : []),
    ...(options.allowOrigins ?? []).flatMap((origin) => ['--allow-origin', origin]),
    ...(options.extraArgs ?? []),
  ];
  // Relative paths in extraArgs (--adapter ./tests/...) are written from the package root. The CLI
  // resolves them against INIT_CWD, the folder npm was run in, so that is dropped: run from a
  // subfolder, `npm run test:e2e` would otherwise look for them there.
  const { INIT_CWD: _npmFolder, ...env } = process.env;
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForHttp(`http://127.0.0.1:${options.port}/healthz`, child);
  return { url: `ws://127.0.0.1:${options.port}`, port: options.port, child, stop: () => stopProcess(child) };
}

/** Starts `next start` on `port` (the build must exist), with `env` added. */
export async function startDashboard(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const child = spawn(process.execPath, [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHttp(`http://127.0.0.1:${port}/`, child);
  return child;
}

/** Runs `next build` and resolves when it succeeded. */
export function buildDashboard(): Promise<void> {
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('exit', (code) => (code === 0 ? resolveBuild() : reject(new Error(`next build failed with ${code}`))));
  });
}
