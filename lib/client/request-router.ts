/**
 * Turns the subscription book into subscribe / unsubscribe requests and routes the server's
 * answers back: user promises, resubscribe rounds after (re)connects and interval changes,
 * gap resyncs (coalesced and spaced so they never trip the gateway's request rate limit), and
 * undoing what the server refused.
 */
import type { ErrorMessage, SubscribeEntry, SubscribeMessage, UnsubscribeMessage } from '../protocol/messages';
import { ServerRequestError, type FeedClientError } from './errors';
import type { InstrumentTable } from './instrument-table';
import {
  deferred,
  MAX_REQUEST_ID,
  PendingRequests,
  settleAll,
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
  /** Symbols covered by "all" that a resync subscribed explicitly on this connection. */
  readonly #resyncedUnderAll = new Set<string>();
  #resyncTimer: ReturnType<typeof setTimeout> | undefined;
  #lastResyncAt = -Infinity;

  constructor(private readonly deps: RequestRouterDeps) {}

  /**
   * A promise settled by the next resubscribe round (the request was made while not connected):
   * by the requests holding `symbols` (what the subscribe asked for), else by the whole round.
   */
  parked(symbols?: readonly string[] | 'all'): Promise<void> {
    const { promise, waiter } = deferred(symbols);
    this.#pending.park(waiter);
    return promise;
  }

  /** Sends a user subscribe; the instruments' live updates pause until their snapshots. */
  subscribe(args: { symbols: readonly string[] | 'all'; interval: IntervalOrNone; change: SubscriptionChange }): Promise<void> {
    const { symbols, interval, change } = args;
    const awaiting = this.#idsOf(symbols);
    for (const id of awaiting) this.deps.tracker.awaitSnapshot(id);
    const { promise, waiter } = deferred(symbols);
    this.#request({
      all: symbols === 'all',
      interval,
      symbols: symbols === 'all' ? [] : symbols,
      resumeEpoch: 0,
      origin: 'user',
      awaiting,
      change,
      waiters: [waiter],
    });
    return promise;
  }

  /** Sends an unsubscribe (in several parts when its symbols outgrow one message). */
  unsubscribe(symbols: readonly string[] | 'all'): Promise<void> {
    const { promise, waiter } = deferred();
    const all = symbols === 'all';
    const list = all ? [] : symbols;
    const bytesOf = (part: readonly string[]) =>
      this.deps.messageBytes({ type: 'unsubscribe', requestId: MAX_REQUEST_ID, all, interval: 0, symbols: part });
    const parts = splitToFit(list, bytesOf, this.deps.maxMessageBytes);
    const waiters = splitWaiter(waiter, parts.length);
    parts.forEach((part, i) => {
      const requestId = this.#pending.nextId();
      const message: UnsubscribeMessage = { type: 'unsubscribe', requestId, all, interval: 0, symbols: part };
      this.#pending.add({
        requestId,
        kind: 'unsubscribe',
        symbols: part,
        all,
        origin: 'user',
        interval: 0,
        resumeEpoch: 0,
        awaiting: [],
        waiters: [waiters[i] as Waiter],
      });
      this.deps.send(message);
    });
    return promise;
  }

  /** Forgets per-instrument state of unsubscribed symbols. */
  forget(symbols: readonly string[] | 'all'): void {
    if (symbols === 'all') {
      this.deps.tracker.clear();
      this.#resyncedUnderAll.clear();
      this.#resyncQueue.clear();
      return;
    }
    for (const symbol of symbols) {
      this.#resyncedUnderAll.delete(symbol);
      const id = this.deps.table.bySymbol(symbol)?.id;
      if (id === undefined) continue;
      this.deps.tracker.forget(id);
      this.#resyncQueue.delete(id);
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

  /** Resubscribes everything with fresh snapshots at `interval` (an interval change). */
  resubscribeFresh(interval: IntervalOrNone): Promise<void> {
    const { book, tracker, table } = this.deps;
    const rounds: Promise<void>[] = [];
    const extra = book.allInterval !== null ? [...this.#resyncedUnderAll].filter((s) => !book.symbols.has(s)) : [];
    for (const group of book.groups()) {
      const symbols = group.all ? [] : group.symbols;
      const awaiting = group.all ? [...table.byId.keys()] : this.#idsOf(symbols);
      for (const id of awaiting) tracker.awaitSnapshot(id);
      rounds.push(this.#roundRequest(group.all, group.interval, symbols, 0, awaiting));
    }
    if (extra.length > 0) rounds.push(this.#roundRequest(false, interval, extra, 0, this.#idsOf(extra)));
    const { promise, waiter } = deferred();
    settleAll(rounds, [waiter]);
    return promise;
  }

  /** The server acknowledged a request. */
  ack(requestId: number): void {
    const request = this.#pending.take(requestId);
    if (request) for (const waiter of request.waiters) waiter.resolve();
  }

  /** The server refused a request (or reported an error not tied to one). */
  serverError(message: ErrorMessage): void {
    const request = this.#pending.take(message.requestId);
    const error = new ServerRequestError(message.code, message.message, message.requestId, request?.symbols ?? []);
    if (request) {
      for (const id of request.awaiting) this.deps.tracker.cancelAwait(id);
      let refused = request.waiters;
      if (request.kind === 'subscribe') {
        if (request.origin === 'user' && request.change) this.deps.book.revert(request.change);
        else if (!request.all) refused = this.#healRefused(request);
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
    this.#resyncedUnderAll.clear();
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
    for (const id of this.#resyncQueue) {
      const instrument = table.get(id);
      // The book may hold the instrument under its bare symbol ("BTC-USD" for "SIM:BTC-USD").
      const key = instrument && book.keyFor(instrument.symbol, table.aliasOf(instrument));
      const symbol = key ?? instrument?.symbol;
      const interval = key !== undefined ? book.symbols.get(key) : instrument === undefined ? undefined : (book.allInterval ?? undefined);
      if (symbol === undefined || interval === undefined) {
        tracker.forget(id);
        continue;
      }
      if (key === undefined) this.#resyncedUnderAll.add(symbol);
      let group = byInterval.get(interval);
      if (!group) byInterval.set(interval, (group = { symbols: [], ids: [] }));
      group.symbols.push(symbol);
      group.ids.push(id);
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
    if (unknown.length === 0) {
      if (request.origin === 'round') book.drop(symbols);
      return request.waiters;
    }
    book.drop(unknown);
    const retry = known.filter((s) => book.symbols.get(s) === request.interval);
    if (request.origin !== 'round' || retry.length === 0) return request.waiters;
    const dropped = new Set(unknown);
    const innocent = (waiter: Waiter): boolean => Array.isArray(waiter.symbols) && !waiter.symbols.some((s) => dropped.has(s));
    this.#request({
      all: false,
      interval: request.interval as IntervalOrNone,
      symbols: retry,
      resumeEpoch: request.resumeEpoch,
      origin: 'internal',
      awaiting: [],
      waiters: request.waiters.filter(innocent),
    });
    return request.waiters.filter((waiter) => !innocent(waiter));
  }

  #roundRequest(
    all: boolean,
    interval: IntervalOrNone,
    symbols: readonly string[],
    resumeEpoch: number,
    awaiting: readonly number[],
  ): Promise<void> {
    const { promise, waiter } = deferred();
    this.#request({ all, interval, symbols, resumeEpoch, origin: 'round', awaiting, waiters: [waiter] });
    return promise;
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
      const change = group.change && {
        ...group.change,
        previous: new Map([...group.change.previous].filter(([symbol]) => named.has(symbol))),
      };
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

  /** Symbols with resume positions. An "all" request lists every tracked instrument (resume only). */
  #entries(group: GroupRequest): SubscribeEntry[] {
    const { table, tracker } = this.deps;
    const resuming = group.resumeEpoch !== 0;
    if (group.all) {
      if (!resuming) return [];
      const entries: SubscribeEntry[] = [];
      for (const [id, seq] of tracker.positions()) {
        if (tracker.needsFresh(id)) continue; // no resume: its changed subscription wants a fresh snapshot
        const symbol = table.get(id)?.symbol;
        if (symbol !== undefined) entries.push({ symbol, lastSeq: seq });
      }
      return entries;
    }
    return group.symbols.map((symbol) => {
      const id = resuming ? table.bySymbol(symbol)?.id : undefined;
      return { symbol, lastSeq: id === undefined || tracker.needsFresh(id) ? 0 : (tracker.position(id) ?? 0) };
    });
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
