/**
 * `npm run bench:fanout`: the feed service in one process, load clients in another, real sockets.
 * Default: 1,000 clients x 10 of 100 instruments, 100 instruments x 200 updates/s = 20,000 updates/s in.
 * Prints deliveries/s, gaps, latency (normalised -> client decoded) p50/p99/p99.9, server CPU and RSS.
 * Options: --clients N --per-client K --instruments I --rate R (per instrument) --seconds S --flush-ms F
 *          --profile / --profile-load (V8 CPU profile of the server / load generator into .tmp/)
 * Env: BENCH_NODE_FLAGS adds Node flags to both processes, BENCH_SERVER_FLAGS to the server only
 *      (e.g. '--max-semi-space-size=64'), for experiments.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    'per-client': { type: 'string', default: '10' },
    instruments: { type: 'string', default: '100' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    'flush-ms': { type: 'string', default: '25' },
    profile: { type: 'boolean', default: false },
    'profile-load': { type: 'boolean', default: false },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);

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
const server = child('./fanout-server.ts', [values.instruments!, values.rate!, values['flush-ms']!], [...serverFlags, ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir=.tmp'] : [])]);
const { url, symbols } = await next<{ url: string; symbols: string[] }>(server, 'ready');
const load = child('./fanout-load.ts', [], values['profile-load'] ? ['--cpu-prof', '--cpu-prof-dir=.tmp'] : []);
await next(load, 'ready');
const t0 = Date.now();
load.send({ type: 'open', config: { url, symbols, clients: n('clients'), perClient: n('per-client'), seed: 1 } });
await next(load, 'opened');
console.log(`opened ${n('clients')} clients in ${Date.now() - t0} ms; warming up 3 s`);
await new Promise((r) => setTimeout(r, 3000));

server.send({ type: 'mark' });
await next(server, 'marked');
const before = await (server.send({ type: 'stats' }), next<{ ticksAccepted: number; gateway: Record<string, number> }>(server, 'stats'));
load.send({ type: 'record' });
const started = Date.now();
await new Promise((r) => setTimeout(r, n('seconds') * 1000));
const report = await (load.send({ type: 'report' }), next<Record<string, number>>(load, 'report'));
const stats = await (server.send({ type: 'stats' }), next<{ cpuCores: number; rssMiB: number; ticksAccepted: number; gateway: Record<string, number> }>(server, 'stats'));
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
  ['load generator CPU (cores)', report.cpuCores!.toFixed(2)],
  ['flush interval (ms)', values['flush-ms']!],
];
console.log(`\nfan-out over ${seconds.toFixed(1)} s (node ${process.version})`);
for (const [k, v] of rows) console.log(`${k.padEnd(36)} ${v}`);
server.send({ type: 'stop' });
load.send({ type: 'stop' });
