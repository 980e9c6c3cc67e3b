/**
 * What the service CLIs (feed, ingest, gateway) share: the adapters the command line asks for, and
 * running a service until SIGINT / SIGTERM (graceful close; a second signal exits at once).
 */
import { constants as osConstants } from 'node:os';
import { collectAdapterRequests, type AdapterRequest } from '../adapters/adapter-args';
import { loadAdapters } from '../adapters/load-adapter';
import type { Logger } from '../log';
import { onShutdownSignals } from '../shutdown-signals';
import { exitUsage } from './args';
import { simulatorFlags, type FeedValues } from './feed-options';

/** The simulator flags a CLI may take (feed and ingest). */
type SimulatorValues = Pick<FeedValues, 'seed' | 'instruments' | 'rate' | 'no-bursts'>;

/**
 * Loads the adapters named by `--adapter` (default: the simulator, configured by the simulator
 * flags). Exits with a usage message when one cannot be loaded.
 */
export async function adaptersFromCommandLine(tokens: Parameters<typeof collectAdapterRequests>[0], values: SimulatorValues) {
  let requests: AdapterRequest[];
  try {
    requests = collectAdapterRequests(tokens);
  } catch (err) {
    exitUsage((err as Error).message);
  }
  const simFlags = simulatorFlags(values);
  if (requests.length === 0) requests = [{ spec: 'simulated', options: {} }];
  if (Object.keys(simFlags).length > 0 && !requests.some((r) => r.spec === 'simulated')) {
    process.stderr.write('note: --seed/--instruments/--rate/--no-bursts only configure the simulated adapter, which is not running\n');
  }
  const withSimFlags = requests.map((r) => (r.spec === 'simulated' ? { spec: r.spec, options: { ...simFlags, ...r.options } } : r));
  try {
    return await loadAdapters(withSimFlags);
  } catch (err) {
    exitUsage(`adapter setup failed: ${(err as Error).message}`);
  }
}

/**
 * Starts a service with signals handled from before it starts (a Ctrl-C while adapters start must
 * stop gracefully, not kill), and exits 0 once a signal's close finishes.
 */
export async function runUntilSignal<S extends { close(): Promise<void> }>(logger: Logger, start: () => Promise<S>): Promise<S> {
  let service: S | undefined;
  let stopRequested = false;
  const stop = (running: S): void => {
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
  service = await start();
  if (stopRequested) stop(service);
  return service;
}

/** The message and exit of a service that failed to start. */
export function reportStartFailure(err: unknown, what: string): never {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') process.stderr.write(`Port already in use: ${e.message}. Pick another with --port.\n`);
  else if (e instanceof Error && e.name === 'NatsSetupError') process.stderr.write(`${what} failed to start: ${e.message}\n`);
  else process.stderr.write(`${what} failed to start: ${e.stack ?? String(err)}\n`);
  process.exit(1);
}
