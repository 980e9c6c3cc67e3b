/** Runs `npm run feed` / `npm run record` as real processes for the adapter integration tests. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A CLI process with its output collected. */
export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** stderr lines that are JSON log records. */
  logs(): Record<string, unknown>[];
}

const running: ChildProcessWithoutNullStreams[] = [];

/**
 * Starts `tsx <script> ...args` in the repository root, as npm does. `INIT_CWD` (where npm was run,
 * which relative paths on the command line are relative to) is not inherited from the test run:
 * a test that needs it passes it in `env`.
 */
export function runCli(script: string, args: readonly string[], env: Record<string, string> = {}): CliRun {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited.INIT_CWD;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...inherited, ...env } });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    logs: () =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {};
          }
        }),
  };
}

/** Kills every process still running (afterEach). */
export function killAll(): void {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

/** Polls until `predicate` holds. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits for the feed's "listening" log line and returns its ws:// URL. */
export async function feedUrl(run: CliRun, timeoutMs = 15_000): Promise<string> {
  let url: string | undefined;
  await waitFor(
    () => {
      url = run.logs().find((l) => l.msg === 'feed service listening')?.url as string | undefined;
      if (run.child.exitCode !== null) throw new Error(`feed exited ${run.child.exitCode}: ${run.err()}`);
      return url !== undefined;
    },
    timeoutMs,
    'the feed to listen',
  );
  return url as string;
}
