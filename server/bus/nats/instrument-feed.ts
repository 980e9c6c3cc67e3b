/**
 * One instrument as a gateway receives it (docs/scaling.md "Warming"): an ordered consumer on the
 * instrument's subject, started at the end of the stream, then the instrument's history state from
 * the active ingest; ticks the state already holds are dropped, later ones follow in order. A seq
 * gap, or ticks that waited longer than `maxLagMs` for this gateway (it fell behind), re-warms it
 * (`resync`). After a NATS reconnect (broker restart) `reattach` continues on a new consumer from the
 * stream position after the last message taken, so clients notice nothing.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { History } from '../../history/history';
import type { Logger } from '../../log';
import type { Tick } from '../types';
import { tickSubject, type NatsSettings } from './config';
import { requestState } from './state';
import { decodeTicks } from './wire';

/** Most ticks held while waiting for the state before the warm starts over. */
const MAX_WARM_BUFFER = 100_000;
const STATE_TIMEOUT_MS = 2000;
const RETRY_MS = 500;

export interface FeedContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly settings: NatsSettings;
  readonly history: History;
  readonly logger: Logger;
  readonly maxLagMs: number;
  epoch(): number;
  /** A message or state of another epoch was seen. */
  epochSeen(epoch: number): void;
  deliver(ticks: readonly Tick[]): void;
  resynced(instrumentId: number, reason: string): void;
}

export class InstrumentFeed {
  private state: 'warming' | 'ready' | 'stopped' = 'warming';
  private lastSeq = 0;
  private buffer: Tick[] = [];
  private messages: ConsumerMessages | undefined;
  private generation = 0;
  /** Stream sequence the next message of this subject will have at the earliest. */
  private nextStreamSeq = 0;
  /** When the current consumer started (ms): a message stored before waited for the broker, not for us. */
  private attachedAtMs = 0;
  private readyPromise: Promise<void>;
  private markReady!: () => void;
  /** When no client held it any more (ms), or undefined while held. */
  idleSinceMs: number | undefined;

