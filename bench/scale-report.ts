/**
 * bench/scale.ts's output: the two setups side by side, and the per-unit costs a capacity model
 * needs (CPU per delivery of a gateway, CPU per update of ingest, broker bytes per update).
 */
import { formatStalls, type Stall } from './loop-stalls';
import type { PhaseResult, ProcessUsage } from './scale-phase';

/** The run's settings, as printed and as in the JSON line. */
export interface ScaleConfig {
  readonly clients: number;
  readonly perClient: number;
  readonly instruments: number;
  readonly ratePerInstrument: number;
  readonly flushMs: number;
  readonly gateways: number;
  readonly warmup: number;
}

/** Per-unit costs derived from the figures (NaN where a side did not run or a count is missing). */
export interface CapacityFigures {
  /** CPU µs the gateways spend per update delivered to a client. */
  readonly gatewayCpuUsPerDelivery: number;
  /** CPU µs ingest spends per update it normalises and publishes. */
  readonly ingestCpuUsPerUpdate: number;
  /** Cores ingest uses per instrument at the run's rate. */
  readonly ingestCoresPerInstrument: number;
  /** Bytes into the broker per input update (publishes, acks' requests, KV writes). */
  readonly natsInBytesPerUpdate: number;
  /** Bytes out of the broker per input update (to every gateway, plus acks and KV). */
  readonly natsOutBytesPerUpdate: number;
  /** CPU µs the broker spends per input update. */
  readonly natsCpuUsPerUpdate: number;
  /** CPU µs the all-in-one feed service spends per delivery, for comparison. */
  readonly allInOneCpuUsPerDelivery: number;
}

function cores(result: PhaseResult | undefined, match: (name: string) => boolean): number {
  if (!result) return Number.NaN;
  const found = result.processes.filter((p) => match(p.name));
  return found.length === 0 ? Number.NaN : found.reduce((a, p) => a + p.cpuCores, 0);
}

/** What one delivery or one input update costs, from the two setups' figures. */
export function capacityFigures(
  config: ScaleConfig,
  scaleOut: PhaseResult | undefined,
  allInOne: PhaseResult | undefined,
): CapacityFigures {
  const deliveriesPerSec = scaleOut ? scaleOut.load.deliveries / scaleOut.seconds : Number.NaN;
  const inputPerSec = scaleOut?.inputPerSec ?? Number.NaN;
  const ingestCores = cores(scaleOut, (n) => n === 'ingest');
  return {
    gatewayCpuUsPerDelivery: (cores(scaleOut, (n) => n.startsWith('gateway')) * 1e6) / deliveriesPerSec,
    ingestCpuUsPerUpdate: (ingestCores * 1e6) / inputPerSec,
    ingestCoresPerInstrument: ingestCores / config.instruments,
    natsInBytesPerUpdate: (scaleOut?.nats?.inBytesPerSec ?? Number.NaN) / inputPerSec,
    natsOutBytesPerUpdate: (scaleOut?.nats?.outBytesPerSec ?? Number.NaN) / inputPerSec,
    natsCpuUsPerUpdate: (cores(scaleOut, (n) => n === 'nats-server') * 1e6) / inputPerSec,
    allInOneCpuUsPerDelivery:
      (cores(allInOne, (n) => n.startsWith('feed')) * 1e6) / (allInOne ? allInOne.load.deliveries / allInOne.seconds : Number.NaN),
  };
}

