/**
 * The bus an ingest's normaliser publishes to: ticks go to the ingest's own history (the state it
 * serves to warming gateways) and to the tick stream; the instrument table and venue status go to
 * the KV bucket (the latest value wins; a failed put is retried until it lands or is superseded).
 */
import type { KV } from '@nats-io/kv';
import type { Instrument } from '../../lib/market/types';
import type { VenueStatus } from '../../lib/protocol/messages';
import type { History } from '../history/history';
import type { Logger } from '../log';
import { KV_KEYS } from '../bus/nats/config';
import type { TickPublisher } from '../bus/nats/publisher';
import type { Bus, Tick, Unsubscribe } from '../bus/types';

const RETRY_MS = 500;

/** Puts the latest value of one KV key, retrying until it lands; a newer value replaces a pending one. */
export class LatestPut {
  private pending: string | undefined;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly logger: Logger,
  ) {}

  set(value: string): void {
    this.pending = value;
    this.drain();
  }

  private drain(): void {
    if (this.busy || this.stopped || this.pending === undefined || this.timer !== undefined) return;
    const value = this.pending;
    this.pending = undefined;
    this.busy = true;
    this.kv.put(this.key, value).then(
      () => {
        this.busy = false;
        this.drain();
      },
      (error: unknown) => {
        this.busy = false;
        this.pending ??= value;
        this.logger.debug('KV put failed; retrying', { key: this.key, error: String(error) });
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain();
        }, RETRY_MS);
      },
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

export class IngestBus implements Bus {
  private latestInstruments: readonly Instrument[] = Object.freeze([]);
  private latestStatus: readonly VenueStatus[] = Object.freeze([]);
  private readonly instrumentsPut: LatestPut;
  private readonly statusPut: LatestPut;

  constructor(
    private readonly epochOf: () => number,
    private readonly history: History,
    private readonly publisher: TickPublisher,
    kv: KV,
    logger: Logger,
  ) {
    this.instrumentsPut = new LatestPut(kv, KV_KEYS.instruments, logger);
    this.statusPut = new LatestPut(kv, KV_KEYS.status, logger);
  }

  get epoch(): number {
    return this.epochOf();
  }

  publishTicks(ticks: readonly Tick[]): void {
    if (ticks.length === 0) return;
    this.history.apply(ticks);
    this.publisher.publish(ticks);
  }

  publishInstruments(instruments: readonly Instrument[]): void {
    this.latestInstruments = Object.freeze([...instruments]);
    this.instrumentsPut.set(JSON.stringify(this.latestInstruments));
  }

  publishStatus(status: readonly VenueStatus[]): void {
    this.latestStatus = Object.freeze([...status]);
    this.statusPut.set(JSON.stringify(this.latestStatus));
  }

  onTicks(): Unsubscribe {
    throw new Error('an ingest bus only publishes');
  }

  onInstruments(): Unsubscribe {
    throw new Error('an ingest bus only publishes');
  }

  onStatus(): Unsubscribe {
    throw new Error('an ingest bus only publishes');
  }

  instruments(): readonly Instrument[] {
    return this.latestInstruments;
  }

  status(): readonly VenueStatus[] {
    return this.latestStatus;
  }

  async close(): Promise<void> {
    this.instrumentsPut.stop();
    this.statusPut.stop();
  }
}