  constructor(
    readonly instrumentId: number,
    private readonly ctx: FeedContext,
  ) {
    this.readyPromise = this.newReady();
    void this.warm(this.generation);
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Settles when warm. */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  private newReady(): Promise<void> {
    return new Promise((resolve) => (this.markReady = resolve));
  }

  private async warm(generation: number): Promise<void> {
    const { ctx } = this;
    while (this.generation === generation && this.state === 'warming') {
      try {
        const info = await ctx.jsm.streams.info(ctx.settings.stream);
        if (!(await this.consume(info.state.last_seq + 1, generation))) return;
        for (;;) {
          if (this.generation !== generation) return;
          try {
            const reply = await requestState(ctx.nc, ctx.settings, this.instrumentId, STATE_TIMEOUT_MS);
            if (this.generation !== generation) return;
            if (reply.epoch > ctx.epoch()) {
              // The deployment moved on: the upstream drops every feed (this one too) and starts over.
              ctx.epochSeen(reply.epoch);
              return;
            }
            if (reply.epoch < ctx.epoch()) throw new Error(`the ingest answered in epoch ${reply.epoch}, before ${ctx.epoch()}`);
            if (reply.state === null) ctx.history.forget(this.instrumentId);
            else ctx.history.importInstrument(reply.state);
            this.lastSeq = reply.state?.lastSeq ?? 0;
            break;
          } catch (error) {
            ctx.logger.warn('waiting for an active ingest to warm an instrument', {
              instrumentId: this.instrumentId,
              error: String(error),
            });
            await sleep(RETRY_MS);
          }
        }
        const buffered = this.buffer;
        this.buffer = [];
        this.state = 'ready';
        this.markReady();
        this.accept(buffered);
        return;
      } catch (error) {
        if (this.generation !== generation) return;
        ctx.logger.warn('could not start consuming an instrument; retrying', { instrumentId: this.instrumentId, error: String(error) });
        this.messages?.stop();
        await sleep(RETRY_MS);
      }
    }
  }

  /** Starts a consumer at stream sequence `startSeq`; false when `generation` ended meanwhile. */
  private async consume(startSeq: number, generation: number): Promise<boolean> {
    const { ctx } = this;
    const consumer = await ctx.js.consumers.get(ctx.settings.stream, {
      filter_subjects: tickSubject(ctx.settings, this.instrumentId),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
    });
    if (this.generation !== generation) return false;
    const messages = await consumer.consume({ max_messages: 256 });
    if (this.generation !== generation) {
      messages.stop();
      return false;
    }
    this.messages = messages;
    this.nextStreamSeq = startSeq;
    this.attachedAtMs = Date.now();
    void this.follow(messages, generation);
    return true;
  }

  /**
   * The NATS connection came back (e.g. the broker restarted). The library's ordered consumer may
   * wait tens of seconds before it notices its server-side consumer is gone, so this drops it and
   * continues on a new one from the stream position after the last message taken: nothing is
   * missed, nothing repeated, and holders are not disturbed. A feed still warming warms again.
   */
  reattach(): void {
    if (this.state === 'stopped') return;
    this.stopConsumer();
    const generation = this.generation;
    if (this.state === 'warming') {
      this.buffer = [];
      void this.warm(generation);
      return;
    }
    void (async () => {
      while (this.generation === generation && this.state === 'ready') {
        try {
          await this.consume(this.nextStreamSeq, generation);
          return;
        } catch (error) {
          if (this.generation !== generation) return;
          this.ctx.logger.warn('could not resume consuming an instrument; retrying', {
            instrumentId: this.instrumentId,
            error: String(error),
          });
          await sleep(RETRY_MS);
        }
      }
    })();
  }

  private async follow(messages: ConsumerMessages, generation: number): Promise<void> {
    try {
      for await (const m of messages) {
        if (this.generation !== generation) break;
        this.onMessage(m);
      }
    } catch (error) {
      if (this.generation === generation && this.state !== 'stopped') {
        this.ctx.logger.warn('instrument consumer failed', { instrumentId: this.instrumentId, error: String(error) });
        this.resync('consumer failed');
      }
    }
  }

  private onMessage(m: JsMsg): void {
    this.nextStreamSeq = m.seq + 1;
    const decoded = decodeTicks(m.data, m.headers);
    if (decoded === undefined) return;
    if (decoded.epoch !== this.ctx.epoch()) {
      if (decoded.epoch > this.ctx.epoch()) this.ctx.epochSeen(decoded.epoch);
      return;
    }
    if (this.state === 'warming') {
      this.buffer.push(...decoded.ticks);
      if (this.buffer.length > MAX_WARM_BUFFER) this.resync('too many ticks while warming');
      return;
    }
    const lagMs = Date.now() - Math.max(m.time.getTime(), this.attachedAtMs);
    if (lagMs > this.ctx.maxLagMs) {
      this.resync(`fell ${lagMs} ms behind the stream (limit ${this.ctx.maxLagMs} ms)`);
      return;
    }
    this.accept(decoded.ticks);
  }

  /** Passes on ticks after `lastSeq`, in order; a gap re-warms. */
  private accept(ticks: readonly Tick[]): void {
    let out: Tick[] | undefined;
    for (const tick of ticks) {
      if (tick.seq <= this.lastSeq) continue;
      if (tick.seq !== this.lastSeq + 1) {
        if (out) this.ctx.deliver(out);
        this.resync(`seq gap: ${this.lastSeq} then ${tick.seq}`);
        return;
      }
      this.lastSeq = tick.seq;
      (out ??= []).push(tick);
    }
    if (out) this.ctx.deliver(out);
  }

  /** Starts over: a new consumer and a fresh state; holders are told to resume. */
  resync(reason: string): void {
    if (this.state === 'stopped') return;
    this.ctx.logger.warn('instrument resynchronised', { instrumentId: this.instrumentId, reason });
    this.stopConsumer();
    this.state = 'warming';
    this.buffer = [];
    this.readyPromise = this.newReady();
    this.ctx.resynced(this.instrumentId, reason);
    void this.warm(this.generation);
  }

  private stopConsumer(): void {
    this.generation += 1;
    this.messages?.stop();
    this.messages = undefined;
  }

  stop(): void {
    this.stopConsumer();
    this.state = 'stopped';
    this.buffer = [];
    this.markReady();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
