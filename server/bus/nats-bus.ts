/**
 * A {@link Bus} over NATS JetStream, so ingest (the normaliser) and gateways can run in separate
 * processes (issue 14; not yet used by any CLI). Layout on the broker:
 *
 * - ticks: one message per tick on `<subjectPrefix>.<instrumentId>` in a limits stream (created by
 *   the publisher, or checked when it exists); JetStream keeps per-subject order, and an ordered
 *   consumer delivers the stream in stream order, hence in sequence order per instrument;
 * - a KV bucket with three keys: `epoch` (created by the first publisher, read by everyone),
 *   `instruments` and `status` (the latest table and status, so a late gateway reads them).
 *
 * Ticks travel as JSON, not as the binary update segment of lib/protocol: a segment is only
 * decodable inside a `batch` message with its `baseTimeUs`, so each bus message would need that
 * framing; one self-describing JSON tick per message keeps the subject (and so per-instrument
 * filtering and retention) meaningful, and a tick is small enough that the size difference does not
 * matter next to the per-message overhead of JetStream. Every field is a safe integer or a string,
 * so JSON round-trips it exactly.
 */
import {
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { ConsumerMessages, JetStreamClient, StreamInfo } from '@nats-io/jetstream';
import { KvWatchInclude, Kvm } from '@nats-io/kv';
import type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';
import { connect, nanos } from '@nats-io/transport-node';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import type { Instrument } from '../../lib/market/types';
import type { VenueStatus } from '../../lib/protocol/messages';
import type { Logger } from '../log';
import { Channel } from './channel';
import type { Bus, Tick, Unsubscribe } from './types';

/** Default stream name. */
export const DEFAULT_NATS_STREAM = 'TICKWIRE_TICKS';
/** Default subject prefix: a tick goes to `tickwire.tick.<instrumentId>`. */
export const DEFAULT_NATS_SUBJECT_PREFIX = 'tickwire.tick';
/** Default KV bucket for epoch, instruments and status. */
export const DEFAULT_NATS_BUCKET = 'tickwire';
/** Default retention of ticks in the stream: one hour, ms. */
export const DEFAULT_NATS_MAX_AGE_MS = 3_600_000;
/** Default size cap of the stream: 1 GiB, bytes (oldest ticks are discarded first). */
export const DEFAULT_NATS_MAX_BYTES = 1024 ** 3;

/** Options of {@link NatsBus.publisher} and {@link NatsBus.subscriber}. */
export interface NatsBusOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** Stream holding the ticks. @defaultValue {@link DEFAULT_NATS_STREAM} */
  readonly stream?: string;
  /** Subject prefix of ticks; the stream captures `<prefix>.>`. @defaultValue {@link DEFAULT_NATS_SUBJECT_PREFIX} */
  readonly subjectPrefix?: string;
  /** KV bucket of epoch, instruments and status. @defaultValue {@link DEFAULT_NATS_BUCKET} */
  readonly bucket?: string;
  /** Stream max age, ms (publisher: created with it, or an existing stream must match). @defaultValue 1 h */
  readonly maxAgeMs?: number;
  /** Stream max bytes (publisher: as `maxAgeMs`). @defaultValue 1 GiB */
  readonly maxBytes?: number;
  /** Epoch the first publisher stores when the bucket has none. @defaultValue `Date.now()` (ms) */
  readonly epoch?: number;
  /** Where publish and handler failures are reported. @defaultValue none */
  readonly logger?: Logger;
}

type Role = 'publisher' | 'subscriber';

const EPOCH_KEY = 'epoch';
const INSTRUMENTS_KEY = 'instruments';
const STATUS_KEY = 'status';

interface Resolved {
  readonly stream: string;
  readonly prefix: string;
  readonly bucket: string;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
}

