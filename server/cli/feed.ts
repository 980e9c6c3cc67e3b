/**
 * `npm run feed -- --port 8080 --seed 1 --instruments 20 --rate 50`: runs the feed service.
 * `npm run feed -- --adapter binance --adapter-opt symbols=btcusdt,ethusdt --adapter ./my-feed.ts`
 * runs any adapters instead (see ADAPTER_ARGS_HELP and docs/adapters.md).
 * SIGINT / SIGTERM close every client with 1001 and exit; a second one exits at once.
 */
import { constants as osConstants } from 'node:os';
import { parseArgs } from 'node:util';
import { ADAPTER_ARG_OPTIONS, ADAPTER_ARGS_HELP, collectAdapterRequests, type AdapterRequest } from '../adapters/adapter-args';
import { loadAdapters } from '../adapters/load-adapter';
import { MAX_RATE_PER_INSTRUMENT } from '../adapters/simulated';
import { parseSymbolMapEntries } from '../adapters/symbol-map';
import type { SupervisorOptions } from '../adapters/supervisor';
import { startFeedService } from '../feed-service';
import { MAX_TIMER_MS } from '../gateway/options';
import { createLogger, type LogLevel } from '../log';
import { onShutdownSignals } from '../shutdown-signals';

const HELP = `Tickwire feed service

Usage: npm run feed -- [options]

Options:
  --port <n>            TCP port for WebSocket clients and /healthz (default 8080, env FEED_PORT)
  --host <addr>         interface to listen on (default 127.0.0.1, env FEED_HOST; 0.0.0.0 for all)
  --seed <n>            simulator seed: same seed, same market (default 1)
  --instruments <n>     simulated instruments (default 20; more than the catalogue are synthetic)
  --rate <n>            simulated updates per second per instrument (default 5)
  --no-bursts           disable the simulator's occasional activity bursts
  --flush-ms <n>        live batch flush interval in ms (default 25)
  --heartbeat-ms <n>    heartbeat interval in ms (default 5000)
  --allow-origin <o>    browser origin allowed to connect (repeatable; "*" for any).
                        Default: http://localhost:3000 and any localhost / 127.0.0.1 origin
  --log-level <level>   debug | info | warn | error | silent (default info, env TICKWIRE_LOG_LEVEL)
  -h, --help            show this help

${ADAPTER_ARGS_HELP}

Supervision (every adapter):
  --stale-after-ms <n>           no data this long from a live adapter -> stale (default 30000)
  --restart-after-silent-ms <n>  no data this long -> restart it; 0 = never (default 120000)
  --start-timeout-ms <n>         start() taking longer counts as failed (default 15000)
  --restart-min-ms <n>           first restart delay (default 1000); doubles, jittered, up to
  --restart-max-ms <n>           the largest restart delay (default 60000)

Health: GET http://<host>:<port>/healthz
Protocol: docs/protocol.md   Adapters: docs/adapters.md`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\nRun with --help for usage.\n`);
  process.exit(2);
}

/**
 * A numeric flag: `fallback` when absent, else a number in min..max. Blank text is refused, not
 * read as 0 (`Number('')` is 0: `--port ""` would have listened on a random port).
 */
function intOption(name: string, value: string | undefined, fallback: number, min = 0, max = Number.POSITIVE_INFINITY): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    usageError(`--${name} must be a number ${max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in ${min}..${max}`}, got "${value}"`);
  }
  return n;
}

/** A duration flag in ms: at most what a timer takes (MAX_TIMER_MS), since Node fires longer ones after 1 ms. */
function msOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  return intOption(name, value, fallback, min, MAX_TIMER_MS);
}

