/**
 * What the application wants to be subscribed to, independent of any connection: the client
 * replays it after every (re)connect. A subscription is a pair (instrument, bar interval),
 * interval 0 = ticks without bars (docs/protocol.md §2.3); `all` is a pseudo-instrument with its
 * own set of intervals. Several intervals of one instrument may be held at once.
 */
import { type BarInterval, isBarInterval } from '../market/types';

/** A bar interval in seconds, or 0 for no bars. */
export type IntervalOrNone = BarInterval | 0;

/** One subscribe request's worth of the book: pairs sharing an interval. */
export interface SubscriptionGroup {
  readonly all: boolean;
  readonly interval: IntervalOrNone;
  /** Explicit symbols (empty for an "all" group). */
  readonly symbols: readonly string[];
}

/** Undo record of one {@link SubscriptionBook.add}: the pairs it added (held before are not listed). */
export interface SubscriptionChange {
  readonly all: boolean;
  readonly interval: IntervalOrNone;
  /** Symbols whose pair (symbol, interval) this change added. */
  readonly added: readonly string[];
  /** True when it added the pair (all, interval). */
  readonly addedAll: boolean;
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

/** The desired (instrument, interval) pairs. */
export class SubscriptionBook {
  readonly #symbols = new Map<string, Set<IntervalOrNone>>();
  readonly #all = new Set<IntervalOrNone>();

  /** True when nothing is subscribed. */
  get isEmpty(): boolean {
    return this.#all.size === 0 && this.#symbols.size === 0;
  }

  /** Intervals of the (all, interval) pairs held. */
  get allIntervals(): ReadonlySet<IntervalOrNone> {
    return this.#all;
  }

  /** Explicit symbols and the intervals held for each. */
  get symbols(): ReadonlyMap<string, ReadonlySet<IntervalOrNone>> {
    return this.#symbols;
  }

  /** True when updates for `symbol` are wanted (explicitly or through "all"). */
  covers(symbol: string): boolean {
    return this.#all.size > 0 || this.#symbols.has(symbol);
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
    return this.#all.size > 0 || this.keyFor(symbol, alias) !== undefined;
  }

  /**
   * True when bars of `interval` are wanted for the instrument: a pair (instrument, interval) is
   * held under its full name or bare alias, or (all, interval) is.
   */
  holdsInterval(symbol: string, alias: string | undefined, interval: IntervalOrNone): boolean {
    if (this.#all.has(interval)) return true;
    if (this.#symbols.get(symbol)?.has(interval)) return true;
    return alias !== undefined && (this.#symbols.get(alias)?.has(interval) ?? false);
  }

  /** True when the pair (symbol, interval), or (all, interval) for 'all', is held. */
  holds(symbol: string | 'all', interval: IntervalOrNone): boolean {
    return symbol === 'all' ? this.#all.has(interval) : (this.#symbols.get(symbol)?.has(interval) ?? false);
  }

  /** Adds the pairs (symbol, interval) (or (all, interval)); returns the undo record. */
  add(symbols: readonly string[] | 'all', interval: IntervalOrNone): SubscriptionChange {
    if (symbols === 'all') {
      const addedAll = !this.#all.has(interval);
      this.#all.add(interval);
      return { all: true, interval, added: [], addedAll };
    }
    const added: string[] = [];
    for (const symbol of symbols) {
      let held = this.#symbols.get(symbol);
      if (!held) this.#symbols.set(symbol, (held = new Set()));
      if (held.has(interval)) continue;
      held.add(interval);
      added.push(symbol);
    }
    return { all: false, interval, added, addedAll: false };
  }

  /** Undoes `change` (the server refused it): drops the pairs it added. */
  revert(change: SubscriptionChange): void {
    if (change.addedAll) this.#all.delete(change.interval);
    this.drop(change.added, change.interval);
  }

  /** Drops the pairs (symbol, interval), or (all, interval) for 'all' (explicit pairs stay). */
  remove(symbols: readonly string[] | 'all', interval: IntervalOrNone): void {
    if (symbols === 'all') this.#all.delete(interval);
    else this.drop(symbols, interval);
  }

  /** Drops the pairs (symbol, interval) of explicit symbols (a refused request). */
  drop(symbols: readonly string[], interval: IntervalOrNone): void {
    for (const symbol of symbols) {
      const held = this.#symbols.get(symbol);
      if (!held) continue;
      held.delete(interval);
      if (held.size === 0) this.#symbols.delete(symbol);
    }
  }

  /** The book as subscribe requests: one group per interval of explicit pairs, then one per "all" interval. */
  groups(): SubscriptionGroup[] {
    const groups: SubscriptionGroup[] = [];
    const byInterval = new Map<IntervalOrNone, string[]>();
    for (const [symbol, intervals] of this.#symbols) {
      for (const interval of intervals) {
        let list = byInterval.get(interval);
        if (!list) byInterval.set(interval, (list = []));
        list.push(symbol);
      }
    }
    for (const [interval, symbols] of byInterval) groups.push({ all: false, interval, symbols });
    for (const interval of this.#all) groups.push({ all: true, interval, symbols: [] });
    return groups;
  }
}
