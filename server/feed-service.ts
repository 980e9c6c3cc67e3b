/**
 * The feed service as one object: adapters (each under a supervisor) -> normaliser -> bus ->
 * history + gateway, behind one HTTP server that upgrades WebSocket requests and answers
 * `GET /healthz`. Used by the CLI (server/cli/feed.ts), the `npm start` launcher, tests and benchmarks.
 */
import type { Server } from 'node:http';
import { createAdapter } from './adapters';
import { installAdapterFaultTrap } from './adapters/fault-scope';
import { superviseAdapters } from './adapters/supervise';
import type { AdapterSupervisor, SupervisedAdapter, SupervisorOptions, SupervisorReport } from './adapters/supervisor';
import type { SymbolMaps } from './adapters/symbol-map';
import type { FeedAdapter } from './adapters/types';
import { InProcessBus } from './bus/in-process';
import type { Bus } from './bus/types';
import { Gateway } from './gateway/gateway';
import type { GatewayOptions } from './gateway/options';
import type { BackfillProgress } from './history/backfill';
import { wireBackfill } from './history/backfill-wiring';
import { HISTORY_DEFAULTS, History } from './history/history';
import { MemoryHistoryPages } from './history/memory-pages';
import { StoredHistoryPages } from './history/store/stored-pages';
import type { HistoryOptions } from './history/types';
import { PersistedHistory } from './history/store/persisted-history';
import { captureState, continueFrom } from './history/store/restart-state';
import { SqliteBarStore } from './history/store/sqlite-store';
import type { BarStore, StoreHealth } from './history/store/types';
import { DEFAULT_EMBED_BUNDLE_PATH, checkAddress, closeFrontDoor, openFrontDoor } from './front-door';
import { createLogger, type Logger } from './log';
import { Normaliser } from './normaliser/normaliser';
import { DEFAULT_FEED_HOST, DEFAULT_FEED_PORT } from '../lib/net/feed-address';
import { join } from 'node:path';

/** The store's file in the data folder. */
export const HISTORY_FILE_NAME = 'history.sqlite';

export interface FeedServiceOptions {
  /** TCP port; 0 picks a free one. @defaultValue 8080 */
  readonly port: number;
  /** Interface to listen on. @defaultValue "127.0.0.1" */
  readonly host: string;
  /**
   * Adapters to run, each under its own supervisor: an instance (restarted by stop + start) or
   * `{ adapter, recreate }` (a fresh instance per restart). Venues must be distinct.
   * @defaultValue one `simulated` adapter built from `simulated`.
   */
  readonly adapters?: readonly (FeedAdapter | SupervisedAdapter)[];
  /** Symbol maps per venue (see server/adapters/symbol-map.ts), added to each adapter's own. */
  readonly symbolMaps?: SymbolMaps;
  /** Restart, staleness and timeout settings of every adapter's supervisor. */
  readonly supervisor?: Partial<SupervisorOptions>;
  /**
   * Installs the process-level trap that turns an error thrown from an adapter's own callbacks
   * into a restart of that adapter (see server/adapters/fault-scope.ts). The CLI turns it on;
   * embedders that own the process decide for themselves. @defaultValue false
   */
  readonly trapAdapterFaults?: boolean;
  /** Options for the default simulated adapter (seed, instruments, ratePerInstrument...). */
  readonly simulated?: Record<string, unknown>;
  /**
   * Sequence epoch; a restart must use a new one, except one that continues a saved state.
   * @defaultValue the saved state's epoch after a graceful stop, else Date.now()
   */
  readonly epoch?: number;
  /**
   * Data folder (absolute): bars of every interval and the restart state are kept in
   * `<dataDir>/history.sqlite` (docs/architecture.md "Where history lives"). The CLI passes
   * `.tickwire` in the folder it was started from unless `--no-persist`.
   * @defaultValue none: history in memory only
   */
  readonly dataDir?: string;
  /** A store to use instead of the one `dataDir` opens (tests, embedders); the service closes it. */
  readonly store?: BarStore;
  readonly gateway?: Partial<GatewayOptions>;
  readonly history?: Partial<HistoryOptions>;
  /**
   * Days of 1m bars to backfill into the store from adapters that offer history
   * (server/history/backfill.ts), in the background once they declare their instruments. Needs a
   * store (`dataDir` or `store`); 0 or absent: off.
   */
  readonly backfillDays?: number;
  readonly logger?: Logger;
  /**
   * The `<tickwire-chart>` bundle served at GET /embed/tickwire-chart.js (docs/embedding.md).
   * @defaultValue dist/embed/tickwire-chart.js of this repository (`npm run build:embed`)
   */
  readonly embedBundlePath?: string;
}

