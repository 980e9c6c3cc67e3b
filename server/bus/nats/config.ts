/**
 * Where Tickwire's scale-out lives on a NATS JetStream server, and how a process connects to it with
 * errors that name the fix (docs/scaling.md "Stream and consumer settings"):
 *
 * - ticks: stream `TICKWIRE_TICKS`, one subject per instrument (`tickwire.tick.<instrumentId>`),
 *   each message one instrument's ticks of one publish round (wire.ts);
 * - KV bucket `tickwire`: the epoch, the instrument table, the venue status, a sequence checkpoint
 *   and the ingest lease;
 * - history state of one instrument, on request from the active ingest: core NATS subject
 *   `tickwire.state.<instrumentId>`.
 */
import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { connect, nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';

import {
  DEFAULT_NATS_BUCKET,
  DEFAULT_NATS_MAX_AGE_MS,
  DEFAULT_NATS_MAX_BYTES,
  DEFAULT_NATS_STREAM,
  DEFAULT_NATS_SUBJECT_ROOT,
} from './defaults';

/** Duplicate window of the stream (publish retries within it are dropped by `Nats-Msg-Id`), ms. */
export const NATS_DUPLICATE_WINDOW_MS = 120_000;

/** KV keys of the bucket. */
export const KV_KEYS = Object.freeze({
  epoch: 'epoch',
  instruments: 'instruments',
  status: 'status',
  seqs: 'seqs',
  lease: 'lease',
});

/** Where a deployment lives on the broker. Every process of one deployment must agree. */
export interface NatsSettings {
  /** Server URLs, e.g. `nats://127.0.0.1:4222` (several: one cluster, tried in turn). */
  readonly servers: readonly string[];
  readonly stream: string;
  readonly subjectRoot: string;
  readonly bucket: string;
  /** Stream max age, ms. Ingest creates the stream with it; an existing stream must match. */
  readonly maxAgeMs: number;
  /** Stream max bytes; as `maxAgeMs`. */
  readonly maxBytes: number;
}

/** `NatsSettings` with defaults for everything but the servers. */
export function natsSettings(servers: readonly string[], given: Partial<Omit<NatsSettings, 'servers'>> = {}): NatsSettings {
  if (servers.length === 0) throw new TypeError('at least one NATS server URL is needed (--nats nats://host:4222 or NATS_URL)');
  const settings: NatsSettings = {
    servers: [...servers],
    stream: given.stream ?? DEFAULT_NATS_STREAM,
    subjectRoot: given.subjectRoot ?? DEFAULT_NATS_SUBJECT_ROOT,
    bucket: given.bucket ?? DEFAULT_NATS_BUCKET,
    maxAgeMs: given.maxAgeMs ?? DEFAULT_NATS_MAX_AGE_MS,
    maxBytes: given.maxBytes ?? DEFAULT_NATS_MAX_BYTES,
  };
  for (const key of ['maxAgeMs', 'maxBytes'] as const) {
    if (!Number.isSafeInteger(settings[key]) || settings[key] <= 0) {
      throw new TypeError(`${key} must be a positive integer, got ${String(settings[key])}`);
    }
  }
  for (const key of ['stream', 'bucket'] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(settings[key])) throw new TypeError(`${key} must be letters, digits, "-" or "_", got "${settings[key]}"`);
  }
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(settings.subjectRoot)) {
    throw new TypeError(`subject root must be dot-separated tokens of letters, digits, "-" or "_", got "${settings.subjectRoot}"`);
  }
  return settings;
}

/** Subject of one instrument's ticks. */
export const tickSubject = (s: NatsSettings, instrumentId: number): string => `${s.subjectRoot}.tick.${instrumentId}`;
/** Instrument id of a tick subject, or undefined. */
export function instrumentOfSubject(s: NatsSettings, subject: string): number | undefined {
  const prefix = `${s.subjectRoot}.tick.`;
  if (!subject.startsWith(prefix)) return undefined;
  const id = Number(subject.slice(prefix.length));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** A KV entry's JSON value; undefined when the key is absent, deleted, empty or not JSON. */
export function kvJson<T>(entry: KvEntry | null): T | undefined {
  if (entry === null || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  try {
    return entry.json<T>();
  } catch {
    return undefined;
  }
}

/** A configuration or connection problem, with the fix in its message. The CLIs print it and exit 1. */
export class NatsSetupError extends Error {
  override readonly name = 'NatsSetupError';
}

/**
 * Connects, retrying for ever once connected (a broker restart is survived; see docs/scaling.md).
 * @throws NatsSetupError when no server answers now, naming the URLs and how to start one.
 */
export async function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: [...settings.servers],
      name,
      timeout: 3000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5000,
      maxPingOut: 2,
    });
  } catch (error) {
    throw new NatsSetupError(
      `cannot reach NATS at ${settings.servers.join(', ')}: ${(error as Error).message}. ` +
        'Start a server with JetStream (`nats-server -js -sd <dir>`) or pass its address with --nats / NATS_URL.',
    );
  }
}

