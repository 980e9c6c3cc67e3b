/**
 * Ingest's side of the tick stream. Per instrument subject, one message is in flight at a time,
 * published with `expect.lastSubjectSequence` set to the stream sequence of the subject's previous
 * message: the broker refuses a message from any other publisher that wrote to the subject since
 * (a second ingest, a zombie after a takeover), so two ingests can never interleave on a subject.
 * Ticks that arrive while a message is in flight wait and go out together in the next one, so the
 * message rate adapts to the broker's round trip.
 *
 * While the broker is unreachable, ticks wait in order, up to `maxUnpublished` in all; a publish
 * whose answer was lost is retried with the same `Nats-Msg-Id`, and one the broker already stored
 * is recognised (its last message on the subject carries the id). Past the bound the queued ticks
 * are dropped and reported to `onOverflow`, which changes the epoch (docs/scaling.md "Faults").
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '../../log';
import type { Tick } from '../types';
import { tickSubject, type NatsSettings } from './config';
import { encodeTicks, messageId, tickHeaders } from './wire';

/** Most ticks in one message (keeps a message well under the broker's 1 MiB default max payload). */
const MAX_TICKS_PER_MESSAGE = 2000;
const PUBLISH_TIMEOUT_MS = 5000;
const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

export interface TickPublisherOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly settings: NatsSettings;
  /** This publisher's id in message ids (unique per process: the lease owner). */
  readonly publisherId: string;
  /** Epoch stamped on messages queued from now on. */
  readonly epoch: () => number;
  /** Stream sequence of each instrument subject's last message (0 or absent: none). */
  readonly lastStreamSeqs: ReadonlyMap<number, number>;
  readonly maxUnpublished: number;
  /** Whether this process may publish now (it holds the lease); checked before every send. */
  readonly canPublish: () => boolean;
  readonly logger: Logger;
  /** Another publisher wrote to a subject: this one must stop (it has already stopped publishing). */
  readonly onFenced: (instrumentId: number, detail: string) => void;
  /**
   * Ticks dropped because more than `maxUnpublished` were waiting. `epochPublished` says whether a
   * message of the current epoch was stored before: only then can a consumer have seen seqs of this
   * epoch that now have a hole, so only then must the epoch change (one new epoch per outage, not
   * one per overflow while the broker is still away).
   */
  readonly onOverflow: (dropped: number, epochPublished: boolean) => void;
}

export interface TickPublisherStats {
  readonly publishedTicks: number;
  readonly publishedMessages: number;
  /** Ticks accepted but not yet stored by the broker. */
  readonly unpublished: number;
  readonly retries: number;
  readonly droppedTicks: number;
}

class SubjectChain {
  queue: Tick[] = [];
  inflight: Tick[] | undefined;
  inflightEpoch = 0;
  retryMs = 0;
  timer: NodeJS.Timeout | undefined;
  constructor(
    readonly instrumentId: number,
    readonly subject: string,
    public lastStreamSeq: number,
  ) {}
}

export class TickPublisher {
  private readonly chains = new Map<number, SubjectChain>();
  private unpublished = 0;
  private counters = { publishedTicks: 0, publishedMessages: 0, retries: 0, droppedTicks: 0 };
  private stopped = false;
  private outage = false;
  private idleWaiters: (() => void)[] = [];
  /** Acked seq per instrument: what the sequence checkpoint records. */
  readonly ackedSeqs = new Map<number, number>();
  /** Epoch of the last message stored (at start: the epoch resumed, whose messages may be in the stream). */
  private storedEpoch: number;

  constructor(private readonly o: TickPublisherOptions) {
    this.storedEpoch = o.epoch();
  }

  /** Queues ticks (in seq order per instrument) and publishes what it can now. */
  publish(ticks: readonly Tick[]): void {
    if (this.stopped || ticks.length === 0) return;
    const touched = new Set<SubjectChain>();
    for (const tick of ticks) {
      const chain = this.chain(tick.instrumentId);
      chain.queue.push(tick);
      touched.add(chain);
    }
    this.unpublished += ticks.length;
    if (this.unpublished > this.o.maxUnpublished) {
      let dropped = 0;
      for (const chain of this.chains.values()) {
        dropped += chain.queue.length;
        chain.queue = [];
      }
      this.unpublished -= dropped;
      this.counters.droppedTicks += dropped;
      this.o.onOverflow(dropped, this.storedEpoch === this.o.epoch());
      return;
    }
    for (const chain of touched) this.pump(chain);
  }

  stats(): TickPublisherStats {
    return { ...this.counters, unpublished: this.unpublished };
  }

