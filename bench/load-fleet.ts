/**
 * The parent's side of the fan-out load generator (bench/fanout-load.ts), shared by bench:fanout and
 * bench:scale: forks the load processes, hands each its share of the clients, opens the measured
 * window and merges what they report (deliveries, gaps, the latency histograms) into one summary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Stall } from './loop-stalls';

/**
 * Command-line options (node:util parseArgs) that bench:fanout and bench:scale share, with the
 * defaults of the load: 1,000 clients x 10 of 100 instruments x 200 updates/s, a 20 s
 * window after 10 s of warm-up, 25 ms flushes, one load process.
 */
export const LOAD_ARGS = {
  clients: { type: 'string', default: '1000' },
  'per-client': { type: 'string', default: '10' },
  instruments: { type: 'string', default: '100' },
  rate: { type: 'string', default: '200' },
  seconds: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '10' },
  'flush-ms': { type: 'string', default: '25' },
  'load-procs': { type: 'string', default: '1' },
} as const;

/** Node flags from an environment variable holding a space-separated list (e.g. BENCH_NODE_FLAGS). */
export function envFlags(name: string): string[] {
  const value = process.env[name];
  return value ? value.split(' ') : [];
}

/** Forks a bench/ script with tsx and IPC; BENCH_NODE_FLAGS and `extraExecArgv` go to its Node. */
export function forkBench(file: string, args: string[] = [], extraExecArgv: string[] = []): ChildProcess {
  return fork(new URL(file, import.meta.url).pathname, args, {
    execArgv: ['--import', 'tsx', ...envFlags('BENCH_NODE_FLAGS'), ...extraExecArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * Resolves with the next IPC message of `type` from `proc`.
 * @throws Error when `proc` exits first (a load process that crashed must not leave the bench waiting).
 */
export function nextMessage<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      reject(new Error(`process ${proc.pid} had exited (${proc.exitCode ?? proc.signalCode}) before sending "${type}"`));
      return;
    }
    const on = (msg: { type: string }) => {
      if (msg.type !== type) return;
      done();
      resolve(msg as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`process ${proc.pid} exited (${code ?? signal}) before sending "${type}"`));
    };
    const done = () => {
      proc.off('message', on);
      proc.off('exit', onExit);
    };
    proc.on('message', on);
    proc.on('exit', onExit);
  });
}

/** A seeded generator of numbers in [0, 1) (a linear congruential one: runs repeat exactly). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * Every client's instruments: `perClient` distinct symbols each (at most all of them), drawn once
 * from a seeded generator, so that runs with any number of load processes or servers subscribe the
 * same clients to the same instruments.
 */
export function seededSubscriptions(clients: number, perClient: number, symbols: readonly string[]): string[][] {
  const random = rng(1);
  return Array.from({ length: clients }, () => {
    const chosen = new Set<string>();
    while (chosen.size < Math.min(perClient, symbols.length)) chosen.add(symbols[Math.floor(random() * symbols.length)]!);
    return [...chosen];
  });
}

/** One client for a load process to open: where it connects and what it subscribes to. */
export interface LoadClient {
  readonly url: string;
  readonly symbols: readonly string[];
}

/** What one load process reports for the window (see bench/fanout-load.ts). */
export interface LoadReport {
  stalls: Stall[];
  deliveries: number;
  gaps: number;
  messages: number;
  bytes: number;
  /** Latency counts per bucket of `bucketUs`; the last bucket collects the rest. */
  histogram: number[];
  bucketUs: number;
  cpuCores: number;
  /** Clients the server closed since they opened, by close code (they are not reopened). */
  closedByCode: Record<string, number>;
  loopDelayMs: [number, number, number];
}

/** Adds histograms of equal length bucket by bucket. */
export function mergeHistograms(histograms: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...histograms.map((h) => h.length));
  return Array.from({ length }, (_, i) => histograms.reduce((a, h) => a + (h[i] ?? 0), 0));
}

/**
 * The `p` quantile (0..1) of a histogram in ms: the upper edge of the bucket where the running count
 * first reaches `p` of the total (so p50 of values all in 0-0.1 ms reads 0.1). NaN when it is empty.
 */
export function percentileMs(histogram: readonly number[], bucketUs: number, p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= total * p) return ((i + 1) * bucketUs) / 1000;
  }
  return Number.NaN;
}

/** Adds counts by key. */
function addCounts(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
  return total;
}

/** The load processes' reports added up, with latency percentiles of the merged histogram. */
export interface LoadSummary {
  readonly deliveries: number;
  readonly gaps: number;
  readonly messages: number;
  readonly bytes: number;
  /** CPU of all load processes together (cores), as they measured themselves. */
  readonly cpuCores: number;
  /** Latency from feed receive time to client decode, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** Clients the server closed since they opened, by close code, over every load process. */
  readonly closedByCode: Readonly<Record<string, number>>;
  /** The histogram's range, ms: a percentile equal to it means "this or more". */
  readonly rangeMs: number;
  readonly reports: readonly LoadReport[];
}

/** Adds up load reports (histograms bucket by bucket; all share one bucket width). */
export function summariseLoads(reports: readonly LoadReport[]): LoadSummary {
  const sum = (k: 'deliveries' | 'gaps' | 'messages' | 'bytes' | 'cpuCores') => reports.reduce((a, r) => a + r[k], 0);
  const histogram = mergeHistograms(reports.map((r) => r.histogram));
  const bucketUs = reports[0]?.bucketUs ?? 1;
  return {
    deliveries: sum('deliveries'),
    gaps: sum('gaps'),
    messages: sum('messages'),
    bytes: sum('bytes'),
    cpuCores: sum('cpuCores'),
    p50: percentileMs(histogram, bucketUs, 0.5),
    p99: percentileMs(histogram, bucketUs, 0.99),
    p999: percentileMs(histogram, bucketUs, 0.999),
    rangeMs: (histogram.length * bucketUs) / 1000,
    closedByCode: addCounts(reports.map((r) => r.closedByCode)),
    reports,
  };
}

/** Load processes driven together: client i goes to process i mod N. */
export class LoadFleet {
  private constructor(readonly processes: readonly ChildProcess[]) {}

  /** Forks `count` load processes (BENCH_LOAD_FLAGS and `execArgv` to each) and waits until they are ready. */
  static async start(count: number, execArgv: string[] = []): Promise<LoadFleet> {
    const processes = Array.from({ length: count }, () =>
      forkBench('./fanout-load.ts', [], [...envFlags('BENCH_LOAD_FLAGS'), ...execArgv]),
    );
    await Promise.all(processes.map((p) => nextMessage(p, 'ready')));
    return new LoadFleet(processes);
  }

  /** Opens the clients, split over the processes; resolves once every one has sent its subscribe. */
  async open(clients: readonly LoadClient[]): Promise<void> {
    const count = this.processes.length;
    await Promise.all(
      this.processes.map((proc, p) => {
        proc.send({ type: 'open', config: { clients: clients.filter((_, i) => i % count === p) } });
        return nextMessage(proc, 'opened');
      }),
    );
  }

  /** Opens the window: each process zeroes its counters and CPU mark. */
  record(): void {
    for (const proc of this.processes) proc.send({ type: 'record' });
  }

  /** The window so far, summed over the processes. */
  async report(): Promise<LoadSummary> {
    const reports = await Promise.all(this.processes.map((p) => (p.send({ type: 'report' }), nextMessage<LoadReport>(p, 'report'))));
    return summariseLoads(reports);
  }

  /** Closes every client and ends the processes; resolves once they have exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map((proc) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return undefined;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.send({ type: 'stop' });
        return exited;
      }),
    );
  }
}