/** An environment variable, with an empty one (`FEED_HOST=` in a service file) treated as unset. */
function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Simulator flags given on the command line, as simulated-adapter options. */
function simulatorFlags(values: Record<string, string | boolean | string[] | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  if (str('seed') !== undefined) out.seed = intOption('seed', str('seed'), 1);
  if (str('instruments') !== undefined) out.instruments = intOption('instruments', str('instruments'), 20, 1);
  if (str('rate') !== undefined) {
    const rate = intOption('rate', str('rate'), 5, 0, MAX_RATE_PER_INSTRUMENT);
    // 0 passes the range above but the simulator needs some rate: say so in the flag's own terms.
    if (rate === 0) usageError(`--rate must be above 0 updates per second (fractions such as 0.5 work), got "${str('rate')}"`);
    out.ratePerInstrument = rate;
  }
  if (values['no-bursts'] === true) out.bursts = false;
  return out;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        instruments: { type: 'string' },
        rate: { type: 'string' },
        'no-bursts': { type: 'boolean' },
        'flush-ms': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'stale-after-ms': { type: 'string' },
        'restart-after-silent-ms': { type: 'string' },
        'start-timeout-ms': { type: 'string' },
        'restart-min-ms': { type: 'string' },
        'restart-max-ms': { type: 'string' },
        ...ADAPTER_ARG_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      tokens: true,
    });
  } catch (err) {
    usageError((err as Error).message);
  }
  const { values, tokens } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const levels = ['debug', 'info', 'warn', 'error', 'silent'];
  const level = values['log-level'];
  if (level !== undefined && !levels.includes(level)) usageError(`--log-level must be one of ${levels.join(', ')}`);
  const logger = createLogger(level ? { level: level as LogLevel } : {});
  // Adapters log through their own default loggers, which read this variable.
  if (level !== undefined) process.env.TICKWIRE_LOG_LEVEL = level;

  let requests: AdapterRequest[];
  let symbolMaps;
  try {
    requests = collectAdapterRequests(tokens);
    symbolMaps = parseSymbolMapEntries(values['symbol-map'] ?? []);
  } catch (err) {
    usageError((err as Error).message);
  }
  const simFlags = simulatorFlags(values);
  if (requests.length === 0) requests = [{ spec: 'simulated', options: {} }];
  if (Object.keys(simFlags).length > 0 && !requests.some((r) => r.spec === 'simulated')) {
    process.stderr.write('note: --seed/--instruments/--rate/--no-bursts only configure the simulated adapter, which is not running\n');
  }
  const withSimFlags = requests.map((r) => (r.spec === 'simulated' ? { spec: r.spec, options: { ...simFlags, ...r.options } } : r));
  let loaded;
  try {
    loaded = await loadAdapters(withSimFlags);
  } catch (err) {
    usageError(`adapter setup failed: ${(err as Error).message}`);
  }

  const supervisor: Partial<SupervisorOptions> = {
    ...(values['stale-after-ms'] !== undefined ? { staleAfterMs: msOption('stale-after-ms', values['stale-after-ms'], 0, 1) } : {}),
    ...(values['restart-after-silent-ms'] !== undefined ? { restartAfterSilentMs: msOption('restart-after-silent-ms', values['restart-after-silent-ms'], 0) } : {}),
    ...(values['start-timeout-ms'] !== undefined ? { startTimeoutMs: msOption('start-timeout-ms', values['start-timeout-ms'], 0, 1) } : {}),
    ...(values['restart-min-ms'] !== undefined ? { minRestartDelayMs: msOption('restart-min-ms', values['restart-min-ms'], 0, 1) } : {}),
    ...(values['restart-max-ms'] !== undefined ? { maxRestartDelayMs: msOption('restart-max-ms', values['restart-max-ms'], 0, 1) } : {}),
  };
  const origins = values['allow-origin'];
  let service;
  try {
    service = await startFeedService({
      port: intOption('port', values.port ?? env('FEED_PORT'), 8080, 0, 65535),
      host: values.host ?? env('FEED_HOST') ?? '127.0.0.1',
      logger,
      adapters: loaded,
      symbolMaps,
      supervisor,
      trapAdapterFaults: true,
      gateway: {
        flushIntervalMs: msOption('flush-ms', values['flush-ms'], 25, 1),
        heartbeatIntervalMs: msOption('heartbeat-ms', values['heartbeat-ms'], 5000, 100),
        ...(origins ? { allowedOrigins: origins } : {}),
      },
    });
  } catch (err) {
    if (err instanceof TypeError) usageError((err as Error).message);
    throw err;
  }
  for (const venue of symbolMaps.keys()) {
    if (!service.supervisors.some((s) => s.venue === venue)) logger.warn('symbol map names a venue no adapter runs', { venue });
  }
  onShutdownSignals({
    first: (signal) => {
      logger.info('shutting down', { signal });
      service.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('error while shutting down', { error: String(err) });
          process.exit(1);
        },
      );
    },
    // A second Ctrl-C: the person will not wait out a hung adapter's stop or a client that never
    // answers its close frame (several seconds each). Exit now, as a shell expects of a signal.
    again: (signal) => {
      logger.warn('second signal while shutting down: exiting now', { signal });
      process.exit(128 + osConstants.signals[signal]);
    },
  });
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') process.stderr.write(`Port already in use: ${e.message}. Pick another with --port.\n`);
  else process.stderr.write(`feed service failed to start: ${e.stack ?? String(err)}\n`);
  process.exit(1);
});