function resolve(options: NatsBusOptions): Resolved {
  const resolved = {
    stream: options.stream ?? DEFAULT_NATS_STREAM,
    prefix: options.subjectPrefix ?? DEFAULT_NATS_SUBJECT_PREFIX,
    bucket: options.bucket ?? DEFAULT_NATS_BUCKET,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_NATS_MAX_AGE_MS,
    maxBytes: options.maxBytes ?? DEFAULT_NATS_MAX_BYTES,
  };
  for (const key of ['maxAgeMs', 'maxBytes'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] <= 0) {
      throw new TypeError(`${key} must be a positive safe integer, got ${String(resolved[key])}`);
    }
  }
  return resolved;
}

async function streamInfo(nc: NatsConnection, name: string): Promise<StreamInfo | undefined> {
  const jsm = await jetstreamManager(nc);
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error;
  }
}

/**
 * Creates the tick stream, or checks an existing one.
 * @throws Error naming the stream and the setting when an existing stream is incompatible.
 */
async function ensureStream(nc: NatsConnection, r: Resolved): Promise<void> {
  const subject = `${r.prefix}.>`;
  const info = await streamInfo(nc, r.stream);
  if (info === undefined) {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: r.stream,
      subjects: [subject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(r.maxAgeMs),
      max_bytes: r.maxBytes,
    });
    return;
  }
  const c = info.config;
  const problem = (setting: string, has: string, needs: string): Error =>
    new Error(
      `NATS stream "${r.stream}" exists with incompatible ${setting}: it has ${has}, this bus needs ${needs} (delete the stream or pass matching options)`,
    );
  if (!(c.subjects ?? []).includes(subject)) throw problem('subjects', JSON.stringify(c.subjects ?? []), JSON.stringify([subject]));
  if (c.retention !== RetentionPolicy.Limits) throw problem('retention', c.retention, RetentionPolicy.Limits);
  if (c.max_age !== nanos(r.maxAgeMs)) throw problem('max_age', `${c.max_age / 1e6} ms`, `${r.maxAgeMs} ms`);
  if (c.max_bytes !== r.maxBytes) throw problem('max_bytes', String(c.max_bytes), String(r.maxBytes));
}

/**
 * Reads the epoch, storing `proposed` first when the bucket has none and `proposed` is given.
 * @throws Error when the bucket has no epoch and none is proposed (no publisher started yet).
 */
async function loadEpoch(kv: KV, bucket: string, proposed: number | undefined): Promise<number> {
  if (proposed !== undefined) {
    try {
      await kv.create(EPOCH_KEY, String(proposed));
      return proposed;
    } catch {
      // Another publisher got there first: read its epoch below.
    }
  }
  const entry = await kv.get(EPOCH_KEY);
  const epoch = entry === null ? Number.NaN : Number(entry.string());
  if (!Number.isSafeInteger(epoch) || epoch <= 0) {
    throw new Error(`NATS KV bucket "${bucket}" has no valid epoch: start a publisher first`);
  }
  return epoch;
}

function parseEntry<T>(entry: KvEntry | null): readonly T[] {
  if (entry === null || entry.operation !== 'PUT' || entry.length === 0) return Object.freeze([]);
  return Object.freeze(entry.json<T[]>());
}

/**
 * The JetStream {@link Bus}. A bus is either a publisher (ingest: `publish*` work, `on*` throw) or a
 * subscriber (gateway: `on*`, `instruments()` and `status()` work, `publish*` throw); build one with
 * {@link NatsBus.publisher} or {@link NatsBus.subscriber}. `close()` drains the connection.
 */
export class NatsBus implements Bus {
  private readonly ticksChannel: Channel<readonly Tick[]>;
  private readonly instrumentsChannel: Channel<readonly Instrument[]>;
  private readonly statusChannel: Channel<readonly VenueStatus[]>;
  private latestInstruments: readonly Instrument[] = Object.freeze([]);
  private latestStatus: readonly VenueStatus[] = Object.freeze([]);
  private readonly revisions = new Map<string, number>();
  private outgoing: Tick[] = [];
  private inflight: Promise<void> = Promise.resolve();
  private incoming: Tick[] = [];
  private deliveryScheduled = false;
  private messages: ConsumerMessages | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private readonly loops: Promise<void>[] = [];
  private closed = false;