  /**
   * Sends every waiting message now, forgetting the retry backoff: the connection is back (broker
   * restarted) and the ticks held meanwhile should not wait up to a backoff step more, or a small
   * `maxUnpublished` overflows again after the outage is over.
   */
  retryNow(): void {
    if (this.stopped) return;
    for (const chain of this.chains.values()) {
      chain.retryMs = 0;
      if (chain.timer === undefined) continue;
      clearTimeout(chain.timer);
      chain.timer = undefined;
      if (chain.inflight !== undefined) this.send(chain);
      else this.pump(chain);
    }
  }

  /** Resolves when every queued tick is stored (or the publisher stopped). */
  idle(): Promise<void> {
    if (this.unpublished === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops publishing; what is still queued is dropped (call `idle()` first to wait for it). */
  stop(): void {
    this.stopped = true;
    for (const chain of this.chains.values()) clearTimeout(chain.timer);
    this.wakeIdle();
  }

  private chain(instrumentId: number): SubjectChain {
    let chain = this.chains.get(instrumentId);
    if (chain === undefined) {
      chain = new SubjectChain(instrumentId, tickSubject(this.o.settings, instrumentId), this.o.lastStreamSeqs.get(instrumentId) ?? 0);
      this.chains.set(instrumentId, chain);
    }
    return chain;
  }

  private pump(chain: SubjectChain): void {
    if (this.stopped || chain.inflight !== undefined || chain.timer !== undefined || chain.queue.length === 0) return;
    chain.inflight = chain.queue.length <= MAX_TICKS_PER_MESSAGE ? chain.queue : chain.queue.slice(0, MAX_TICKS_PER_MESSAGE);
    chain.queue = chain.queue.length <= MAX_TICKS_PER_MESSAGE ? [] : chain.queue.slice(MAX_TICKS_PER_MESSAGE);
    chain.inflightEpoch = this.o.epoch();
    this.send(chain);
  }

  private send(chain: SubjectChain): void {
    const batch = chain.inflight;
    if (batch === undefined || this.stopped) return;
    if (!this.o.canPublish()) {
      this.retryLater(chain, new Error('the ingest lease is not confirmed (renewals failing)'));
      return;
    }
    const id = messageId(chain.inflightEpoch, chain.instrumentId, (batch[0] as Tick).seq, this.o.publisherId);
    this.o.js
      .publish(chain.subject, encodeTicks(batch), {
        msgID: id,
        headers: tickHeaders(chain.inflightEpoch),
        expect: { lastSubjectSequence: chain.lastStreamSeq },
        timeout: PUBLISH_TIMEOUT_MS,
      })
      .then(
        (ack) => this.stored(chain, ack.seq),
        (error: unknown) => this.failed(chain, id, error),
      );
  }

  private stored(chain: SubjectChain, streamSeq: number): void {
    const batch = chain.inflight;
    if (batch === undefined) return;
    chain.lastStreamSeq = streamSeq;
    this.storedEpoch = chain.inflightEpoch;
    chain.inflight = undefined;
    chain.retryMs = 0;
    this.unpublished -= batch.length;
    this.counters.publishedTicks += batch.length;
    this.counters.publishedMessages += 1;
    this.ackedSeqs.set(chain.instrumentId, (batch[batch.length - 1] as Tick).seq);
    if (this.outage) {
      this.outage = false;
      this.o.logger.info('NATS publishing again', { unpublished: this.unpublished });
    }
    if (this.unpublished === 0) this.wakeIdle();
    this.pump(chain);
  }

  private failed(chain: SubjectChain, id: string, error: unknown): void {
    if (this.stopped) return;
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence) {
      void this.checkLast(chain, id);
      return;
    }
    this.retryLater(chain, error);
  }

  /** The subject moved on without our answer: our message stored (answer lost), or another publisher. */
  private async checkLast(chain: SubjectChain, id: string): Promise<void> {
    try {
      const last = await this.o.jsm.streams.getMessage(this.o.settings.stream, { last_by_subj: chain.subject });
      if (this.stopped) return;
      if (last !== null && last.header?.get('Nats-Msg-Id') === id) {
        this.stored(chain, last.seq);
        return;
      }
      this.stop();
      this.o.onFenced(
        chain.instrumentId,
        `another publisher wrote to ${chain.subject} (stream seq ${last?.seq ?? 'none'}, expected ${chain.lastStreamSeq})`,
      );
    } catch (error) {
      this.retryLater(chain, error);
    }
  }

  private retryLater(chain: SubjectChain, error: unknown): void {
    this.counters.retries += 1;
    if (!this.outage) {
      this.outage = true;
      this.o.logger.warn('NATS publish failed: holding ticks and retrying', { error: String(error), unpublished: this.unpublished });
    }
    chain.retryMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, chain.retryMs * 2));
    chain.timer = setTimeout(() => {
      chain.timer = undefined;
      this.send(chain);
    }, chain.retryMs);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
