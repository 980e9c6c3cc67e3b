/**
 * A gateway's bus in a scaled deployment (docs/scaling.md): reads the epoch, the instrument table
 * and the venue status from the KV bucket (and follows them), and receives only the instruments its
 * clients hold, each through an {@link InstrumentFeed} that warms the gateway's history first.
 * While the NATS connection is down every venue reads `upstream_lost`, and /healthz says so.
 */
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { KvWatchInclude, type KV, type KvEntry, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import type { Instrument } from '../../../lib/market/types';
import type { VenueStatus } from '../../../lib/protocol/messages';
import type { History } from '../../history/history';
import type { Logger } from '../../log';
import type { GatewayUpstream } from '../../gateway/upstream';
import { Channel } from '../channel';
import type { Bus, Tick, Unsubscribe } from '../types';
import { KV_KEYS, NatsSetupError, connectNats, kvJson, jetStreamOf, openBucket, requireStream, type NatsSettings } from './config';
import { DEFAULT_LINGER_MS, DEFAULT_MAX_UPSTREAM_LAG_MS } from './defaults';
import { NatsHistoryPages } from './history-service';
import { InstrumentFeed, type FeedContext } from './instrument-feed';

export interface NatsUpstreamOptions {
  readonly settings: NatsSettings;
  /** The gateway's history: warming imports into it. */
  readonly history: History;
  readonly logger: Logger;
  readonly lingerMs?: number;
  readonly maxLagMs?: number;
}

/** What /healthz says about the upstream. */
export interface UpstreamHealth {
  readonly state: 'connected' | 'lost';
  /** When the connection was lost (ISO time), while lost. */
  readonly lostSince: string | undefined;
  readonly servers: readonly string[];
  readonly instruments: number;
  readonly warming: number;
  readonly resyncs: number;
  readonly epochChanges: number;
}

const parseList = <T>(entry: KvEntry | null): readonly T[] => Object.freeze(kvJson<T[]>(entry) ?? []);

export class NatsUpstream implements Bus, GatewayUpstream {
  private currentEpoch: number;
  private readonly ticks: Channel<readonly Tick[]>;
  private readonly instrumentsChannel: Channel<readonly Instrument[]>;
  private readonly statusChannel: Channel<readonly VenueStatus[]>;
  private readonly resyncChannel: Channel<readonly number[]>;
  private readonly epochChannel: Channel<number>;
  private latestInstruments: readonly Instrument[];
  private latestStatus: readonly VenueStatus[];
  private readonly feeds = new Map<number, InstrumentFeed>();
  private readonly ctx: FeedContext;
  private lostSinceMs: number | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private readonly loops: Promise<void>[] = [];
  private counters = { resyncs: 0, epochChanges: 0 };
  private closed = false;
  private incoming: Tick[] = [];
  private deliveryScheduled = false;
  private readonly lingerMs: number;

  private constructor(
    private readonly o: NatsUpstreamOptions,
    private readonly nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    private readonly kv: KV,
    epoch: number,
    instruments: readonly Instrument[],
    status: readonly VenueStatus[],
  ) {
    this.currentEpoch = epoch;
    this.latestInstruments = instruments;
    this.latestStatus = status;
    this.lingerMs = o.lingerMs ?? DEFAULT_LINGER_MS;
    this.ticks = new Channel('ticks', o.logger);
    this.instrumentsChannel = new Channel('instruments', o.logger);
    this.statusChannel = new Channel('status', o.logger);
    this.resyncChannel = new Channel('resync', o.logger);
    this.epochChannel = new Channel('epoch', o.logger);
    this.ctx = {
      nc,
      js,
      jsm,
      settings: o.settings,
      history: o.history,
      logger: o.logger,
      maxLagMs: o.maxLagMs ?? DEFAULT_MAX_UPSTREAM_LAG_MS,
      epoch: () => this.currentEpoch,
      epochSeen: (e) => this.switchEpoch(e),
      deliver: (t) => this.deliver(t),
      resynced: (id) => {
        this.counters.resyncs += 1;
        this.resyncChannel.emit([id]);
      },
    };
  }

  /**
   * Connects, checks the stream and reads the deployment's state.
   * @throws NatsSetupError when NATS is unreachable, the stream is missing or incompatible, or no ingest stored an epoch yet.
   */
  static async connect(o: NatsUpstreamOptions): Promise<NatsUpstream> {
    const nc = await connectNats(o.settings, 'tickwire-gateway');
    try {
      const jsm = await jetStreamOf(nc, o.settings);
      await requireStream(jsm, o.settings);
      const kv = await openBucket(nc, o.settings, false);
      const epochEntry = await kv.get(KV_KEYS.epoch);
      const epoch = epochEntry === null ? Number.NaN : Number(epochEntry.string());
      if (!Number.isSafeInteger(epoch) || epoch <= 0) {
        throw new NatsSetupError(
          `NATS KV bucket "${o.settings.bucket}" has no epoch yet: start an ingest (npm run ingest -- --nats ...) first`,
        );
      }
      const upstream = new NatsUpstream(
        o,
        nc,
        jetstream(nc),
        jsm,
        kv,
        epoch,
        parseList<Instrument>(await kv.get(KV_KEYS.instruments)),
        parseList<VenueStatus>(await kv.get(KV_KEYS.status)),
      );
      await upstream.start();
      return upstream;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  private async start(): Promise<void> {
    await this.watch();
    this.loops.push(
      (async () => {
        for await (const s of this.nc.status()) {
          if (s.type === 'disconnect') this.lost();
          else if (s.type === 'reconnect') void this.regained();
        }
      })(),
    );
  }

  /**
   * (Re)starts the KV watch. After a broker restart the library's own watch can take about 30 s to
   * recover (as its ordered consumers do), so a reconnect replaces it with a fresh one.
   */
  private async watch(): Promise<void> {
    this.watcher?.stop();
    const watcher = await this.kv.watch({ include: KvWatchInclude.UpdatesOnly });
    this.watcher = watcher;
    this.loops.push(
      (async () => {
        try {
          for await (const entry of watcher) this.applyEntry(entry);
        } catch (error) {
          if (!this.closed && this.watcher === watcher) this.o.logger.error('NATS KV watch failed', { error: String(error) });
        }
      })(),
    );
  }

  private applyEntry(entry: KvEntry): void {
    if (entry.key === KV_KEYS.epoch && entry.operation === 'PUT') {
      const epoch = Number(entry.string());
      if (Number.isSafeInteger(epoch) && epoch > 0) this.switchEpoch(epoch);
    } else if (entry.key === KV_KEYS.instruments) {
      this.latestInstruments = parseList<Instrument>(entry);
      this.instrumentsChannel.emit(this.latestInstruments);
    } else if (entry.key === KV_KEYS.status) {
      this.latestStatus = parseList<VenueStatus>(entry);
      if (this.lostSinceMs === undefined) this.statusChannel.emit(this.latestStatus);
    }
  }

  private lost(): void {
    if (this.lostSinceMs !== undefined || this.closed) return;
    this.lostSinceMs = Date.now();
    this.o.logger.warn('upstream lost: NATS connection down, reconnecting', { servers: this.o.settings.servers });
    this.statusChannel.emit(this.status());
  }

  private async regained(): Promise<void> {
    if (this.closed) return;
    const since = this.lostSinceMs;
    this.lostSinceMs = undefined;
    this.o.logger.info('upstream regained', { lostMs: since === undefined ? 0 : Date.now() - since });
    for (const feed of this.feeds.values()) feed.reattach();
    try {
      // Watch first, then read, so no change falls between the two.
      await this.watch();
      for (const key of [KV_KEYS.epoch, KV_KEYS.instruments, KV_KEYS.status]) {
        const entry = await this.kv.get(key);
        if (entry !== null) this.applyEntry(entry);
      }
    } catch (error) {
      this.o.logger.warn('could not re-read the KV bucket after reconnecting', { error: String(error) });
    }
    this.statusChannel.emit(this.status());
  }

  /** Moves to another epoch: every feed and all history is dropped; the gateway closes its clients. */
  private switchEpoch(epoch: number): void {
    // Epochs only increase (an ingest's new epoch is above the one it replaces): an older one read
    // back after a reconnect, before the new one's KV write landed, is stale, not a change.
    if (epoch <= this.currentEpoch || this.closed) return;
    this.o.logger.warn('upstream epoch changed: history dropped, clients must resync', { from: this.currentEpoch, to: epoch });
    this.currentEpoch = epoch;
    this.counters.epochChanges += 1;
    for (const feed of this.feeds.values()) {
      feed.stop();
      this.o.history.forget(feed.instrumentId);
    }
    this.feeds.clear();
    this.incoming = [];
    this.epochChannel.emit(epoch);
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  want(instrumentIds: readonly number[]): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const id of instrumentIds) {
      let feed = this.feeds.get(id);
      if (feed === undefined) {
        feed = new InstrumentFeed(id, this.ctx);
        this.feeds.set(id, feed);
      }
      feed.idleSinceMs = undefined;
      if (!feed.ready) (waits ??= []).push(feed.whenReady());
    }
    return waits && Promise.all(waits).then(() => undefined);
  }

  setInterest(instrumentIds: ReadonlySet<number>): void {
    const now = Date.now();
    for (const [id, feed] of this.feeds) {
      if (instrumentIds.has(id)) {
        feed.idleSinceMs = undefined;
      } else if (feed.idleSinceMs === undefined) {
        feed.idleSinceMs = now;
      } else if (now - feed.idleSinceMs >= this.lingerMs) {
        feed.stop();
        this.feeds.delete(id);
        this.o.history.forget(id);
      }
    }
  }

  /** Ticks received during one event-loop turn go to the handlers as one batch. */
  private deliver(ticks: readonly Tick[]): void {
    for (const t of ticks) this.incoming.push(t);
    if (this.deliveryScheduled) return;
    this.deliveryScheduled = true;
    setImmediate(() => {
      this.deliveryScheduled = false;
      const batch = this.incoming;
      this.incoming = [];
      if (!this.closed && batch.length > 0) this.ticks.emit(batch);
    });
  }

  onResync(handler: (instrumentIds: readonly number[]) => void): Unsubscribe {
    return this.resyncChannel.add(handler);
  }

  onEpochChange(handler: (epoch: number) => void): Unsubscribe {
    return this.epochChannel.add(handler);
  }

  onTicks(handler: (ticks: readonly Tick[]) => void): Unsubscribe {
    return this.ticks.add(handler);
  }

  onInstruments(handler: (instruments: readonly Instrument[]) => void): Unsubscribe {
    return this.instrumentsChannel.add(handler);
  }

  onStatus(handler: (status: readonly VenueStatus[]) => void): Unsubscribe {
    return this.statusChannel.add(handler);
  }

  instruments(): readonly Instrument[] {
    return this.latestInstruments;
  }

  /** The venues' status; every venue `upstream_lost` while the NATS connection is down. */
  status(): readonly VenueStatus[] {
    const since = this.lostSinceMs;
    if (since === undefined) return this.latestStatus;
    const reason = `this gateway lost its NATS connection at ${new Date(since).toISOString()}; reconnecting`;
    return this.latestStatus.map((v) => ({ venue: v.venue, state: 'upstream_lost', reason }));
  }

  /** History pages from the active ingest (docs/scaling.md "History"). */
  historyPages(): NatsHistoryPages {
    return new NatsHistoryPages(this.nc, this.o.settings);
  }

  health(): UpstreamHealth {
    let warming = 0;
    for (const feed of this.feeds.values()) if (!feed.ready) warming += 1;
    return {
      state: this.lostSinceMs === undefined ? 'connected' : 'lost',
      lostSince: this.lostSinceMs === undefined ? undefined : new Date(this.lostSinceMs).toISOString(),
      servers: this.o.settings.servers,
      instruments: this.feeds.size,
      warming,
      ...this.counters,
    };
  }

  publishTicks(): void {
    throw new Error('a gateway upstream only receives');
  }

  publishInstruments(): void {
    throw new Error('a gateway upstream only receives');
  }

  publishStatus(): void {
    throw new Error('a gateway upstream only receives');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const feed of this.feeds.values()) feed.stop();
    this.feeds.clear();
    this.watcher?.stop();
    this.ticks.clear();
    this.instrumentsChannel.clear();
    this.statusChannel.clear();
    this.resyncChannel.clear();
    this.epochChannel.clear();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
    await Promise.race([Promise.all(this.loops), new Promise((r) => setTimeout(r, 1000))]);
  }
}