  private constructor(
    private readonly role: Role,
    readonly epoch: number,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly kv: KV,
    private readonly r: Resolved,
    private readonly logger: Logger | undefined,
  ) {
    this.ticksChannel = new Channel('ticks', logger);
    this.instrumentsChannel = new Channel('instruments', logger);
    this.statusChannel = new Channel('status', logger);
  }

  /**
   * Connects as ingest: creates (or checks) the stream and the KV bucket and stores the epoch
   * unless a publisher already did (then this bus uses the stored one).
   * @throws Error when an existing stream has incompatible settings, or the connection fails.
   */
  static async publisher(options: NatsBusOptions): Promise<NatsBus> {
    const r = resolve(options);
    const proposed = options.epoch ?? Date.now();
    if (!Number.isSafeInteger(proposed) || proposed <= 0) {
      throw new TypeError(`epoch must be a positive safe integer, got ${String(proposed)}`);
    }
    const nc = await connect({ servers: typeof options.servers === 'string' ? options.servers : [...options.servers] });
    try {
      await ensureStream(nc, r);
      const kv = await new Kvm(nc).create(r.bucket, { history: 1 });
      const epoch = await loadEpoch(kv, r.bucket, proposed);
      return new NatsBus('publisher', epoch, nc, jetstream(nc), kv, r, options.logger);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /**
   * Connects as a gateway: reads the epoch, the current instruments and status, and starts an
   * ordered consumer at the first tick published after this call (earlier ticks are not replayed).
   * @throws Error when the stream or the epoch is missing (no publisher started yet).
   */
  static async subscriber(options: NatsBusOptions): Promise<NatsBus> {
    const r = resolve(options);
    const nc = await connect({ servers: typeof options.servers === 'string' ? options.servers : [...options.servers] });
    try {
      const info = await streamInfo(nc, r.stream);
      if (info === undefined) throw new Error(`NATS stream "${r.stream}" does not exist: start a publisher first`);
      const kv = await new Kvm(nc).open(r.bucket);
      const epoch = await loadEpoch(kv, r.bucket, undefined);
      const bus = new NatsBus('subscriber', epoch, nc, jetstream(nc), kv, r, options.logger);
      await bus.startConsuming(info.state.last_seq + 1);
      return bus;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  private async startConsuming(startSeq: number): Promise<void> {
    // Watch first, then read, so no update falls between; revisions drop the stale one.
    this.watcher = await this.kv.watch({ include: KvWatchInclude.UpdatesOnly });
    for (const key of [INSTRUMENTS_KEY, STATUS_KEY]) this.applyEntry(await this.kv.get(key), false);
    this.loops.push(this.watchLoop(this.watcher));
    const consumer = await this.js.consumers.get(this.r.stream, {
      filter_subjects: `${this.r.prefix}.>`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
    });
    this.messages = await consumer.consume();
    this.loops.push(this.consumeLoop(this.messages));
  }

  private async watchLoop(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    try {
      for await (const entry of watcher) this.applyEntry(entry, true);
    } catch (error) {
      if (!this.closed) this.logger?.error('NATS KV watch failed', { error: String(error) });
    }
  }

  private async consumeLoop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        this.incoming.push(m.json<Tick>());
        if (!this.deliveryScheduled) {
          this.deliveryScheduled = true;
          setImmediate(() => this.deliver());
        }
      }
    } catch (error) {
      if (!this.closed) this.logger?.error('NATS tick consumer failed', { error: String(error) });
    }
  }

  /** Hands the ticks received during one event-loop turn to the handlers as one batch. */
  private deliver(): void {
    this.deliveryScheduled = false;
    const batch = this.incoming;
    this.incoming = [];
    if (!this.closed && batch.length > 0) this.ticksChannel.emit(Object.freeze(batch));
  }

  private applyEntry(entry: KvEntry | null, emit: boolean): void {
    if (entry === null || (entry.key !== INSTRUMENTS_KEY && entry.key !== STATUS_KEY)) return;
    if (entry.revision <= (this.revisions.get(entry.key) ?? 0)) return;
    this.revisions.set(entry.key, entry.revision);
    if (entry.key === INSTRUMENTS_KEY) {
      this.latestInstruments = parseEntry<Instrument>(entry);
      if (emit) this.instrumentsChannel.emit(this.latestInstruments);
    } else {
      this.latestStatus = parseEntry<VenueStatus>(entry);
      if (emit) this.statusChannel.emit(this.latestStatus);
    }
  }

  private require(role: Role, method: string): void {
    if (this.role !== role) throw new Error(`${method} needs a NatsBus.${role}(), this bus is a ${this.role}`);
  }

  /** Queues the ticks; all ticks queued in one event-loop turn are published together, in order. */
  publishTicks(ticks: readonly Tick[]): void {
    this.require('publisher', 'publishTicks');
    if (this.closed || ticks.length === 0) return;
    const first = this.outgoing.length === 0;
    this.outgoing.push(...ticks);
    if (first) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length === 0) return;
    // One connection publishes in call order, so the stream keeps the ticks' order.
    const acks = batch.map((tick) => this.js.publish(`${this.r.prefix}.${tick.instrumentId}`, JSON.stringify(tick)));
    const settled = Promise.all(acks).then(
      () => undefined,
      (error: unknown) => this.logger?.error('NATS tick publish failed', { error: String(error) }),
    );
    this.inflight = Promise.all([this.inflight, settled]).then(() => undefined);
  }

