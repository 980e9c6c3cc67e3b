/**
 * The ingest role (docs/scaling.md): adapters -> normaliser -> the JetStream tick stream, with the
 * instrument table, venue status and epoch in the KV bucket, and the history state warming gateways
 * ask for. Several ingests of one deployment elect one publisher through the lease (lease.ts); the
 * others stand by, following the stream, and the first to see the lease expire takes over under
 * the same epoch, continuing every instrument's sequence.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Instrument } from '../../lib/market/types';
import { installAdapterFaultTrap } from '../adapters/fault-scope';
import { isSupervisedAdapter, superviseAdapters } from '../adapters/supervise';
import type { AdapterSupervisor, SupervisedAdapter, SupervisorOptions } from '../adapters/supervisor';
import type { SymbolMaps } from '../adapters/symbol-map';
import type { FeedAdapter } from '../adapters/types';
import { HISTORY_DEFAULTS, History, type HistoryConfig } from '../history/history';
import { PersistedHistory } from '../history/store/persisted-history';
import { SqliteBarStore } from '../history/store/sqlite-store';
import { StoredHistoryPages } from '../history/store/stored-pages';
import type { StoreHealth } from '../history/store/types';
import { HISTORY_FILE_NAME } from '../history/store/file-name';
import type { Logger } from '../log';
import { Normaliser } from '../normaliser/normaliser';
import { KV_KEYS, connectNats, kvJson, ensureStream, jetStreamOf, openBucket, type NatsSettings } from '../bus/nats/config';
import { DEFAULT_INGEST_PORT, DEFAULT_LEASE_MS, DEFAULT_MAX_UNPUBLISHED } from '../bus/nats/defaults';
import { acquireLease, checkLeaseVenues, type Lease, type LeaseRecord } from '../bus/nats/lease';
import { StreamMirror } from '../bus/nats/mirror';
import { TickPublisher } from '../bus/nats/publisher';
import { serveState } from '../bus/nats/state';
import { serveHistory } from '../bus/nats/history-service';
import { MemoryHistoryPages } from '../history/memory-pages';
import { IngestBus, LatestPut } from './ingest-bus';

/** How often the acknowledged seqs are checkpointed to KV, ms. */
const SEQ_CHECKPOINT_MS = 1000;

export interface IngestServiceOptions {
  readonly nats: NatsSettings;
  readonly adapters: readonly (FeedAdapter | SupervisedAdapter)[];
  readonly symbolMaps?: SymbolMaps;
  readonly supervisor?: Partial<SupervisorOptions>;
  readonly trapAdapterFaults?: boolean;
  readonly history?: Partial<HistoryConfig>;
  /**
   * Folder of the SQLite history store (`<dir>/history.sqlite`): finished bars are kept there and
   * history pages reach back into it. Give each ingest of a deployment its own. Off when absent.
   */
  readonly dataDir?: string;
  /** @defaultValue {@link DEFAULT_LEASE_MS} */
  readonly leaseMs?: number;
  /** @defaultValue {@link DEFAULT_MAX_UNPUBLISHED} */
  readonly maxUnpublished?: number;
  /** Port of GET /healthz; 0 picks a free one. @defaultValue {@link DEFAULT_INGEST_PORT} */
  readonly port?: number;
  readonly host?: string;
  readonly logger: Logger;
  /** Called when this ingest must stop publishing (lease lost, fenced by the broker): the CLI exits 1. */
  readonly onFatal?: (reason: string) => void;
}

export interface IngestHealth {
  readonly status: 'ok' | 'degraded';
  readonly role: 'starting' | 'standby' | 'active' | 'stopped';
  readonly owner: string;
  readonly venues: readonly string[];
  readonly epoch: number | undefined;
  readonly holder: string | undefined;
  readonly instruments: number;
  readonly publisher: ReturnType<TickPublisher['stats']> | undefined;
  readonly history: ReturnType<History['stats']> & { readonly store: StoreHealth | { readonly state: 'off' } };
  readonly mirroredTicks: number;
  readonly adapters: readonly { venue: string; state: string; reason: string }[];
}

export interface IngestService {
  /** http:// URL of /healthz. */
  readonly healthUrl: string;
  readonly owner: string;
  /** Resolves when this ingest is the active publisher (never, while it stands by). */
  readonly active: Promise<void>;
  health(): IngestHealth;
  close(): Promise<void>;
}

function venuesOf(adapters: readonly (FeedAdapter | SupervisedAdapter)[]): string[] {
  return [...new Set(adapters.map((a) => (isSupervisedAdapter(a) ? a.adapter.venue : a.venue)))].sort();
}

async function readJson<T>(kv: KV, key: string): Promise<T | undefined> {
  return kvJson<T>(await kv.get(key));
}

