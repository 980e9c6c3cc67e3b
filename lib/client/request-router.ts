/**
 * Turns the subscription book into subscribe / unsubscribe requests and routes the server's
 * answers back: user promises, resubscribe rounds after (re)connects (every (instrument, interval)
 * pair, resuming from the instrument's one position), gap resyncs (coalesced and spaced so they
 * never trip the gateway's request rate limit), and undoing what the server refused.
 */
import type { ErrorMessage, SubscribeEntry, SubscribeMessage, UnsubscribeMessage } from '../protocol/messages';
import { ServerRequestError, type FeedClientError } from './errors';
import type { InstrumentTable } from './instrument-table';
import {
  deferred,
  MAX_REQUEST_ID,
  PendingRequests,
  shareWaiters,
  splitWaiter,
  type PendingRequest,
  type RequestOrigin,
  type Waiter,
} from './pending-requests';
import { longestFittingPrefix, splitToFit } from './request-size';
import type { SequenceTracker } from './sequence-tracker';
import type { IntervalOrNone, SubscriptionBook, SubscriptionChange } from './subscription-book';
import type { ClientMessage } from '../protocol/messages';

/**
 * Least time between two gap-resync requests (ms). Gaps found meanwhile are coalesced into the
 * next request, keeping resyncs at <= 4 requests/s whatever the server does (the gateway closes
 * 1008 past its request rate).
 */
export const RESYNC_MIN_SPACING_MS = 250;

/** What the router works on; owned by the client. */
export interface RequestRouterDeps {
  readonly book: SubscriptionBook;
  readonly tracker: SequenceTracker;
  readonly table: InstrumentTable;
  /** Sends on the current socket; false when there is none. */
  readonly send: (message: ClientMessage) => boolean;
  readonly emitError: (error: FeedClientError) => void;
  /** Clock (ms). */
  readonly now: () => number;
  /** Encoded size of a message (bytes), as `send` would put it on the wire. */
  readonly messageBytes: (message: ClientMessage) => number;
  /**
   * Largest message the gateway accepts (bytes; `MAX_CLIENT_MESSAGE_BYTES`, larger closes 1009):
   * bigger requests are cut into parts that fit.
   */
  readonly maxMessageBytes: number;
}

interface GroupRequest {
  readonly all: boolean;
  readonly interval: IntervalOrNone;
  readonly symbols: readonly string[];
  readonly resumeEpoch: number;
  readonly origin: RequestOrigin;
  readonly awaiting: readonly number[];
  readonly change?: SubscriptionChange;
  readonly waiters: Waiter[];
}

/** Request bookkeeping of one client. */
export class RequestRouter {
  readonly #pending = new PendingRequests();
  readonly #resyncQueue = new Set<number>();
  /**
   * Pairs added since their snapshot last arrived (`pairKey`): a reconnect asks for them fresh, not
   * resumed, since a resume replays what was missed, not the bar history a new pair needs.
   */
  readonly #unsnapped = new Set<string>();
  /**
   * Explicit pairs a gap resync added on this connection for instruments covered only by "all"
   * (symbol -> interval): dropped with that "all" pair.
   */
  readonly #resyncPairs = new Map<string, IntervalOrNone>();
  #resyncTimer: ReturnType<typeof setTimeout> | undefined;
  #lastResyncAt = -Infinity;

  constructor(private readonly deps: RequestRouterDeps) {}

  /** A request id no subscribe or unsubscribe in flight uses (for the client's other requests: `history`). */
  nextRequestId(): number {
    return this.#pending.nextId();
  }

  /**
   * A promise settled by the next resubscribe round (the request was made while not connected):
   * by the requests holding `symbols` (what the subscribe asked for), else by the whole round.
   */
  parked(symbols?: readonly string[] | 'all'): Promise<void> {
    const { promise, waiter } = deferred(symbols);
    this.#pending.park(waiter);
    return promise;
  }

  /**
   * Notes the pairs a subscribe added (connected or not): until their snapshots arrive, a
   * reconnect asks for them fresh.
   */
  noteAdded(change: SubscriptionChange): void {
    for (const symbol of change.added) this.#unsnapped.add(pairKey(symbol, change.interval));
    if (change.addedAll) this.#unsnapped.add(allKey(change.interval));
  }

