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
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFlags, forkBench, LOAD_ARGS, LoadFleet, nextMessage, seededSubscriptions } from './load-fleet';
import { formatStalls, type Stall } from './loop-stalls';

const { values } = parseArgs({
  options: {
    ...LOAD_ARGS,
    profile: { type: 'boolean', default: false },
    'profile-load': { type: 'boolean', default: false },
    'alloc-profile': { type: 'string' },
    persist: { type: 'boolean', default: false },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);
// Checked before any process starts, so a bad value leaves nothing running.
const procs = n('load-procs');
if (!Number.isInteger(procs) || procs < 1)
  throw new TypeError(`--load-procs must be a whole number of at least 1, got ${values['load-procs']}`);
if (!(n('warmup') >= 0)) throw new TypeError(`--warmup must be a number of seconds, 0 or more, got ${values.warmup}`);

// --profile writes a V8 CPU profile of the server process to .tmp/ (open it in Chrome DevTools).
const serverFlags = envFlags('BENCH_SERVER_FLAGS');
// --persist: the server writes history to a SQLite store in a temporary folder (removed at the end).
const dataDir = values.persist ? mkdtempSync(join(tmpdir(), 'tickwire-bench-')) : '';
if (dataDir) process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const server = forkBench(
  './fanout-server.ts',
  [values.instruments!, values.rate!, values['flush-ms']!, values['alloc-profile'] ?? '', dataDir],
  [...serverFlags, ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir=.tmp'] : [])],
);
const { url, symbols } = await nextMessage<{ url: string; symbols: string[] }>(server, 'ready');

const subscriptions = seededSubscriptions(n('clients'), n('per-client'), symbols);
const loads = await LoadFleet.start(procs, values['profile-load'] ? ['--cpu-prof', '--cpu-prof-dir=.tmp'] : []);

const t0 = Date.now();
await loads.open(subscriptions.map((symbols) => ({ url, symbols })));
console.log(`opened ${n('clients')} clients in ${Date.now() - t0} ms; warming up ${n('warmup')} s`);
await new Promise((r) => setTimeout(r, n('warmup') * 1000));

server.send({ type: 'mark' });
await nextMessage(server, 'marked');
const before = await (server.send({ type: 'stats' }),
nextMessage<{ ticksAccepted: number; gateway: Record<string, number> }>(server, 'stats'));
loads.record();
const started = Date.now();
await new Promise((r) => setTimeout(r, n('seconds') * 1000));

const report = await loads.report();
const stats = await (server.send({ type: 'stats', final: true }),
nextMessage<{
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
  ['deliveries/s (updates at clients)', (report.deliveries / seconds).toFixed(0)],
  ['messages/s at clients', (report.messages / seconds).toFixed(0)],
  ['MB/s at clients', (report.bytes / seconds / 1e6).toFixed(1)],
  ['sequence gaps', String(report.gaps)],
  ['latency p50 (ms)', report.p50.toFixed(1)],
  ['latency p99 (ms)', report.p99.toFixed(1)],
  ['latency p99.9 (ms)', report.p999.toFixed(1)],
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
  [
    'event-loop lateness p50 / p99 / max (ms): load',
    report.reports.map((r) => r.loopDelayMs.map((v) => v.toFixed(1)).join(' / ')).join(', '),
  ],
  // Each stall of 40 ms or more, with its time into the window: one at 0.x s is a start-up
  // transient; one in the middle is something to look into.
  ['event-loop stalls >= 40 ms: server', formatStalls(stats.stalls)],
  ['event-loop stalls >= 40 ms: load', report.reports.map((r) => formatStalls(r.stalls)).join('; ')],
  ['flush interval (ms)', values['flush-ms']!],
  ['warm-up before the window (s)', values.warmup!],
  ['history store', dataDir ? 'on (SQLite, --persist)' : 'off'],
];
console.log(`\nfan-out over ${seconds.toFixed(1)} s (node ${process.version})`);
for (const [k, v] of rows) console.log(`${k.padEnd(36)} ${v}`);
server.send({ type: 'stop' });
await loads.stop();
