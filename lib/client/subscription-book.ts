/**
 * What the application wants to be subscribed to, independent of any connection: the client
 * replays it after every (re)connect. Symbols map to their bar interval; "all" has its own.
 */
import { type BarInterval, isBarInterval } from '../market/types';

/** A bar interval in seconds, or 0 for no bars. */
export type IntervalOrNone = BarInterval | 0;

/** One subscribe request's worth of the book: everything sharing an interval. */
export interface SubscriptionGroup {
  readonly all: boolean;
  readonly interval: IntervalOrNone;
  /** Explicit symbols (empty for the "all" group). */
  readonly symbols: readonly string[];
}

/** Undo record of one {@link SubscriptionBook.add}, used when the server refuses the request. */
export interface SubscriptionChange {
  readonly all: boolean;
  readonly interval: IntervalOrNone;
  /** symbol -> interval it had before (undefined = was not subscribed). */
  readonly previous: ReadonlyMap<string, IntervalOrNone | undefined>;
  /** Interval "all" had before (null = was not subscribed to all). */
  readonly previousAll: IntervalOrNone | null;
}

/** Throws a TypeError unless `interval` is 0 or a supported bar interval. */
export function assertInterval(interval: unknown, name = 'interval'): asserts interval is IntervalOrNone {
  if (interval !== 0 && !isBarInterval(interval)) {
    throw new TypeError(`${name} must be 0 (no bars) or one of the bar intervals in seconds, got ${String(interval)}`);
  }
}

/** Throws a TypeError unless `symbols` is 'all' or an array of non-empty strings. */
export function assertSymbols(symbols: unknown): asserts symbols is readonly string[] | 'all' {
  if (symbols === 'all') return;
  if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new TypeError(`symbols must be 'all' or an array of non-empty strings, got ${JSON.stringify(symbols)}`);
  }
}

/** The desired subscriptions. */
export class SubscriptionBook {
  readonly #symbols = new Map<string, IntervalOrNone>();
  #all: IntervalOrNone | null = null;

  /** True when nothing is subscribed. */
  get isEmpty(): boolean {
    return this.#all === null && this.#symbols.size === 0;
  }

  /** Interval of the "all" subscription, or null when not subscribed to all. */
  get allInterval(): IntervalOrNone | null {
    return this.#all;
  }

  /** Explicit symbols and their intervals. */
  get symbols(): ReadonlyMap<string, IntervalOrNone> {
    return this.#symbols;
  }

  /** True when updates for `symbol` are wanted (explicitly or through "all"). */
  covers(symbol: string): boolean {
    return this.#all !== null || this.#symbols.has(symbol);
  }

  /**
   * The explicit entry an instrument is subscribed under: its full `symbol`, else its bare
   * `alias` (see InstrumentTable.aliasOf); `undefined` when neither is in the book.
   */
  keyFor(symbol: string, alias: string | undefined): string | undefined {
    if (this.#symbols.has(symbol)) return symbol;
    return alias !== undefined && this.#symbols.has(alias) ? alias : undefined;
  }

  /** True when updates for the instrument named `symbol` (bare alias `alias`) are wanted. */
  coversInstrument(symbol: string, alias: string | undefined): boolean {
    return this.#all !== null || this.keyFor(symbol, alias) !== undefined;
  }

  /** Interval `symbol` is subscribed with (explicit entry first, else "all"), or undefined. */
  intervalOf(symbol: string): IntervalOrNone | undefined {
    return this.#symbols.get(symbol) ?? this.#all ?? undefined;
  }

  /** Adds symbols (or "all") at `interval`; returns the undo record. */
  add(symbols: readonly string[] | 'all', interval: IntervalOrNone): SubscriptionChange {
    const previous = new Map<string, IntervalOrNone | undefined>();
    const previousAll = this.#all;
    if (symbols === 'all') {
      this.#all = interval;
    } else {
      for (const symbol of symbols) {
        if (!previous.has(symbol)) previous.set(symbol, this.#symbols.get(symbol));
        this.#symbols.set(symbol, interval);
      }
    }
    return { all: symbols === 'all', interval, previous, previousAll };
  }

  /**
   * Undoes `change` where nothing changed since (a later subscribe to the same symbol wins).
   * Returns the symbols that are no longer subscribed.
   */
  revert(change: SubscriptionChange): string[] {
    const dropped: string[] = [];
    if (change.all && this.#all === change.interval) this.#all = change.previousAll;
    for (const [symbol, before] of change.previous) {
      if (this.#symbols.get(symbol) !== change.interval) continue;
      if (before === undefined) {
        this.#symbols.delete(symbol);
        dropped.push(symbol);
      } else {
        this.#symbols.set(symbol, before);
      }
    }
    return dropped;
  }

  /** Removes symbols, or everything for 'all'. */
  remove(symbols: readonly string[] | 'all'): void {
    if (symbols === 'all') {
      this.#all = null;
      this.#symbols.clear();
      return;
    }
    for (const symbol of symbols) this.#symbols.delete(symbol);
  }

  /** Removes symbols the server refused, without touching "all". */
  drop(symbols: readonly string[]): void {
    for (const symbol of symbols) this.#symbols.delete(symbol);
  }

  /** Moves every subscription to `interval`. */
  setInterval(interval: IntervalOrNone): void {
    if (this.#all !== null) this.#all = interval;
    for (const symbol of this.#symbols.keys()) this.#symbols.set(symbol, interval);
  }

  /**
   * The book as subscribe requests: one group per interval of explicit symbols, then "all". The
   * explicit ones go first so the gateway knows their intervals when it answers "all".
   */
  groups(): SubscriptionGroup[] {
    const groups: SubscriptionGroup[] = [];
    const byInterval = new Map<IntervalOrNone, string[]>();
    for (const [symbol, interval] of this.#symbols) {
      let list = byInterval.get(interval);
      if (!list) byInterval.set(interval, (list = []));
      list.push(symbol);
    }
    for (const [interval, symbols] of byInterval) groups.push({ all: false, interval, symbols });
    if (this.#all !== null) groups.push({ all: true, interval: this.#all, symbols: [] });
    return groups;
  }
}
