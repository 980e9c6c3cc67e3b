/**
 * `npm run bench:fanout`: the feed service in one process, load clients in another, real sockets.
 * Default: 1,000 clients x 10 of 100 instruments, 100 instruments x 200 updates/s = 20,000 updates/s in.
 * Prints deliveries/s, gaps, latency (normalised -> client decoded) p50/p99/p99.9, server CPU and RSS,
 * and each process's event-loop lateness.
 * Options: --clients N --per-client K --instruments I --rate R (per instrument) --seconds S --flush-ms F
 *          --warmup W (seconds between opening the clients and the window; default 10, see docs/performance.md)
 *          --profile / --profile-load (V8 CPU profile of the server / load generator into .tmp/)
 *          --alloc-profile FILE (sampled allocations of the server over the window, garbage included,
 *          as a .heapprofile for Chrome DevTools' Memory panel)
 *          --persist (the server writes every changed bar to a history store in a temporary folder)
 *          --load-procs N (split the clients over N load processes; default 1)
 * Env: BENCH_NODE_FLAGS adds Node flags to every process, BENCH_SERVER_FLAGS to the server only
 *      (e.g. '--max-semi-space-size=64'), BENCH_LOAD_FLAGS to the load processes only, for experiments.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStalls, type Stall } from './loop-stalls';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    'per-client': { type: 'string', default: '10' },
    instruments: { type: 'string', default: '100' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
    'flush-ms': { type: 'string', default: '25' },
    profile: { type: 'boolean', default: false },
    'profile-load': { type: 'boolean', default: false },
    'alloc-profile': { type: 'string' },
    'load-procs': { type: 'string', default: '1' },
    persist: { type: 'boolean', default: false },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);
// Checked before any process starts, so a bad value leaves nothing running.
const procs = n('load-procs');
if (!Number.isInteger(procs) || procs < 1)
  throw new TypeError(`--load-procs must be a whole number of at least 1, got ${values['load-procs']}`);
if (!(n('warmup') >= 0)) throw new TypeError(`--warmup must be a number of seconds, 0 or more, got ${values.warmup}`);

function child(file: string, args: string[] = [], extraExecArgv: string[] = []): ChildProcess {
  return fork(new URL(file, import.meta.url).pathname, args, {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...extraExecArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function next<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (msg: { type: string }) => {
      if (msg.type !== type) return;
      proc.off('message', on);
      resolve(msg as T);
    };
    proc.on('message', on);
  });
}

// --profile writes a V8 CPU profile of the server process to .tmp/ (open it in Chrome DevTools).
const serverFlags = process.env.BENCH_SERVER_FLAGS ? process.env.BENCH_SERVER_FLAGS.split(' ') : [];
// --persist: the server writes history to a SQLite store in a temporary folder (removed at the end).
const dataDir = values.persist ? mkdtempSync(join(tmpdir(), 'tickwire-bench-')) : '';
if (dataDir) process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const server = child(
  './fanout-server.ts',
  [values.instruments!, values.rate!, values['flush-ms']!, values['alloc-profile'] ?? '', dataDir],
  [...serverFlags, ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir=.tmp'] : [])],
);
const { url, symbols } = await next<{ url: string; symbols: string[] }>(server, 'ready');

// Every client's instruments, drawn once from a seeded generator so that runs with any number of
// load processes subscribe the same clients to the same instruments.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const random = rng(1);
const subscriptions = Array.from({ length: n('clients') }, () => {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(n('per-client'), symbols.length)) chosen.add(symbols[Math.floor(random() * symbols.length)]!);
  return [...chosen];
});

// The clients are split evenly over --load-procs processes (client i goes to process i mod N).
const loadFlags = process.env.BENCH_LOAD_FLAGS ? process.env.BENCH_LOAD_FLAGS.split(' ') : [];
const loads = Array.from({ length: procs }, () =>
  child('./fanout-load.ts', [], [...loadFlags, ...(values['profile-load'] ? ['--cpu-prof', '--cpu-prof-dir=.tmp'] : [])]),
);
await Promise.all(loads.map((load) => next(load, 'ready')));

const t0 = Date.now();
await Promise.all(
  loads.map((load, p) => {
    const mine = subscriptions.filter((_, i) => i % procs === p);
    load.send({ type: 'open', config: { url, subscriptions: mine } });
    return next(load, 'opened');
  }),
);
console.log(`opened ${n('clients')} clients in ${Date.now() - t0} ms; warming up ${n('warmup')} s`);
await new Promise((r) => setTimeout(r, n('warmup') * 1000));

server.send({ type: 'mark' });
await next(server, 'marked');
const before = await (server.send({ type: 'stats' }), next<{ ticksAccepted: number; gateway: Record<string, number> }>(server, 'stats'));
for (const load of loads) load.send({ type: 'record' });
const started = Date.now();
await new Promise((r) => setTimeout(r, n('seconds') * 1000));

interface LoadReport {
  stalls: Stall[];
  deliveries: number;
  gaps: number;
  messages: number;
  bytes: number;
  histogram: number[];
  bucketUs: number;
  cpuCores: number;
  loopDelayMs: [number, number, number];
}
const reports = await Promise.all(loads.map((load) => (load.send({ type: 'report' }), next<LoadReport>(load, 'report'))));
const sum = (k: 'deliveries' | 'gaps' | 'messages' | 'bytes' | 'cpuCores') => reports.reduce((a, r) => a + r[k], 0);
const histogram = reports[0]!.histogram.map((_, i) => reports.reduce((a, r) => a + r.histogram[i]!, 0));
const bucketUs = reports[0]!.bucketUs;
function percentile(p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= total * p) return ((i + 1) * bucketUs) / 1000;
  }
  return Number.NaN;
}
const report = {
  deliveries: sum('deliveries'),
  gaps: sum('gaps'),
  messages: sum('messages'),
  bytes: sum('bytes'),
  cpuCores: sum('cpuCores'),
  p50: percentile(0.5),
  p99: percentile(0.99),
  p999: percentile(0.999),
};
const stats = await (server.send({ type: 'stats', final: true }),
next<{
  stalls: Stall[];
  cpuCores: number;
  rssMiB: number;
  loopDelayMs: [number, number, number];
  ticksAccepted: number;
  gateway: Record<string, number>;
}>(server, 'stats'));
const seconds = (Date.now() - started) / 1000;

const rows: [string, string][] = [
  ['clients x instruments each', `${n('clients')} x ${n('per-client')} of ${n('instruments')}`],
  ['input updates/s (normalised)', ((stats.ticksAccepted - before.ticksAccepted) / seconds).toFixed(0)],
  ['deliveries/s (updates at clients)', (report.deliveries! / seconds).toFixed(0)],
  ['messages/s at clients', (report.messages! / seconds).toFixed(0)],
  ['MB/s at clients', (report.bytes! / seconds / 1e6).toFixed(1)],
  ['sequence gaps', String(report.gaps)],
  ['latency p50 (ms)', report.p50!.toFixed(1)],
  ['latency p99 (ms)', report.p99!.toFixed(1)],
  ['latency p99.9 (ms)', report.p999!.toFixed(1)],
  ['server flushes/s', ((stats.gateway.flushes! - before.gateway.flushes!) / seconds).toFixed(1)],
  ['server batches sent/s', ((stats.gateway.batchesSent! - before.gateway.batchesSent!) / seconds).toFixed(0)],
  ['distinct batches encoded/s', ((stats.gateway.batchesAssembled! - before.gateway.batchesAssembled!) / seconds).toFixed(0)],
  ['slow-consumer closes', String(stats.gateway.closedSlow! - before.gateway.closedSlow!)],
  ['server CPU (cores)', stats.cpuCores.toFixed(2)],
  ['server RSS (MiB)', stats.rssMiB.toFixed(0)],
  ['load generator CPU (cores)', `${report.cpuCores.toFixed(2)} in ${procs} process${procs === 1 ? '' : 'es'}`],
  // Event-loop lateness (perf_hooks, sampled every 10 ms): how long each process kept its timers
  // waiting. A flush blocks the server's loop for its whole length; a stall in the latency tail
  // shows up as a large max in the process that stalled.
  ['event-loop lateness p50 / p99 / max (ms): server', stats.loopDelayMs.map((v) => v.toFixed(1)).join(' / ')],
  ['event-loop lateness p50 / p99 / max (ms): load', reports.map((r) => r.loopDelayMs.map((v) => v.toFixed(1)).join(' / ')).join(', ')],
  // Each stall of 40 ms or more, with its time into the window: one at 0.x s is a start-up
  // transient; one in the middle is something to look into.
  ['event-loop stalls >= 40 ms: server', formatStalls(stats.stalls)],
  ['event-loop stalls >= 40 ms: load', reports.map((r) => formatStalls(r.stalls)).join('; ')],
  ['flush interval (ms)', values['flush-ms']!],
  ['warm-up before the window (s)', values.warmup!],
  ['history store', dataDir ? 'on (SQLite, --persist)' : 'off'],
];
console.log(`\nfan-out over ${seconds.toFixed(1)} s (node ${process.version})`);
for (const [k, v] of rows) console.log(`${k.padEnd(36)} ${v}`);
server.send({ type: 'stop' });
for (const load of loads) load.send({ type: 'stop' });
