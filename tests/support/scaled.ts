/**
 * Real processes of a scaled deployment for integration tests (docs/scaling.md): `npm run ingest`
 * and `npm run gateway` as child processes (node --import tsx server/cli/<role>.ts), on free
 * 127.0.0.1 ports, their JSON log lines collected, stopped (or killed -9) by their own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../e2e/support/processes';

/** One JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface RoleProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every JSON line logged so far (stderr or stdout), and the raw output text. */
  readonly logs: LogLine[];
  stderr(): string;
  /** Resolves with the first log line (from the start) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code (or signal) once the process exited. */
  exited(): Promise<number | string>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL now. */
  kill9(): Promise<void>;
}

const TSX_ARGS = ['--import', 'tsx'];

/** Spawns `server/cli/<cli>.ts` with `args`. */
export function spawnRole(cli: 'ingest' | 'gateway' | 'feed', args: readonly string[], env: Record<string, string> = {}): RoleProcess {
  const child = spawn(process.execPath, [...TSX_ARGS, join(ROOT, 'server', 'cli', `${cli}.ts`), ...args], {
    cwd: ROOT,
    env: { ...process.env, TICKWIRE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${cli}`);
  const logs: LogLine[] = [];
  let errText = '';
  let partial = '';
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  // The logger writes JSON lines to stderr; usage errors are plain text there too.
  const onData = (chunk: Buffer): void => {
    if (errText.length < 50_000) errText += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const text of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid: child.pid,
    logs,
    stderr: () => errText,
    waitForLog(match, timeoutMs = 30_000) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${cli} did not log the expected line within ${timeoutMs} ms; stderr:\n${errText}\nlogs:\n${logs
                .slice(-20)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        }, timeoutMs);
        const entry = {
          match,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(entry);
        void exit.then((code) => {
          if (!waiters.includes(entry)) return;
          clearTimeout(timer);
          reject(new Error(`${cli} exited (${code}) before logging the expected line; stderr:\n${errText}`));
        });
      });
    },
    exited: () => exit,
    async stop() {
      if (gone()) return;
      process.kill(child.pid as number, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!gone()) process.kill(child.pid as number, 'SIGKILL');
      }, 5000);
      await exit;
      clearTimeout(timer);
    },
    async kill9() {
      if (gone()) return;
      process.kill(child.pid as number, 'SIGKILL');
      await exit;
    },
  };
}

/** Starts an ingest; resolves once it logged "ingest active" (or "ingest standing by" with `standby`). */
export async function startIngest(
  natsUrl: string,
  args: readonly string[] = [],
  standby = false,
): Promise<RoleProcess & { healthUrl: string }> {
  const proc = spawnRole('ingest', ['--nats', natsUrl, '--port', '0', ...args]);
  try {
    const listening = await proc.waitForLog((l) => l.msg === 'ingest listening');
    await proc.waitForLog((l) => l.msg === (standby ? 'ingest standing by' : 'ingest active'));
    return Object.assign(proc, { healthUrl: String(listening.healthUrl) });
  } catch (error) {
    await proc.kill9();
    throw error;
  }
}

/** Starts a gateway on `port` (0: a free one); resolves with its ws:// URL once it listens. */
export async function startGateway(
  natsUrl: string,
  args: readonly string[] = [],
  port = 0,
): Promise<RoleProcess & { url: string; healthUrl: string }> {
  const proc = spawnRole('gateway', ['--nats', natsUrl, '--port', String(port), ...args]);
  try {
    const line = await proc.waitForLog((l) => l.msg === 'feed service listening');
    const url = String(line.url);
    return Object.assign(proc, { url, healthUrl: `${url.replace('ws://', 'http://')}/healthz` });
  } catch (error) {
    await proc.kill9();
    throw error;
  }
}

/** GET a /healthz URL as JSON. */
export async function health<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as T;
}
