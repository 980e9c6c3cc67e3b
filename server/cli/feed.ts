/**
 * `npm run feed -- --port 8080 --seed 1 --instruments 20 --rate 50`: runs the feed service.
 * `npm run feed -- --adapter binance --adapter-opt symbols=btcusdt,ethusdt --adapter ./my-feed.ts`
 * runs any adapters instead (`--help`, docs/adapters.md). Flags: flag-table.ts.
 * SIGINT / SIGTERM close every client with 1001 and exit; a second one exits at once.
 */
import { constants as osConstants } from 'node:os';
import { collectAdapterRequests, type AdapterRequest } from '../adapters/adapter-args';
import { loadAdapters } from '../adapters/load-adapter';
import { parseSymbolMapEntries } from '../adapters/symbol-map';
import { startFeedService, type FeedService } from '../feed-service';
import type { GatewayOptions } from '../gateway/options';
import { createLogger } from '../log';
import { onShutdownSignals } from '../shutdown-signals';
import { exitUsage, parseCommandLine, type FlagValues } from './args';
import { FEED_FLAGS } from './flag-table';
import { FEED_HELP } from './help';
import { gatewayFlags, simulatorFlags, supervisorFlags } from './feed-options';

type FeedValues = FlagValues<typeof FEED_FLAGS>;

async function main(): Promise<void> {
  let values: FeedValues;
  let requests: AdapterRequest[];
  let symbolMaps;
  let gateway: Partial<GatewayOptions>;
  try {
    const parsed = parseCommandLine(FEED_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${FEED_HELP}\n`);
      return;
    }
    values = parsed.values;
    requests = collectAdapterRequests(parsed.tokens);
    symbolMaps = parseSymbolMapEntries(values['symbol-map']);
    gateway = gatewayFlags(values);
  } catch (err) {
    exitUsage((err as Error).message);
  }
  const level = values['log-level'];
  const logger = createLogger(level ? { level } : {});
  // Adapters log through their own default loggers, which read this variable.
  if (level !== undefined) process.env.TICKWIRE_LOG_LEVEL = level;

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
    exitUsage(`adapter setup failed: ${(err as Error).message}`);
  }

  // Signals are handled from before the port opens: "listening" is logged while adapters may still
  // be starting (up to --start-timeout-ms), and a Ctrl-C then must stop gracefully, not kill.
  let service: FeedService | undefined;
  let stopRequested = false;
  const stop = (running: FeedService): void => {
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('error while shutting down', { error: err });
        process.exit(1);
      },
    );
  };
  onShutdownSignals({
    first: (signal) => {
      logger.info('shutting down', { signal });
      stopRequested = true;
      if (service !== undefined) stop(service);
    },
    // A second Ctrl-C: the person will not wait out a hung adapter's stop or a client that never
    // answers its close frame (several seconds each). Exit now, as a shell expects of a signal.
    again: (signal) => {
      logger.warn('second signal while shutting down: exiting now', { signal });
      process.exit(128 + osConstants.signals[signal]);
    },
  });
  try {
    service = await startFeedService({
      port: values.port,
      host: values.host,
      logger,
      adapters: loaded,
      symbolMaps,
      supervisor: supervisorFlags(values),
      trapAdapterFaults: true,
      gateway,
    });
  } catch (err) {
    if (err instanceof TypeError) exitUsage(err.message);
    throw err;
  }
  const started = service;
  for (const venue of symbolMaps.keys()) {
    if (!started.supervisors.some((s) => s.venue === venue)) logger.warn('symbol map names a venue no adapter runs', { venue });
  }
  if (stopRequested) stop(started);
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') process.stderr.write(`Port already in use: ${e.message}. Pick another with --port.\n`);
  else process.stderr.write(`feed service failed to start: ${e.stack ?? String(err)}\n`);
  process.exit(1);
});
