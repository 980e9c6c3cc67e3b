/**
 * Which ingest publishes: a lease in the KV bucket (key `lease`), held by compare-and-set. The
 * holder renews it every `leaseMs / 4`; a standby polls it and takes it over by compare-and-set
 * once it has seen no renewal for `leaseMs` by its own clock (a deleted lease, from a holder that
 * stopped gracefully, at once). A holder that has not renewed for `leaseMs / 2` stops publishing
 * by itself, so the old holder is silent before a standby can take over; the broker's per-subject
 * expectations (publisher.ts) fence it should it not be.
 *
 * A lease names the venues its holder runs: a standby for other venues is a configuration error
 * (two ingests claiming different adapters for one deployment), reported with the fix.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from '../../log';
import { KV_KEYS, NatsSetupError, kvJson } from './config';

/** What the lease key holds. */
export interface LeaseRecord {
  /** `host:pid:random`, unique per process. */
  readonly owner: string;
  /** Venues the holder runs, sorted. */
  readonly venues: readonly string[];
  readonly renewedAtMs: number;
}

export interface LeaseOptions {
  readonly kv: KV;
  readonly owner: string;
  readonly venues: readonly string[];
  readonly leaseMs: number;
  readonly logger: Logger;
  /** Called once when a standby is about to wait (with the holder). */
  readonly onStandby?: (holder: LeaseRecord) => void;
}

const parse = (entry: KvEntry | null): LeaseRecord | undefined => kvJson<LeaseRecord>(entry);

const sameVenues = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** A held lease. `lost` resolves when it is lost (another process holds it, or renewals failed too long). */
export class Lease {
  private timer: NodeJS.Timeout | undefined;
  private lastRenewedMs: number;
  private released = false;
  private onLost: ((why: string) => void) | undefined;
  readonly lost: Promise<string>;

  constructor(
    private readonly o: LeaseOptions,
    private revision: number,
  ) {
    this.lastRenewedMs = Date.now();
    this.lost = new Promise((resolve) => (this.onLost = resolve));
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(o.leaseMs / 4)));
  }

  /** Whether this process may publish now: renewed within half the lease. */
  valid(): boolean {
    return !this.released && Date.now() - this.lastRenewedMs < this.o.leaseMs / 2;
  }

  /** Renews now (the NATS connection is back): publishing need not wait for the next interval. */
  renewNow(): Promise<void> {
    return this.released ? Promise.resolve() : this.renew();
  }

  private async renew(): Promise<void> {
    const record: LeaseRecord = { owner: this.o.owner, venues: this.o.venues, renewedAtMs: Date.now() };
    try {
      this.revision = await this.o.kv.update(KV_KEYS.lease, JSON.stringify(record), this.revision, Math.max(100, this.o.leaseMs / 4));
      this.lastRenewedMs = Date.now();
    } catch (error) {
      if (this.released) return;
      const current = await this.o.kv.get(KV_KEYS.lease).catch(() => undefined);
      const holder = current === undefined ? undefined : parse(current);
      if (current !== undefined && holder?.owner !== this.o.owner) this.lose(`lease taken by ${holder?.owner ?? 'nobody (deleted)'}`);
      else if (current !== undefined && current !== null) this.revision = current.revision;
      else this.o.logger.warn('ingest lease renewal failed', { error: String(error) });
    }
  }

  private lose(why: string): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    this.onLost?.(why);
  }

  /** Gives the lease up (graceful stop): a standby takes over at its next poll. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    try {
      const current = await this.o.kv.get(KV_KEYS.lease);
      if (parse(current)?.owner === this.o.owner) await this.o.kv.delete(KV_KEYS.lease, { previousSeq: current?.revision });
    } catch (error) {
      this.o.logger.warn('could not release the ingest lease; a standby takes over when it expires', { error: String(error) });
    }
  }
}

function checkVenues(holder: LeaseRecord, venues: readonly string[]): void {
  if (sameVenues(holder.venues, venues)) return;
  throw new NatsSetupError(
    `ingest ${holder.owner} holds the lease of this deployment and publishes venues [${holder.venues.join(', ')}]; this ingest runs [${venues.join(', ')}]. ` +
      'A standby must run the same adapters: run every venue in one ingest (several --adapter flags), or run the others as another deployment with its own --stream, --subject-root and --bucket.',
  );
}

/**
 * Refuses, at start-up, to stand by for a live holder that runs other venues. A holder with other
 * venues that does not renew within half a lease is a dead one: its lease is taken over as usual.
 * @throws NatsSetupError naming both venue lists and the fix.
 */
export async function checkLeaseVenues(kv: KV, venues: readonly string[], leaseMs: number): Promise<void> {
  const first = await kv.get(KV_KEYS.lease);
  const holder = parse(first);
  if (first === null || holder === undefined || sameVenues(holder.venues, venues)) return;
  await new Promise((resolve) => setTimeout(resolve, leaseMs / 2));
  const later = await kv.get(KV_KEYS.lease);
  const now = parse(later);
  if (later !== null && now !== undefined && later.revision !== first.revision) checkVenues(now, venues);
}

/**
 * Takes the lease, waiting as a standby while another live process holds it.
 * @throws NatsSetupError when the holder runs other venues; Error "aborted" when `signal` aborts.
 */
export async function acquireLease(o: LeaseOptions, signal: AbortSignal): Promise<Lease> {
  const me = (): string => JSON.stringify({ owner: o.owner, venues: o.venues, renewedAtMs: Date.now() } satisfies LeaseRecord);
  let seenRevision = -1;
  let seenAtMs = Date.now();
  let announced = false;
  const pollMs = Math.max(50, Math.floor(o.leaseMs / 4));
  for (;;) {
    if (signal.aborted) throw new Error('aborted');
    let entry: KvEntry | null;
    try {
      entry = await o.kv.get(KV_KEYS.lease);
    } catch (error) {
      // Broker away: nobody can renew or take over; give the holder a full lease once it is back.
      o.logger.debug('lease poll failed', { error: String(error) });
      seenAtMs = Date.now();
      await sleep(pollMs, signal);
      continue;
    }
    const holder = parse(entry);
    try {
      if (entry === null) return new Lease(o, await o.kv.create(KV_KEYS.lease, me()));
      if (holder === undefined) return new Lease(o, await o.kv.update(KV_KEYS.lease, me(), entry.revision));
    } catch {
      continue; // another standby won the race: read again
    }
    if (entry.revision !== seenRevision) {
      // Renewed since the last poll: a live holder, which must run the venues this standby runs.
      if (seenRevision !== -1) checkVenues(holder, o.venues);
      seenRevision = entry.revision;
      seenAtMs = Date.now();
    }
    if (!announced) {
      announced = true;
      o.onStandby?.(holder);
    }
    if (Date.now() - seenAtMs > o.leaseMs) {
      try {
        const revision = await o.kv.update(KV_KEYS.lease, me(), entry.revision);
        o.logger.info('ingest lease taken over', { from: holder.owner, silentMs: Date.now() - seenAtMs });
        return new Lease(o, revision);
      } catch {
        continue;
      }
    }
    await sleep(pollMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