/** The JetStream manager, or a NatsSetupError when the server has no JetStream. */
export async function jetStreamOf(nc: NatsConnection, settings: NatsSettings): Promise<JetStreamManager> {
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    return jsm;
  } catch (error) {
    throw new NatsSetupError(
      `NATS at ${settings.servers.join(', ')} has no JetStream (${(error as Error).message}): start nats-server with -js (and -sd <dir> for its storage).`,
    );
  }
}

function description(settings: NatsSettings): string {
  return `Tickwire ticks; KV bucket ${settings.bucket}`;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error;
  }
}

/**
 * Creates the tick stream (ingest), or checks an existing one against the settings.
 * @throws NatsSetupError naming the stream, the setting, and the fix, when an existing stream differs.
 */
export async function ensureStream(jsm: JetStreamManager, settings: NatsSettings): Promise<void> {
  const subject = `${settings.subjectRoot}.tick.>`;
  const info = await streamInfo(jsm, settings.stream);
  if (info === undefined) {
    await jsm.streams.add({
      name: settings.stream,
      description: description(settings),
      subjects: [subject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(settings.maxAgeMs),
      max_bytes: settings.maxBytes,
      duplicate_window: nanos(NATS_DUPLICATE_WINDOW_MS),
    });
    return;
  }
  checkStream(info, settings);
}

/**
 * Checks an existing stream (every role does, so a gateway pointed at a foreign stream says so).
 * @throws NatsSetupError when it differs from what `settings` need.
 */
export function checkStream(info: StreamInfo, settings: NatsSettings): void {
  const c = info.config;
  const subject = `${settings.subjectRoot}.tick.>`;
  const fix = `delete it (\`nats stream rm ${settings.stream}\`), or start every Tickwire process with matching --stream/--subject-root/--bucket/--max-age-ms/--max-bytes`;
  const problem = (setting: string, has: string, needs: string): NatsSetupError =>
    new NatsSetupError(
      `NATS stream "${settings.stream}" exists with incompatible ${setting}: it has ${has}, this process needs ${needs}; ${fix}`,
    );
  if (!(c.subjects ?? []).includes(subject)) throw problem('subjects', JSON.stringify(c.subjects ?? []), JSON.stringify([subject]));
  if (c.retention !== RetentionPolicy.Limits) throw problem('retention', c.retention, RetentionPolicy.Limits);
  if (c.max_age !== nanos(settings.maxAgeMs)) throw problem('max age', `${c.max_age / 1e6} ms`, `${settings.maxAgeMs} ms`);
  if (c.max_bytes !== settings.maxBytes) throw problem('max bytes', String(c.max_bytes), String(settings.maxBytes));
  if (c.description !== description(settings))
    throw problem('owner', JSON.stringify(c.description ?? ''), JSON.stringify(description(settings)));
}

/**
 * Checks the stream exists and matches (gateway, standby).
 * @throws NatsSetupError when it does not exist yet or differs.
 */
export async function requireStream(jsm: JetStreamManager, settings: NatsSettings): Promise<StreamInfo> {
  const info = await streamInfo(jsm, settings.stream);
  if (info === undefined) {
    throw new NatsSetupError(
      `NATS stream "${settings.stream}" does not exist on ${settings.servers.join(', ')}: start an ingest first (npm run ingest -- --nats ...), or pass the --stream it uses`,
    );
  }
  checkStream(info, settings);
  return info;
}

/** Opens the KV bucket, creating it when `create` (ingest). */
export async function openBucket(nc: NatsConnection, settings: NatsSettings, create: boolean): Promise<KV> {
  const kvm = new Kvm(nc);
  if (create) return kvm.create(settings.bucket, { history: 1 });
  try {
    return await kvm.open(settings.bucket);
  } catch (error) {
    throw new NatsSetupError(
      `NATS KV bucket "${settings.bucket}" cannot be opened (${(error as Error).message}): start an ingest first, or pass the --bucket it uses`,
    );
  }
}