  publishInstruments(instruments: readonly Instrument[]): void {
    this.require('publisher', 'publishInstruments');
    if (this.closed) return;
    this.latestInstruments = Object.freeze([...instruments]);
    this.put(INSTRUMENTS_KEY, this.latestInstruments);
  }

  publishStatus(status: readonly VenueStatus[]): void {
    this.require('publisher', 'publishStatus');
    if (this.closed) return;
    this.latestStatus = Object.freeze([...status]);
    this.put(STATUS_KEY, this.latestStatus);
  }

  private put(key: string, value: unknown): void {
    const done = this.kv.put(key, JSON.stringify(value)).then(
      () => undefined,
      (error: unknown) => this.logger?.error('NATS KV put failed', { key, error: String(error) }),
    );
    this.inflight = Promise.all([this.inflight, done]).then(() => undefined);
  }

  /** Waits until everything published so far is stored by the broker (publisher only). */
  async flushed(): Promise<void> {
    this.flush();
    await this.inflight;
  }

  onTicks(handler: (ticks: readonly Tick[]) => void): Unsubscribe {
    this.require('subscriber', 'onTicks');
    return this.ticksChannel.add(handler);
  }

  onInstruments(handler: (instruments: readonly Instrument[]) => void): Unsubscribe {
    this.require('subscriber', 'onInstruments');
    return this.instrumentsChannel.add(handler);
  }

  onStatus(handler: (status: readonly VenueStatus[]) => void): Unsubscribe {
    this.require('subscriber', 'onStatus');
    return this.statusChannel.add(handler);
  }

  instruments(): readonly Instrument[] {
    return this.latestInstruments;
  }

  status(): readonly VenueStatus[] {
    return this.latestStatus;
  }

  /** Publishes what is queued, stops consuming, releases handlers and drains the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.role === 'publisher') await this.flushed();
    this.closed = true;
    this.messages?.stop();
    this.watcher?.stop();
    await Promise.all(this.loops);
    this.ticksChannel.clear();
    this.instrumentsChannel.clear();
    this.statusChannel.clear();
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