/**
 * Starts an ingest: connects, creates or checks the stream and bucket, serves /healthz, then takes
 * the lease (resolving `active`) or stands by.
 * @throws NatsSetupError when NATS is unreachable, has no JetStream, or the stream is incompatible.
 */
export async function startIngestService(o: IngestServiceOptions): Promise<IngestService> {
  const logger = o.logger;
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const venues = venuesOf(o.adapters);
  const nc: NatsConnection = await connectNats(o.nats, `tickwire-ingest ${owner}`);
  let server: Server | undefined;
  try {
    const jsm = await jetStreamOf(nc, o.nats);
    await ensureStream(jsm, o.nats);
    const kv = await openBucket(nc, o.nats, true);
    const js = jetstream(nc);
    const history = new History(o.history);
    // With a data folder, every bar the history changes is written to the store (under its symbol).
    const symbols = new Map<number, string>();
    const noteSymbols = (list: readonly Instrument[]): void => {
      for (const instrument of list) symbols.set(instrument.id, instrument.symbol);
    };
    noteSymbols((await readJson<Instrument[]>(kv, KV_KEYS.instruments)) ?? []);
    const store =
      o.dataDir === undefined
        ? undefined
        : new SqliteBarStore({ path: join(o.dataDir, HISTORY_FILE_NAME), logger: logger.child({ component: 'store' }) });
    const persisted =
      store &&
      new PersistedHistory(
        history,
        store,
        (id) => symbols.get(id),
        o.history?.barCapacity ?? HISTORY_DEFAULTS.barCapacity,
        logger.child({ component: 'store' }),
      );
    const applied = persisted ?? history;
    const pages = persisted ? new StoredHistoryPages(history, persisted) : new MemoryHistoryPages(history);
    const mirror = new StreamMirror(js, jsm, o.nats, applied, logger.child({ component: 'mirror' }));
    await mirror.start();

    let role: IngestHealth['role'] = 'starting';
    let holder: LeaseRecord | undefined;
    let epoch: number | undefined;
    let publisher: TickPublisher | undefined;
    let normaliser: Normaliser | undefined;
    let supervisors: AdapterSupervisor[] = [];
    let bus: IngestBus | undefined;
    let lease: Lease | undefined;
    let stateSub: Subscription | undefined;
    let historySub: Subscription | undefined;
    let checkpoint: NodeJS.Timeout | undefined;
    // A new epoch must reach the bucket even when the broker is away when it is chosen (an overflow
    // during an outage): gateways started later read it there.
    const epochPut = new LatestPut(kv, KV_KEYS.epoch, logger);
    let uninstallTrap: (() => void) | undefined;
    const abort = new AbortController();

    const health = (): IngestHealth => {
      const status = bus?.status() ?? [];
      return {
        status: role === 'active' && status.every((v) => v.state === 'live') ? 'ok' : 'degraded',
        role,
        owner,
        venues,
        epoch,
        holder: role === 'active' ? owner : holder?.owner,
        instruments: bus?.instruments().length ?? 0,
        publisher: publisher?.stats(),
        history: { ...history.stats(), store: store?.health() ?? { state: 'off' } },
        mirroredTicks: mirror.ticksApplied,
        adapters: status.map((v) => ({ venue: v.venue, state: v.state, reason: v.reason })),
      };
    };

    server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url ?? '/').split('?')[0] === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(health()));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Tickwire ingest: GET /healthz\n');
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(o.port ?? DEFAULT_INGEST_PORT, o.host ?? '127.0.0.1', () => resolve());
    });
    const port = (listening.address() as AddressInfo).port;
    const healthUrl = `http://${o.host && o.host !== '0.0.0.0' ? o.host : '127.0.0.1'}:${port}/healthz`;
    logger.info('ingest listening', { healthUrl, owner, venues });

    let fatal = false;
    const fail = (reason: string): void => {
      if (fatal) return;
      fatal = true;
      logger.error('ingest must stop publishing', { reason });
      publisher?.stop();
      o.onFatal?.(reason);
    };

    const becomeActive = async (held: Lease): Promise<void> => {
      lease = held;
      void held.lost.then((why) => fail(`lost the ingest lease: ${why}`));
      await mirror.caughtUp();
      await mirror.stop();
      const stored = await readJson<number>(kv, KV_KEYS.epoch);
      epoch = stored !== undefined && Number.isSafeInteger(stored) && stored > 0 ? stored : Date.now();
      if (stored !== epoch) await kv.put(KV_KEYS.epoch, String(epoch));
      const instruments = (await readJson<Instrument[]>(kv, KV_KEYS.instruments)) ?? [];
      const checkpointed = (await readJson<Record<string, number>>(kv, KV_KEYS.seqs)) ?? {};
      const lastSeqs = new Map(mirror.lastSeqs);
      for (const [id, seq] of Object.entries(checkpointed)) lastSeqs.set(Number(id), Math.max(seq, lastSeqs.get(Number(id)) ?? 0));
      publisher = new TickPublisher({
        js,
        jsm,
        settings: o.nats,
        publisherId: owner,
        epoch: () => epoch as number,
        lastStreamSeqs: mirror.lastStreamSeqs,
        maxUnpublished: o.maxUnpublished ?? DEFAULT_MAX_UNPUBLISHED,
        canPublish: () => held.valid(),
        logger: logger.child({ component: 'publisher' }),
        onFenced: (id, detail) => fail(`fenced on instrument ${id}: ${detail}`),
        onOverflow: (dropped, epochPublished) => {
          if (!epochPublished) {
            logger.warn('unpublished ticks over the bound: dropped; the epoch changed already and none of its ticks is published yet', {
              dropped,
              bound: o.maxUnpublished ?? DEFAULT_MAX_UNPUBLISHED,
              epoch,
            });
            return;
          }
          const next = Math.max(Date.now(), (epoch as number) + 1);
          logger.error('unpublished ticks over the bound: dropped, and a new epoch tells every client to resync', {
            dropped,
            bound: o.maxUnpublished ?? DEFAULT_MAX_UNPUBLISHED,
            oldEpoch: epoch,
            newEpoch: next,
          });
          epoch = next;
          epochPut.set(String(next));
        },
      });
      bus = new IngestBus(() => epoch as number, applied, publisher, kv, logger, noteSymbols);
      normaliser = new Normaliser({ bus, logger: logger.child({ component: 'normaliser' }), resume: { instruments, lastSeqs } });
      if (instruments.length > 0) bus.publishInstruments(instruments);
      supervisors = superviseAdapters(o.adapters, normaliser, logger, o);
      stateSub = serveState(nc, o.nats, history, () => epoch as number, logger.child({ component: 'state' }));
      historySub = serveHistory(nc, o.nats, pages, logger.child({ component: 'history' }));
      let written = '';
      checkpoint = setInterval(() => {
        const seqs = JSON.stringify(Object.fromEntries(publisher?.ackedSeqs ?? []));
        if (seqs === written || publisher === undefined || publisher.ackedSeqs.size === 0) return;
        kv.put(KV_KEYS.seqs, seqs).then(
          () => (written = seqs),
          () => undefined,
        );
      }, SEQ_CHECKPOINT_MS);
      void (async () => {
        // The broker is back: confirm the lease and send what waited, without backoff steps.
        for await (const s of nc.status()) {
          if (s.type === 'reconnect') void held.renewNow().then(() => publisher?.retryNow());
        }
      })();
      role = 'active';
      logger.info('ingest active', { epoch, owner, venues, instruments: instruments.length, resumedSeqs: lastSeqs.size });
      if (o.trapAdapterFaults === true) uninstallTrap = installAdapterFaultTrap({ logger: logger.child({ component: 'fault-trap' }) });
      await Promise.all(supervisors.map((s) => s.start()));
    };

    // A standby for other venues is refused now, at start-up, not after it has waited.
    await checkLeaseVenues(kv, venues, o.leaseMs ?? DEFAULT_LEASE_MS);
    const active = acquireLease(
      {
        kv,
        owner,
        venues,
        leaseMs: o.leaseMs ?? DEFAULT_LEASE_MS,
        logger,
        onStandby: (h) => {
          holder = h;
          role = 'standby';
          logger.info('ingest standing by', { holder: h.owner, leaseMs: o.leaseMs ?? DEFAULT_LEASE_MS });
        },
      },
      abort.signal,
    ).then(becomeActive);
    active.catch((error: unknown) => {
      if (!abort.signal.aborted) fail(String((error as Error).message ?? error));
    });

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        abort.abort();
        await Promise.all(supervisors.map((s) => s.stop()));
        if (normaliser !== undefined) {
          await normaliser.detachAll();
          normaliser.flush();
          normaliser.flushRejectLog();
        }
        if (publisher !== undefined) await Promise.race([publisher.idle(), new Promise((r) => setTimeout(r, 5000))]);
        publisher?.stop();
        clearInterval(checkpoint);
        if (publisher !== undefined && publisher.ackedSeqs.size > 0) {
          await kv.put(KV_KEYS.seqs, JSON.stringify(Object.fromEntries(publisher.ackedSeqs))).catch(() => undefined);
        }
        await bus?.close();
        epochPut.stop();
        stateSub?.unsubscribe();
        historySub?.unsubscribe();
        await lease?.release();
        await mirror.stop();
        store?.close();
        uninstallTrap?.();
        role = 'stopped';
        await new Promise<void>((resolve) => listening.close(() => resolve()));
        if (!nc.isClosed()) await nc.drain().catch(() => undefined);
        logger.info('ingest stopped');
      })();
      return closing;
    };
    return { healthUrl, owner, active: active.then(() => undefined), health, close };
  } catch (error) {
    server?.close();
    await nc.close();
    throw error;
  }
}
