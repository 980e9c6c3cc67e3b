/**
 * Replays the tick stream into a {@link History} and keeps following it: how an ingest rebuilds
 * the state it serves after a restart (everything the stream still retains), and how a standby stays
 * ready to take over. It also learns, per instrument, the last seq and the stream sequence of the
 * subject's last message, which the publisher continues from.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { History } from '../../history/history';
import type { Logger } from '../../log';
import { instrumentOfSubject, type NatsSettings } from './config';
import { decodeTicks } from './wire';

export class StreamMirror {
  /** Last tick seq per instrument seen in the stream. */
  readonly lastSeqs = new Map<number, number>();
  /** Stream sequence of each instrument subject's last message. */
  readonly lastStreamSeqs = new Map<number, number>();
  private position = 0;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private applied = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly settings: NatsSettings,
    private readonly history: History,
    private readonly logger: Logger,
  ) {}

  /** Ticks applied so far. */
  get ticksApplied(): number {
    return this.applied;
  }

  /** Starts following the stream from its first retained message. */
  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.settings.stream, {
      filter_subjects: `${this.settings.subjectRoot}.tick.>`,
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 512 });
    this.messages = messages;
    this.loop = (async () => {
      try {
        for await (const m of messages) {
          const id = instrumentOfSubject(this.settings, m.subject);
          const decoded = id === undefined ? undefined : decodeTicks(m.data, m.headers);
          if (id !== undefined && decoded !== undefined) {
            this.history.apply(decoded.ticks);
            this.applied += decoded.ticks.length;
            this.lastSeqs.set(id, Math.max(this.lastSeqs.get(id) ?? 0, decoded.ticks[decoded.ticks.length - 1]?.seq ?? 0));
            this.lastStreamSeqs.set(id, m.seq);
          }
          this.position = m.seq;
          this.wake();
        }
      } catch (error) {
        this.logger.error('stream mirror stopped', { error: String(error) });
      }
    })();
  }

  /** Resolves once every message stored before this call has been applied. */
  async caughtUp(): Promise<void> {
    const info = await this.jsm.streams.info(this.settings.stream);
    const target = info.state.last_seq;
    if (this.position >= target || info.state.messages === 0) return;
    await new Promise<void>((resolve) => this.waiters.push({ seq: target, resolve }));
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.seq <= this.position);
    this.waiters = this.waiters.filter((w) => w.seq > this.position);
    for (const w of ready) w.resolve();
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop;
  }
}