const fixed = (digits: number) => (v: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');

/** A latency percentile, or ">= range" when it fell in the histogram's last, open-ended bucket. */
function latency(ms: number, rangeMs: number): string {
  return ms >= rangeMs ? `>= ${rangeMs.toFixed(0)}` : fixed(1)(ms);
}

/** "none", or how many stalls there were and the longest, when and how long (one row stays readable). */
export function stallSummary(stalls: readonly Stall[]): string {
  if (stalls.length === 0) return 'none';
  const worst = stalls.reduce((a, b) => (b.lateMs > a.lateMs ? b : a));
  return `${stalls.length}, longest ${formatStalls([worst])}`;
}

/** "none", or "12 (1012: 12)": clients the server closed; the load generator does not reopen them. */
export function closedSummary(closedByCode: Readonly<Record<string, number>>): string {
  const entries = Object.entries(closedByCode);
  if (entries.length === 0) return 'none';
  const total = entries.reduce((a, [, n]) => a + n, 0);
  return `${total} (${entries.map(([code, n]) => `${code}: ${n}`).join(', ')})`;
}

/** One line for a phase just measured, printed at once so that a later failure does not lose it. */
export function phaseSummary(r: PhaseResult): string {
  const perSec = (n: number) => int(n / r.seconds);
  const latencies = [r.load.p50, r.load.p99, r.load.p999].map((v) => latency(v, r.load.rangeMs)).join(' / ');
  const processes = r.processes.map((p) => `${p.name} ${fixed(2)(p.cpuCores)}`).join(', ');
  return `${perSec(r.load.deliveries)} deliveries/s, ${r.load.gaps} gaps, closed ${closedSummary(r.load.closedByCode)}, p50/p99/p99.9 ${latencies} ms; cores: ${processes}`;
}

/** The table's lines: a figure per row, the scale-out and the all-in-one in two columns. */
export function scaleTable(config: ScaleConfig, scaleOut: PhaseResult | undefined, allInOne: PhaseResult | undefined): string[] {
  const both = (f: (r: PhaseResult) => string): [string, string] => [scaleOut ? f(scaleOut) : '-', allInOne ? f(allInOne) : '-'];
  const perSec = (f: (r: PhaseResult) => number, format = int) => both((r) => format(f(r) / r.seconds));
  const usage = (r: PhaseResult | undefined, name: string): ProcessUsage | undefined => r?.processes.find((p) => p.name === name);
  const names = [...new Set([...(scaleOut?.processes ?? []), ...(allInOne?.processes ?? [])].map((p) => p.name))];
  const inOut = (a: number | undefined, b: number | undefined, format = int): [string, string] => [
    a === undefined || b === undefined || !Number.isFinite(a) ? '-' : `${format(a)} / ${format(b)}`,
    '-',
  ];
  const capacity = capacityFigures(config, scaleOut, allInOne);
  const rows: [string, [string, string]][] = [
    ['clients x instruments each', both(() => `${config.clients} x ${config.perClient} of ${config.instruments}`)],
    ['gateways (client i on gateway i mod G)', [scaleOut ? String(config.gateways) : '-', allInOne ? '1 (in-process)' : '-']],
    ['input updates/s (published / normalised)', both((r) => int(r.inputPerSec))],
    ['ingest backlog (unpublished ticks) at window start / end', both((r) => (r.backlog ? r.backlog.map(int).join(' / ') : '-'))],
    ['deliveries/s (updates at clients)', perSec((r) => r.load.deliveries)],
    ['messages/s at clients', perSec((r) => r.load.messages)],
    ['MB/s at clients', perSec((r) => r.load.bytes / 1e6, fixed(1))],
    ['sequence gaps', both((r) => String(r.load.gaps))],
    ['clients closed by the server (by close code)', both((r) => closedSummary(r.load.closedByCode))],
    ['latency p50 (ms)', both((r) => latency(r.load.p50, r.load.rangeMs))],
    ['latency p99 (ms)', both((r) => latency(r.load.p99, r.load.rangeMs))],
    ['latency p99.9 (ms)', both((r) => latency(r.load.p999, r.load.rangeMs))],
    ...names.map((name): [string, [string, string]] => [
      `CPU cores / RSS MiB: ${name}`,
      [scaleOut, allInOne].map((r) => {
        const u = usage(r, name);
        return u ? `${fixed(2)(u.cpuCores)} / ${fixed(0)(u.rssMiB)}` : '-';
      }) as [string, string],
    ]),
    ['CPU cores: all processes', both((r) => fixed(2)(r.processes.reduce((a, p) => a + p.cpuCores, 0)))],
    [
      'CPU cores: server side (no load generator)',
      both((r) => fixed(2)(r.processes.filter((p) => !p.name.startsWith('load')).reduce((a, p) => a + p.cpuCores, 0))),
    ],
    ['NATS bytes/s in / out', inOut(scaleOut?.nats?.inBytesPerSec, scaleOut?.nats?.outBytesPerSec)],
    ['NATS msgs/s in / out', inOut(scaleOut?.nats?.inMsgsPerSec, scaleOut?.nats?.outMsgsPerSec)],
    ['CPU µs per delivery (gateways / feed)', [fixed(3)(capacity.gatewayCpuUsPerDelivery), fixed(3)(capacity.allInOneCpuUsPerDelivery)]],
    ['CPU µs per input update (ingest)', [fixed(1)(capacity.ingestCpuUsPerUpdate), '-']],
    ['NATS bytes per input update in / out', inOut(capacity.natsInBytesPerUpdate, capacity.natsOutBytesPerUpdate, fixed(0))],
    ['event-loop stalls >= 40 ms: load', both((r) => stallSummary(r.load.reports.flatMap((l) => l.stalls)))],
    ['load average (1 min) at window start / end', both((r) => r.loadAverage.map(fixed(1)).join(' / '))],
    ['flush interval (ms) / warm-up (s)', both(() => `${config.flushMs} / ${config.warmup}`)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const colA = Math.max(12, ...rows.map(([, [a]]) => a.length));
  const colB = Math.max(12, ...rows.map(([, [, b]]) => b.length));
  const line = (k: string, a: string, b: string) => `${k.padEnd(width)}  ${a.padStart(colA)}  ${b.padStart(colB)}`;
  return [line('', 'scale-out', 'all-in-one'), ...rows.map(([k, [a, b]]) => line(k, a, b))];
}
