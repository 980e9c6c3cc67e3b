/**
 * A Tickwire command-line entry (server/cli/*.ts) run as a child process for a benchmark, exactly
 * as a person would run it (`node --import tsx server/cli/<name>.ts ...`, no IPC), so its CPU and RSS
 * are its own. Its JSON log lines (server/log.ts) are read to learn when it is ready and where it
 * listens; anything else it prints is kept for the error message if it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT, stopProcess } from '../tests/e2e/support/processes';
import { envFlags } from './load-fleet';

/** How long a CLI may take to log the line a benchmark waits for (ms); tsx compiles on start. */
const LOG_TIMEOUT_MS = 60_000;
/** Lines of output kept for the error message of a process that exits early. */
const KEPT_LINES = 40;

/** One parsed JSON log line: `msg` plus its fields. */
type LogLine = { msg: string } & Record<string, unknown>;

/** A running CLI process. */
export interface CliProcess {
  /** A short label for tables ("ingest", "gateway 1"). */
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /**
   * Resolves with the first log line whose `msg` is one of `messages` (counting lines already logged).
   * @throws Error with the recent output when the process exits first or the wait times out.
   */
  waitForLog(messages: readonly string[], timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

function parseLogLine(line: string): LogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && typeof (value as { msg?: unknown }).msg === 'string'
      ? (value as LogLine)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts `node --import tsx <script> ...args` in the repository root (BENCH_NODE_FLAGS and
 * `nodeFlags` go to Node). Logs go to stderr at info level; both streams are read.
 */
export function startCli(name: string, script: string, args: readonly string[], nodeFlags: readonly string[] = []): CliProcess {
  const child = spawn(process.execPath, [...envFlags('BENCH_NODE_FLAGS'), ...nodeFlags, '--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, TICKWIRE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${script}`);
  const logged: LogLine[] = [];
  const recent: string[] = [];
  const waiters = new Set<() => void>();
  const onLine = (line: string): void => {
    recent.push(line);
    if (recent.length > KEPT_LINES) recent.shift();
    const parsed = parseLogLine(line);
    if (parsed) logged.push(parsed);
    for (const wake of waiters) wake();
  };
  for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onLine);
  child.once('exit', () => {
    for (const wake of waiters) wake();
  });

  const waitForLog = (messages: readonly string[], timeoutMs = LOG_TIMEOUT_MS): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const check = (): void => {
        const found = logged.find((l) => messages.includes(l.msg));
        if (found) {
          finish();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(
            new Error(
              `${name} exited (${child.exitCode ?? child.signalCode}) before logging "${messages.join('" or "')}":\n${recent.join('\n')}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${name} did not log "${messages.join('" or "')}" within ${timeoutMs} ms:\n${recent.join('\n')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return { name, child, pid: child.pid, waitForLog, stop: () => stopProcess(child) };
}