  /** A snapshot of the pair (instrument, interval) arrived (under its full name or bare alias). */
  snapshotArrived(symbol: string, alias: string | undefined, interval: IntervalOrNone): void {
    if (this.#unsnapped.size === 0) return;
    this.#unsnapped.delete(pairKey(symbol, interval));
    if (alias !== undefined) this.#unsnapped.delete(pairKey(alias, interval));
  }

  /** Sends a user subscribe adding the pairs (symbol, interval) or (all, interval). */
  subscribe(args: { symbols: readonly string[] | 'all'; interval: IntervalOrNone; change: SubscriptionChange }): Promise<void> {
    const { symbols, interval, change } = args;
    const { promise, waiter } = deferred(symbols);
    this.#request({
      all: symbols === 'all',
      interval,
      symbols: symbols === 'all' ? [] : symbols,
      resumeEpoch: 0,
      origin: 'user',
      awaiting: [],
      change,
      waiters: [waiter],
    });
    return promise;
  }

  /**
   * Sends an unsubscribe of the pairs (symbol, interval), or (all, interval), in several parts
   * when its symbols outgrow one message. Dropping (all, interval) also drops the pairs a gap
   * resync added under it.
   */
  unsubscribe(symbols: readonly string[] | 'all', interval: IntervalOrNone): Promise<void> {
    const { promise, waiter } = deferred();
    const requests: Array<{ all: boolean; symbols: readonly string[] }> = [];
    if (symbols === 'all') {
      requests.push({ all: true, symbols: [] });
      const extra = [...this.#resyncPairs]
        .filter(([symbol, i]) => i === interval && !this.deps.book.holds(symbol, interval))
        .map(([symbol]) => symbol);
      for (const symbol of extra) this.#resyncPairs.delete(symbol);
      if (extra.length > 0) requests.push(...this.#unsubscribeParts(false, extra, interval));
    } else {
      requests.push(...this.#unsubscribeParts(false, symbols, interval));
    }
    const waiters = splitWaiter(waiter, requests.length);
    requests.forEach((request, i) => {
      const requestId = this.#pending.nextId();
      const message: UnsubscribeMessage = { type: 'unsubscribe', requestId, all: request.all, interval, symbols: request.symbols };
      this.#pending.add({
        requestId,
        kind: 'unsubscribe',
        symbols: request.symbols,
        all: request.all,
        origin: 'user',
        interval,
        resumeEpoch: 0,
        awaiting: [],
        waiters: [waiters[i] as Waiter],
      });
      this.deps.send(message);
    });
    return promise;
  }

  /**
   * Forgets what dropping the pairs (symbols, interval) makes moot: their pending snapshots, and
   * the sequence state of instruments no pair covers any more.
   */
  forget(symbols: readonly string[] | 'all', interval: IntervalOrNone): void {
    const { book, table, tracker } = this.deps;
    const gone = (id: number): void => {
      const instrument = table.get(id);
      if (instrument && book.coversInstrument(instrument.symbol, table.aliasOf(instrument))) return;
      tracker.forget(id);
      this.#resyncQueue.delete(id);
    };
    if (symbols === 'all') {
      this.#unsnapped.delete(allKey(interval));
      if (book.allIntervals.size === 0) {
        this.#resyncPairs.clear();
        for (const id of [...tracker.positions()].map(([id]) => id)) gone(id);
      }
      return;
    }
    for (const symbol of symbols) {
      this.#unsnapped.delete(pairKey(symbol, interval));
      const id = table.bySymbol(symbol)?.id;
      if (id !== undefined) gone(id);
    }
  }

  /**
   * After `hello`: resubscribes the whole book, resuming from the tracker's positions when
   * `resumeEpoch` is not 0, and settles the promises parked until now when every request is answered.
   */
  resubscribeAll(resumeEpoch: number): void {
    const groups = this.deps.book.groups();
    // Each parked promise waits for the requests holding what it asked for, so one unknown symbol
    // refuses only the subscribe that named it, not every subscribe made before connecting.
    const shares = shareWaiters(this.#pending.takeParked(), groups);
    groups.forEach((group, i) => {
      this.#request({
        all: group.all,
        interval: group.interval,
        symbols: group.symbols,
        resumeEpoch,
        origin: 'round',
        awaiting: [],
        waiters: shares[i] ?? [],
      });
    });
  }

  /** The server acknowledged a request. */
  ack(requestId: number): void {
    const request = this.#pending.take(requestId);
    if (!request) return;
    // The snapshots of an "all" pair follow its ack at once (one per instrument): it counts as answered.
    if (request.kind === 'subscribe' && request.all) this.#unsnapped.delete(allKey(request.interval as IntervalOrNone));
    for (const waiter of request.waiters) waiter.resolve();
  }

  /** The server refused a request (or reported an error not tied to one). */
  serverError(message: ErrorMessage): void {
    const request = this.#pending.take(message.requestId);
    const error = new ServerRequestError(message.code, message.message, message.requestId, request?.symbols ?? []);
    if (request) {
      for (const id of request.awaiting) this.deps.tracker.cancelAwait(id);
      let refused = request.waiters;
      if (request.kind === 'subscribe') {
        if (request.origin === 'user' && request.change) {
          this.deps.book.revert(request.change);
          this.forget(request.change.added, request.change.interval);
          if (request.change.addedAll) this.forget('all', request.change.interval);
        } else if (!request.all) refused = this.#healRefused(request);
      }
      for (const waiter of refused) waiter.reject(error);
    }
    this.deps.emitError(error);
  }

  /** Marks an instrument for resync (called on a gap). */
  queueResync(instrumentId: number): void {
    this.#resyncQueue.add(instrumentId);
  }

  /** Sends queued resyncs now, or as soon as {@link RESYNC_MIN_SPACING_MS} allows. */
  flushResyncSoon(now: number): void {
    if (this.#resyncQueue.size === 0 || this.#resyncTimer !== undefined) return;
    const wait = this.#lastResyncAt + RESYNC_MIN_SPACING_MS - now;
    if (wait <= 0) this.#flushResync();
    else this.#resyncTimer = setTimeout(() => this.#flushResync(), wait);
  }

  /** The connection ended: see {@link PendingRequests.disconnect}; resyncs are moot (the next round resumes). */
  disconnect(): void {
    this.#pending.disconnect();
    this.#resyncQueue.clear();
    this.#resyncPairs.clear();
    clearTimeout(this.#resyncTimer);
    this.#resyncTimer = undefined;
  }

  /** The client stopped: every waiter is rejected with `error`. */
  rejectAll(error: Error): void {
    this.disconnect();
    this.#pending.rejectAll(error);
  }

  // ---- internals ----------------------------------------------------------------------------

  #flushResync(): void {
    this.#resyncTimer = undefined;
    this.#lastResyncAt = this.deps.now();
    const { book, table, tracker } = this.deps;
    const byInterval = new Map<IntervalOrNone, { symbols: string[]; ids: number[] }>();
    const add = (interval: IntervalOrNone, symbol: string, id: number): void => {
      let group = byInterval.get(interval);
      if (!group) byInterval.set(interval, (group = { symbols: [], ids: [] }));
      group.symbols.push(symbol);
      group.ids.push(id);
    };
    for (const id of this.#resyncQueue) {
      const instrument = table.get(id);
      // The book may hold the instrument under its bare symbol ("BTC-USD" for "SIM:BTC-USD").
      const key = instrument && book.keyFor(instrument.symbol, table.aliasOf(instrument));
      const allInterval = minimum(book.allIntervals);
      if (instrument === undefined || (key === undefined && allInterval === undefined)) {
        tracker.forget(id);
        continue;
      }
      if (key !== undefined) {
        // Every pair of it again, so each chart of the instrument gets its bars afresh.
        for (const interval of book.symbols.get(key) ?? []) add(interval, key, id);
      } else if (allInterval !== undefined) {
        // Covered by "all" only: asking for "all" again would resend every instrument's snapshot.
        this.#resyncPairs.set(instrument.symbol, allInterval);
        add(allInterval, instrument.symbol, id);
      }
    }
    this.#resyncQueue.clear();
    for (const [interval, group] of byInterval) {
      this.#request({
        all: false,
        interval,
        symbols: group.symbols,
        resumeEpoch: 0,
        origin: 'internal',
        awaiting: group.ids,
        waiters: [],
      });
    }
  }

  /**
   * A round or internal subscribe was refused. The gateway refuses a request atomically, so:
   * symbols the instrument table does not know are dropped from the book and the rest are sent
   * again once; when none is unknown (e.g. too many subscriptions) the request's symbols are
   * dropped, so a refused request is never retried forever. The application's promises that asked
   * for none of the unknown symbols wait for the retry; returns the waiters to reject.
   */
  #healRefused(request: PendingRequest): Waiter[] {
    const { book, table } = this.deps;
    const { symbols } = request;
    const unknown = symbols.filter((s) => table.bySymbol(s) === undefined);
    const known = symbols.filter((s) => table.bySymbol(s) !== undefined);
    const interval = request.interval as IntervalOrNone;
    if (unknown.length === 0) {
      if (request.origin === 'round') book.drop(symbols, interval);
      return request.waiters;
    }
    book.drop(unknown, interval);
    const retry = known.filter((s) => book.holds(s, interval));
    if (request.origin !== 'round' || retry.length === 0) return request.waiters;
    const dropped = new Set(unknown);
    const innocent = (waiter: Waiter): boolean => Array.isArray(waiter.symbols) && !waiter.symbols.some((s) => dropped.has(s));
    this.#request({
      all: false,
      interval,
      symbols: retry,
      resumeEpoch: request.resumeEpoch,
      origin: 'internal',
      awaiting: [],
      waiters: request.waiters.filter(innocent),
    });
    return request.waiters.filter((waiter) => !innocent(waiter));
  }

  /**
   * Sends a subscribe, cut to fit the gateway's message limit: the symbols of an explicit request
   * go in consecutive parts (each its own request, each atomic on its own); an "all" request keeps
   * the resume positions that fit, and the instruments left out get fresh snapshots instead.
   */
  #request(group: GroupRequest): void {
    const entries = this.#entries(group);
    const bytesOf = (part: readonly SubscribeEntry[]) => this.deps.messageBytes(subscribeMessage(MAX_REQUEST_ID, group, part));
    const max = this.deps.maxMessageBytes;
    if (group.all) {
      this.#sendSubscribe(group, entries.slice(0, longestFittingPrefix(entries, bytesOf, max)));
      return;
    }
    const parts = splitToFit(entries, bytesOf, max);
    if (parts.length === 1) {
      this.#sendSubscribe(group, entries);
      return;
    }
    const waiters = shareWaiters(
      group.waiters,
      parts.map((part) => ({ all: false, symbols: part.map((entry) => entry.symbol) })),
    );
    parts.forEach((part, i) => {
      const symbols = part.map((entry) => entry.symbol);
      const named = new Set(symbols);
      const ids = new Set(this.#idsOf(symbols));
      const change = group.change && { ...group.change, added: group.change.added.filter((symbol) => named.has(symbol)) };
      this.#sendSubscribe(
        { ...group, symbols, awaiting: group.awaiting.filter((id) => ids.has(id)), change, waiters: waiters[i] ?? [] },
        part,
      );
    });
  }

  #sendSubscribe(group: GroupRequest, entries: readonly SubscribeEntry[]): void {
    const requestId = this.#pending.nextId();
    this.#pending.add({
      requestId,
      kind: 'subscribe',
      symbols: group.symbols,
      all: group.all,
      origin: group.origin,
      interval: group.interval,
      resumeEpoch: group.resumeEpoch,
      awaiting: group.awaiting,
      change: group.change,
      waiters: group.waiters,
    });
    this.deps.send(subscribeMessage(requestId, group, entries));
  }

  /**
   * Symbols with resume positions: the instrument's one position, shared by its pairs, except for
   * a pair whose snapshot never came (asked fresh). An "all" request lists every tracked
   * instrument (resume only).
   */
  #entries(group: GroupRequest): SubscribeEntry[] {
    const { table, tracker } = this.deps;
    const resuming = group.resumeEpoch !== 0;
    if (group.all) {
      if (!resuming || this.#unsnapped.has(allKey(group.interval))) return [];
      const entries: SubscribeEntry[] = [];
      for (const [id, seq] of tracker.positions()) {
        const symbol = table.get(id)?.symbol;
        if (symbol !== undefined) entries.push({ symbol, lastSeq: seq });
      }
      return entries;
    }
    return group.symbols.map((symbol) => {
      const fresh = !resuming || this.#unsnapped.has(pairKey(symbol, group.interval));
      const id = fresh ? undefined : table.bySymbol(symbol)?.id;
      return { symbol, lastSeq: id === undefined ? 0 : (tracker.position(id) ?? 0) };
    });
  }

  /** Unsubscribe requests of `symbols` at `interval`, each fitting the message limit. */
  #unsubscribeParts(
    all: boolean,
    symbols: readonly string[],
    interval: IntervalOrNone,
  ): Array<{ all: boolean; symbols: readonly string[] }> {
    const bytesOf = (part: readonly string[]) =>
      this.deps.messageBytes({ type: 'unsubscribe', requestId: MAX_REQUEST_ID, all, interval, symbols: part });
    return splitToFit(symbols, bytesOf, this.deps.maxMessageBytes).map((part) => ({ all, symbols: part }));
  }

  /** Instrument ids the table knows for `symbols` (every id for 'all'). */
  #idsOf(symbols: readonly string[] | 'all'): number[] {
    const { table } = this.deps;
    if (symbols === 'all') return [...table.byId.keys()];
    const ids: number[] = [];
    for (const symbol of symbols) {
      const id = table.bySymbol(symbol)?.id;
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }
}

/** The subscribe message of `group` carrying `symbols`. */
function subscribeMessage(requestId: number, group: GroupRequest, symbols: readonly SubscribeEntry[]): SubscribeMessage {
  return { type: 'subscribe', requestId, all: group.all, interval: group.interval, resumeEpoch: group.resumeEpoch, symbols };
}

/** Key of the pair (symbol, interval) in the router's sets. */
function pairKey(symbol: string, interval: IntervalOrNone): string {
  return `${interval}@${symbol}`;
}

/** Key of the pair (all, interval): NUL is in no symbol, so it never equals a {@link pairKey}. */
function allKey(interval: IntervalOrNone): string {
  return `${interval}\u0000all`;
}

/** Smallest of `values`, or undefined when empty. */
function minimum(values: ReadonlySet<IntervalOrNone>): IntervalOrNone | undefined {
  let least: IntervalOrNone | undefined;
  for (const value of values) if (least === undefined || value < least) least = value;
  return least;
}
