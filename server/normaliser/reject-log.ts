/**
 * Counts rejected adapter output and keeps the log readable under a flood: the first rejection of
 * each (adapter, reason) is logged at warn with an example, later ones are only counted and
 * summarised per adapter at most once per `summaryIntervalMs`.
 */
import type { Logger } from '../log';
import type { RejectReason } from './reasons';

/** Who emitted the rejected update. `key` distinguishes two adapters of the same name. */
export interface RejectSource {
  readonly key: number;
  readonly adapter: string;
  readonly venue: string;
}

/** Most keys and array items an example shows, and its depth, so logging one stays cheap. */
const EXAMPLE_MAX_KEYS = 12;
const EXAMPLE_MAX_DEPTH = 2;
const EXAMPLE_MAX_STRING = 80;

/**
 * A JSON-safe, bounded copy of `value` for a log line: non-finite numbers become strings
 * ("NaN"), long strings are cut, deep or wide structures are elided. Never throws.
 */
export function describeExample(value: unknown, depth = 0): unknown {
  try {
    switch (typeof value) {
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'string':
        return value.length > EXAMPLE_MAX_STRING ? `${value.slice(0, EXAMPLE_MAX_STRING)}...` : value;
      case 'boolean':
        return value;
      case 'undefined':
        return 'undefined';
      case 'bigint':
        return `${value}n`;
      case 'object': {
        if (value === null) return null;
        if (depth >= EXAMPLE_MAX_DEPTH) return Array.isArray(value) ? '[array]' : '[object]';
        if (Array.isArray(value)) {
          return value.slice(0, EXAMPLE_MAX_KEYS).map((item) => describeExample(item, depth + 1));
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).slice(0, EXAMPLE_MAX_KEYS)) {
          out[key] = describeExample((value as Record<string, unknown>)[key], depth + 1);
        }
        return out;
      }
      default:
        return `[${typeof value}]`;
    }
  } catch {
    return '[unreadable]';
  }
}

interface PendingCounts {
  readonly source: RejectSource;
  readonly counts: Map<RejectReason, number>;
}

/** Rejection counters plus rate-limited warnings. */
export class RejectLog {
  private readonly totalsByReason = new Map<RejectReason, number>();
  private readonly totalsBySourceKey = new Map<number, { readonly source: RejectSource; readonly counts: Map<RejectReason, number> }>();
  private readonly exampleLogged = new Set<string>();
  private readonly pending = new Map<number, PendingCounts>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param logger - where warnings go.
   * @param summaryIntervalMs - least time between two summaries, ms.
   */
  constructor(
    private readonly logger: Logger,
    private readonly summaryIntervalMs: number,
  ) {}

  /** Counts one rejection, logging it with `example` if it is the first of its kind for `source`. */
  record(source: RejectSource, reason: RejectReason, example: unknown): void {
    this.totalsByReason.set(reason, (this.totalsByReason.get(reason) ?? 0) + 1);
    let perSource = this.totalsBySourceKey.get(source.key);
    if (perSource === undefined) {
      perSource = { source, counts: new Map() };
      this.totalsBySourceKey.set(source.key, perSource);
    }
    perSource.counts.set(reason, (perSource.counts.get(reason) ?? 0) + 1);
    const exampleKey = `${source.key}\u0000${reason}`;
    if (!this.exampleLogged.has(exampleKey)) {
      this.exampleLogged.add(exampleKey);
      this.logger.warn('rejected update from adapter', {
        adapter: source.adapter,
        venue: source.venue,
        reason,
        example: describeExample(example),
        note: `further '${reason}' rejections from this adapter are summarised at most every ${this.summaryIntervalMs} ms`,
      });
      return;
    }
    let entry = this.pending.get(source.key);
    if (entry === undefined) {
      entry = { source, counts: new Map() };
      this.pending.set(source.key, entry);
    }
    entry.counts.set(reason, (entry.counts.get(reason) ?? 0) + 1);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.summaryIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Total rejections by reason since creation (only reasons seen). */
  totals(): Record<string, number> {
    return Object.fromEntries(this.totalsByReason);
  }

  /** Total rejections of the source with `key`, by reason (only reasons seen). */
  totalsFor(key: number): Record<string, number> {
    const entry = this.totalsBySourceKey.get(key);
    return entry === undefined ? {} : Object.fromEntries(entry.counts);
  }

  /** Totals per source, keyed "adapter@VENUE" (with "#key" appended if two sources share that). */
  totalsBySource(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, { source, counts }] of this.totalsBySourceKey) {
      let label = `${source.adapter}@${source.venue}`;
      if (Object.hasOwn(out, label)) label += `#${key}`;
      out[label] = Object.fromEntries(counts);
    }
    return out;
  }

  /** Logs the counts gathered since the last summary now, one line per adapter. */
  flush(): void {
    for (const { source, counts } of this.pending.values()) {
      this.logger.warn('rejected updates since last summary', {
        adapter: source.adapter,
        venue: source.venue,
        counts: Object.fromEntries(counts),
      });
    }
    this.pending.clear();
  }

  /** Flushes and cancels the summary timer (rejections recorded later start a new one). */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
