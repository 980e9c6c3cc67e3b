/**
 * Counts what an exchange adapter had to drop or distrust (malformed JSON, unknown message types,
 * duplicates, gaps) and logs each kind once, with an example, so a flood of one problem costs
 * one log line; the counts are on /healthz through the adapter's `stats()`.
 */
import { createLogger, type Logger } from '../log';
import { describeExample } from '../normaliser/reject-log';

/** Per-kind counters with a first-occurrence log line. */
export class VenueProblems {
  private readonly counts = new Map<string, number>();
  private loggerValue: Logger | undefined;

  /** @param component - adapter name in the log, e.g. "binance". */
  constructor(
    private readonly component: string,
    logger?: Logger,
  ) {
    this.loggerValue = logger;
  }

  private get logger(): Logger {
    this.loggerValue ??= createLogger().child({ component: this.component });
    return this.loggerValue;
  }

  /** Counts one `kind`; logs `message` with `example` the first time (`quiet` kinds are only counted). */
  note(kind: string, message: string, example?: unknown, quiet = false): void {
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    if (count === 1 && !quiet) {
      this.logger.warn(message, { kind, example: describeExample(example), note: `further '${kind}' are only counted (see /healthz)` });
    }
  }

  /**
   * Parses one venue message as a JSON object; anything else is noted as `malformed` (logged once)
   * and comes back `undefined`, so an adapter's message handler starts from a plain object.
   */
  parseObject(text: string): Record<string, unknown> | undefined {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      this.note('malformed', `${this.component} sent a message that is not JSON`, text);
      return undefined;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.note('malformed', `${this.component} sent a non-object message`, message);
      return undefined;
    }
    return message as Record<string, unknown>;
  }

  /** How many of `kind` so far. */
  count(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  /** Adds `n` to `kind` without logging (e.g. trades missed in one gap). */
  add(kind: string, n: number): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  /** Every counter, for stats(). */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