export interface FeedService {
  /** ws:// URL clients connect to. */
  readonly url: string;
  readonly port: number;
  readonly epoch: number;
  readonly bus: Bus;
  readonly gateway: Gateway;
  readonly normaliser: Normaliser;
  /** One per adapter, in the order given. */
  readonly supervisors: readonly AdapterSupervisor[];
  readonly server: Server;
  /** Snapshot of what /healthz reports. */
  health(): HealthReport;
  /** Stops adapters, closes every client with 1001, and closes the port. */
  close(): Promise<void>;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly uptimeSec: number;
  readonly epoch: number;
  /** Per venue: its state, plus its adapter's supervisor report when it has one. */
  readonly adapters: readonly ({ venue: string; state: string; reason: string } & Partial<SupervisorReport>)[];
  readonly instruments: number;
  readonly clients: number;
  readonly conflatingClients: number;
  readonly normaliser: ReturnType<Normaliser['stats']>;
  readonly history: ReturnType<History['stats']> & { readonly store: StoreHealth | { readonly state: 'off' } };
  readonly gateway: ReturnType<Gateway['stats']>;
  /** Backfill progress, when a backfill runs. */
  readonly backfill?: BackfillProgress;
}

const DEFAULTS = {
  port: DEFAULT_FEED_PORT,
  host: DEFAULT_FEED_HOST,
  embedBundlePath: DEFAULT_EMBED_BUNDLE_PATH,
};

/**
 * Starts the service and resolves once it is listening and each adapter's first start has
 * finished or failed (a failure schedules a restart; it does not reject this). The
 * "feed service listening" log line comes as soon as the port is open, before the adapters start.
 */
