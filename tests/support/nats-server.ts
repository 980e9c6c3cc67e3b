/**
 * A real `nats-server` with JetStream for integration tests: listens on 127.0.0.1 on a free port,
 * stores in its own temporary directory, and is stopped by its own PID. `restart()` keeps the
 * storage directory and the port (for broker-fault tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { acceptsConnections, freePort } from '../e2e/support/processes';

/** How long to wait for the server to accept connections, ms. */
const START_TIMEOUT_MS = 10_000;
/** How long SIGTERM has before SIGKILL, ms. */
const STOP_TIMEOUT_MS = 5_000;

/** A running (or stopped, for restart) nats-server. */
export interface NatsServer {
  /** Client URL, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring endpoint (`/varz`...), e.g. `http://127.0.0.1:8222`, when started with `monitor: true`. */
  readonly monitorUrl: string | undefined;
  /** JetStream storage directory (kept across `restart()`). */
  readonly storeDir: string;
  /** PID of the running server process; undefined while stopped. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after a timeout); the storage directory is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage directory (stopping it first if running). */
  restart(): Promise<void>;
  /** Stops the server and removes the storage directory. */
  dispose(): Promise<void>;
}

/** Path of the nats-server binary (PATH, then /usr/sbin). @throws Error naming how to install it. */
export function findNatsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('nats-server not found on PATH or in /usr/sbin: install it with `apt-get install -y nats-server`');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Also serve the HTTP monitoring endpoints (`-m <free port>`; /varz has the byte and message counts). @defaultValue false */
  readonly monitor?: boolean;
}

/**
 * Starts `nats-server -js -sd <tmpdir> -a 127.0.0.1 -p <free port>` (and `-m <free port>` with
 * `monitor`) and resolves once it accepts TCP connections.
 * @throws Error naming `apt-get install -y nats-server` when the binary is missing; Error with the
 * server's output when it exits or does not listen within 10 s.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = findNatsServerBinary();
  const storeDir = await mkdtemp(join(tmpdir(), 'tickwire-nats-'));
  const port = await freePort();
  const monitorPort = options.monitor === true ? await freePort() : undefined;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const monitorArgs = monitorPort === undefined ? [] : ['-m', String(monitorPort)];
    const proc = spawn(binary, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), ...monitorArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < 20_000) output += chunk.toString();
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited(proc)) throw new Error(`nats-server exited (code ${String(proc.exitCode)}) before listening:\n${output}`);
      if (await acceptsConnections(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`nats-server did not listen on port ${port} within ${START_TIMEOUT_MS} ms:\n${output}`);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || exited(proc)) return;
    proc.kill('SIGTERM');
    if (!(await waitForExit(proc, STOP_TIMEOUT_MS))) {
      proc.kill('SIGKILL');
      await waitForExit(proc, STOP_TIMEOUT_MS);
    }
  };

  try {
    await launch();
  } catch (error) {
    await stop();
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: monitorPort === undefined ? undefined : `http://127.0.0.1:${monitorPort}`,
    storeDir,
    get pid() {
      return child?.pid;
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async dispose() {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
