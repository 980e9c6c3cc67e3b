/**
 * One measured setup of bench/scale.ts (the scale-out over NATS, or the all-in-one feed service):
 * the same seeded clients opened on its URLs, a warm-up, then a window over which the load
 * processes count deliveries, gaps and latency while /proc gives every process's CPU and RSS and
 * the NATS monitor (when there is one) gives the broker's bytes and messages.
 */
import { loadavg } from 'node:os';
import { feedSymbols } from './feed-symbols';
import { LoadFleet, seededSubscriptions, type LoadSummary } from './load-fleet';
import { sampleProcess, usageBetween, type ProcSample } from './proc-usage';

/** A process whose CPU and RSS the window measures. */
export interface MeasuredProcess {
  readonly name: string;
  readonly pid: number;
}

/** What a setup offers the measurement. */
export interface PhaseSetup {
  /** WebSocket URLs; client i connects to `urls[i mod urls.length]`. */
  readonly urls: readonly string[];
  /** The setup's own processes (not the load generator's). */
  readonly processes: readonly MeasuredProcess[];
  /** Updates that came in so far (a counter of the setup's; read at both ends of the window). */
  inputUpdates(): Promise<number>;
  /** Updates taken in but not yet passed on (ingest's unpublished ticks), when the setup has such a queue. */
  backlog?(): Promise<number>;
  /** The NATS monitoring endpoint (`http://host:port`), when the setup has a broker. */
  readonly natsMonitorUrl?: string;
}

/** Sizes and times of a phase (the bench's command-line options). */
export interface PhaseOptions {
  readonly clients: number;
  readonly perClient: number;
  readonly instruments: number;
  /** Seconds between opening the clients and the window. */
  readonly warmup: number;
  /** Length of the window, s. */
  readonly seconds: number;
  /** Load processes to split the clients over. */
  readonly loadProcs: number;
}

/** CPU over the window and RSS at its end of one process. */
export interface ProcessUsage {
  readonly name: string;
  readonly cpuCores: number;
  readonly rssMiB: number;
}

/** The broker's traffic over the window, per second (from /varz). */
export interface NatsRates {
  readonly inBytesPerSec: number;
  readonly outBytesPerSec: number;
  readonly inMsgsPerSec: number;
  readonly outMsgsPerSec: number;
}

/** What one phase measured. */
export interface PhaseResult {
  /** Length of the window as it ran, s. */
  readonly seconds: number;
  /** Updates in per second (published by ingest, or normalised by the feed). */
  readonly inputPerSec: number;
  readonly load: LoadSummary;
  /** The setup's processes, then the load processes. */
  readonly processes: readonly ProcessUsage[];
  readonly nats?: NatsRates;
  /** {@link PhaseSetup.backlog} at the window's start and end: a backlog that shrinks means the input rate read high. */
  readonly backlog?: readonly [number, number];
  /** The machine's 1-minute load average at the window's start and end (other work on a shared box shows here). */
  readonly loadAverage: readonly [number, number];
}

/** The counters of NATS's /varz that the bench reads. */
interface Varz {
  in_bytes: number;
  out_bytes: number;
  in_msgs: number;
  out_msgs: number;
}

/**
 * How long a /healthz or /varz read may take (ms). A process whose event loop is busy answers
 * late; it must not end the run, and the figure it would give reads NaN instead.
 */
const READ_TIMEOUT_MS = 30_000;

/** GET `url` as JSON; undefined (and a note on stderr) when it fails or takes over 30 s. */
async function readJson(url: string): Promise<Record<string, unknown> | undefined> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    return (await response.json()) as Record<string, unknown>;
  } catch (error) {
    console.error(`GET ${url} failed after ${(performance.now() - started).toFixed(0)} ms: ${(error as Error).message}`);
    return undefined;
  }
}

/** A counter read from a /healthz answer by `pick`; NaN when the answer or the field is missing. */
export function healthCounter(healthUrl: string, pick: (answer: Record<string, Record<string, number> | undefined>) => number | undefined) {
  return async (): Promise<number> => {
    const answer = (await readJson(healthUrl)) as Record<string, Record<string, number> | undefined> | undefined;
    return (answer && pick(answer)) ?? Number.NaN;
  };
}

/** Per-second rates between two /varz readings `seconds` apart. */
export function natsRates(before: Varz, after: Varz, seconds: number): NatsRates {
  return {
    inBytesPerSec: (after.in_bytes - before.in_bytes) / seconds,
    outBytesPerSec: (after.out_bytes - before.out_bytes) / seconds,
    inMsgsPerSec: (after.in_msgs - before.in_msgs) / seconds,
    outMsgsPerSec: (after.out_msgs - before.out_msgs) / seconds,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the clients against `setup` and measures the window. The load processes are started here
 * and stopped before it returns; the setup's processes are the caller's.
 */
export async function measurePhase(setup: PhaseSetup, options: PhaseOptions, log: (line: string) => void): Promise<PhaseResult> {
  const symbols = await feedSymbols(setup.urls[0]!, options.instruments);
  const clients = seededSubscriptions(options.clients, options.perClient, symbols).map((subscribed, i) => ({
    url: setup.urls[i % setup.urls.length]!,
    symbols: subscribed,
  }));
  const loads = await LoadFleet.start(options.loadProcs);
  try {
    const opened = performance.now();
    await loads.open(clients);
    log(
      `opened ${clients.length} clients on ${setup.urls.length} URL(s) in ${(performance.now() - opened).toFixed(0)} ms; warming up ${options.warmup} s`,
    );
    await sleep(options.warmup * 1000);

    const measured: MeasuredProcess[] = [
      ...setup.processes,
      ...loads.processes.map((p, i) => ({
        name: loads.processes.length === 1 ? 'load generator' : `load generator ${i + 1}`,
        pid: p.pid!,
      })),
    ];
    const varzUrl = setup.natsMonitorUrl === undefined ? undefined : `${setup.natsMonitorUrl}/varz`;
    const varzBefore = varzUrl === undefined ? undefined : ((await readJson(varzUrl)) as Varz | undefined);
    const acceptedBefore = await setup.inputUpdates();
    const backlogBefore = await setup.backlog?.();
    const loadBefore = loadavg()[0]!;
    const before: ProcSample[] = measured.map((p) => sampleProcess(p.pid));
    loads.record();
    const started = performance.now();
    await sleep(options.seconds * 1000);

    const after: ProcSample[] = measured.map((p) => sampleProcess(p.pid));
    const loadAfter = loadavg()[0]!;
    const load = await loads.report();
    const seconds = (performance.now() - started) / 1000;
    const acceptedAfter = await setup.inputUpdates();
    const backlogAfter = await setup.backlog?.();
    const varzAfter = varzUrl === undefined ? undefined : ((await readJson(varzUrl)) as Varz | undefined);
    return {
      seconds,
      inputPerSec: (acceptedAfter - acceptedBefore) / seconds,
      load,
      processes: measured.map((p, i) => ({ name: p.name, ...usageBetween(before[i]!, after[i]!) })),
      loadAverage: [loadBefore, loadAfter],
      ...(backlogBefore !== undefined && backlogAfter !== undefined ? { backlog: [backlogBefore, backlogAfter] as const } : {}),
      ...(varzBefore && varzAfter ? { nats: natsRates(varzBefore, varzAfter, seconds) } : {}),
    };
  } finally {
    await loads.stop();
  }
}