export async function startFeedService(options: Partial<FeedServiceOptions> = {}): Promise<FeedService> {
  const opts = { ...DEFAULTS, ...options };
  checkAddress(opts.port, opts.host);
  const logger = opts.logger ?? createLogger();
  const startedAt = Date.now();
  const memory = new History(opts.history);
  const store =
    opts.store ??
    (opts.dataDir !== undefined
      ? new SqliteBarStore({ path: join(opts.dataDir, HISTORY_FILE_NAME), logger: logger.child({ component: 'store' }) })
      : undefined);
  // A graceful stop left the epoch, the table, the seqs and the history: continue them.
  const continued = opts.epoch === undefined ? continueFrom(store?.takeState(), memory) : undefined;
  const bus = new InProcessBus({ epoch: continued?.epoch ?? opts.epoch ?? startedAt, logger });
  const normaliser = new Normaliser({
    bus,
    logger: logger.child({ component: 'normaliser' }),
    ...(continued ? { resume: continued.resume } : {}),
  });
  if (continued && continued.resume.instruments.length > 0) bus.publishInstruments(continued.resume.instruments);
  let supervisors;
  try {
    // Built first: a configuration error (two adapters on one venue) must leave nothing running.
    const adapters = opts.adapters ?? [createAdapter('simulated', opts.simulated ?? {})];
    supervisors = superviseAdapters(adapters, normaliser, logger, opts);
  } catch (error) {
    store?.close();
    throw error;
  }
  const symbols = new Map<number, string>();
  const noteSymbols = (list: readonly { id: number; symbol: string }[]): void => {
    for (const instrument of list) symbols.set(instrument.id, instrument.symbol);
  };
  noteSymbols(bus.instruments());
  bus.onInstruments(noteSymbols);
  const barCapacity = opts.history?.barCapacity ?? HISTORY_DEFAULTS.barCapacity;
  const persisted =
    store && new PersistedHistory(memory, store, (id) => symbols.get(id), barCapacity, logger.child({ component: 'store' }));
  const history = persisted ?? memory;
  const historyPages = persisted ? new StoredHistoryPages(memory, persisted) : new MemoryHistoryPages(memory);
  const gateway = new Gateway(
    {
      bus,
      history,
      historyPages,
      ...(persisted ? { olderBars: persisted.olderBars.bind(persisted) } : {}),
      logger: logger.child({ component: 'gateway' }),
    },
    opts.gateway,
  );
  const backfillDays = opts.backfillDays ?? 0;
  const backfill =
    store !== undefined && backfillDays > 0
      ? wireBackfill({ store, days: backfillDays }, { bus, normaliser, supervisors, logger: logger.child({ component: 'backfill' }) })
      : undefined;
  if (continued)
    logger.info('continuing the epoch saved at the last stop', {
      epoch: continued.epoch,
      instruments: continued.resume.instruments.length,
    });

  const health = (): HealthReport => {
    const venues = bus.status();
    const reports = new Map(supervisors.map((s) => [s.venue, s.report()]));
    const gw = gateway.stats();
    return {
      status: venues.every((v) => v.state === 'live') ? 'ok' : 'degraded',
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      epoch: bus.epoch,
      adapters: venues.map((v) => ({ ...reports.get(v.venue), venue: v.venue, state: v.state, reason: v.reason })),
      instruments: bus.instruments().length,
      clients: gw.clients,
      conflatingClients: gw.conflating,
      normaliser: normaliser.stats(),
      history: { ...history.stats(), store: store?.health() ?? { state: 'off' } },
      gateway: gw,
      ...(backfill !== undefined ? { backfill: backfill.progress() } : {}),
    };
  };

  let front;
  try {
    front = await openFrontDoor({ gateway, host: opts.host, port: opts.port, embedBundlePath: opts.embedBundlePath, health });
  } catch (error) {
    // E.g. EADDRINUSE: the caller gets no handle to close, so release the gateway's timers here,
    // or a process that handled the error would never exit.
    await backfill?.stop();
    await gateway.close();
    await bus.close();
    store?.close();
    throw error;
  }
  const { server, port, url } = front;

  // Logged as soon as the port answers: an adapter whose start() hangs holds up the line below
  // (up to startTimeoutMs), not this news.
  logger.info('feed service listening', { url, epoch: bus.epoch, adapters: supervisors.map((s) => s.label) });
  const uninstallTrap =
    opts.trapAdapterFaults === true ? installAdapterFaultTrap({ logger: logger.child({ component: 'fault-trap' }) }) : undefined;
  await Promise.all(supervisors.map((s) => s.start()));
  backfill?.scan();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await backfill?.stop();
      await Promise.all(supervisors.map((s) => s.stop()));
      await normaliser.detachAll();
      normaliser.flush();
      normaliser.flushRejectLog();
      // Apply (and send) what is pending, so history ends at the normaliser's last seqs.
      gateway.flush();
      if (store) {
        store.saveState(captureState(bus.epoch, normaliser.instruments(), normaliser.lastSeqs(), memory));
        store.close();
      }
      await gateway.close();
      await closeFrontDoor(server);
      await bus.close();
      uninstallTrap?.();
      logger.info('feed service stopped');
    })();
    return closing;
  };

  return { url, port, epoch: bus.epoch, bus, gateway, normaliser, supervisors, server, health, close };
}
