/**
 * `npm run bench:scale`: the scale-out (nats-server + `npm run ingest` + 2 x `npm run gateway`) and
 * then, in the same run but never at the same time, the all-in-one feed service (`npm run feed`),
 * each under the same load: 1,000 real clients x 10 of 100 instruments, 100 x 200 = 20,000 updates/s
 * in, the clients split over the gateways (client i on gateway i mod 2). Prints both side by side:
 * deliveries/s, gaps, latency (feed receive time -> client decode) p50/p99/p99.9, CPU (cores) and
 * RSS of every process from /proc, and the broker's bytes and messages per second from /varz.
 * Options: --clients N --per-client K --instruments I --rate R (per instrument) --seconds S
 *          --warmup W (s before the window) --flush-ms F --gateways G (default 2) --load-procs N
 *          --only scale-out|all-in-one (run one side) --json (a last line with the figures as JSON)
 * Env: BENCH_LOAD_FLAGS adds Node flags to the load processes.
 */
import { parseArgs } from 'node:util';
import { startNatsServer, type NatsServer } from '../tests/support/nats-server';
import { spawnRole, startGateway, startIngest, type RoleProcess } from '../tests/support/scaled';
import { LOAD_ARGS } from './load-fleet';
import { healthCounter, measurePhase, type PhaseOptions, type PhaseResult } from './scale-phase';
import { capacityFigures, phaseSummary, scaleTable } from './scale-report';

const { values } = parseArgs({
  options: {
    ...LOAD_ARGS,
    gateways: { type: 'string', default: '2' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
// Checked before any process starts, so a bad value leaves nothing running.
function whole(name: keyof typeof values, min: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min)
    throw new TypeError(`--${name} must be a whole number of at least ${min}, got ${String(values[name])}`);
  return value;
}
const options: PhaseOptions = {
  clients: whole('clients', 1),
  perClient: whole('per-client', 1),
  instruments: whole('instruments', 1),
  seconds: Number(values.seconds),
  warmup: Number(values.warmup),
  loadProcs: whole('load-procs', 1),
};
if (!(options.seconds > 0)) throw new TypeError(`--seconds must be a positive number, got ${values.seconds}`);
if (!(options.warmup >= 0)) throw new TypeError(`--warmup must be a number of seconds, 0 or more, got ${values.warmup}`);
const gatewayCount = whole('gateways', 1);
const rate = values.rate!;
const flushMs = values['flush-ms']!;
if (values.only !== undefined && values.only !== 'scale-out' && values.only !== 'all-in-one')
  throw new TypeError(`--only must be scale-out or all-in-one, got ${values.only}`);

/** The same simulated market in both setups: seed, instruments, rate, no bursts (as bench:fanout). */
const market = ['--seed', '42', '--instruments', String(options.instruments), '--rate', rate, '--no-bursts'];
const log = (line: string): void => console.log(line);

/** What is running, newest last, so that a failure or Ctrl-C stops it all (by PID) in reverse order. */
const running: (RoleProcess | NatsServer)[] = [];
async function stopAll(): Promise<void> {
  for (const proc of running.splice(0).reverse()) await ('dispose' in proc ? proc.dispose() : proc.stop());
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));

async function runScaleOut(): Promise<PhaseResult> {
  const nats = await startNatsServer({ monitor: true });
  running.push(nats);
  log(`nats-server ${nats.url} (pid ${nats.pid}, store ${nats.storeDir})`);
  const ingest = await startIngest(nats.url, market);
  running.push(ingest);
  log(`ingest active (pid ${ingest.pid}, ${ingest.healthUrl})`);
  const gateways = [];
  for (let g = 1; g <= gatewayCount; g++) {
    const gateway = await startGateway(nats.url, ['--flush-ms', flushMs]);
    running.push(gateway);
    gateways.push(gateway);
    log(`gateway ${g} ${gateway.url} (pid ${gateway.pid})`);
  }
  const result = await measurePhase(
    {
      urls: gateways.map((g) => g.url),
      processes: [
        { name: 'nats-server', pid: nats.pid! },
        { name: 'ingest', pid: ingest.pid },
        ...gateways.map((g, i) => ({ name: `gateway ${i + 1}`, pid: g.pid })),
      ],
      // Ticks the broker has stored: what ingest took in, once it is published.
      inputUpdates: healthCounter(ingest.healthUrl, (h) => h.publisher?.publishedTicks),
      backlog: healthCounter(ingest.healthUrl, (h) => h.publisher?.unpublished),
      natsMonitorUrl: nats.monitorUrl,
    },
    options,
    log,
  );
  log(`scale-out: ${phaseSummary(result)}`);
  await stopAll();
  return result;
}

async function runAllInOne(): Promise<PhaseResult> {
  // No backfill: ingest does none, and a 30-day backfill at start would land in the warm-up and window.
  const feed = spawnRole('feed', [...market, '--backfill-days', '0', '--no-persist', '--port', '0', '--flush-ms', flushMs]);
  running.push(feed);
  const url = String((await feed.waitForLog((l) => l.msg === 'feed service listening')).url);
  log(`all-in-one feed ${url} (pid ${feed.pid})`);
  const result = await measurePhase(
    {
      urls: [url],
      processes: [{ name: 'feed (all-in-one)', pid: feed.pid }],
      inputUpdates: healthCounter(`${url.replace('ws://', 'http://')}/healthz`, (h) => h.normaliser?.accepted),
    },
    options,
    log,
  );
  log(`all-in-one: ${phaseSummary(result)}`);
  await stopAll();
  return result;
}

try {
  const scaleOut = values.only === 'all-in-one' ? undefined : (log('--- scale-out over NATS'), await runScaleOut());
  const allInOne = values.only === 'scale-out' ? undefined : (log('--- all-in-one'), await runAllInOne());
  const config = { ...options, ratePerInstrument: Number(rate), flushMs: Number(flushMs), gateways: gatewayCount };
  console.log(`\nscale-out vs all-in-one, ${options.seconds} s windows (node ${process.version})`);
  for (const line of scaleTable(config, scaleOut, allInOne)) console.log(line);
  if (values.json)
    console.log(
      JSON.stringify({ bench: 'scale', config, scaleOut, allInOne, capacity: capacityFigures(config, scaleOut, allInOne) }, jsonNumbers),
    );
} finally {
  await stopAll();
}

/** JSON.stringify replacer: drops the raw histograms and load reports, rounds numbers to 4 significant digits. */
function jsonNumbers(key: string, value: unknown): unknown {
  if (key === 'reports') return undefined;
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
}
