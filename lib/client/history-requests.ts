/**
 * The client side of `history` requests (capability `history`, docs/protocol.md §2.12): each
 * application call is one request whose promise settles with the `historyPage` or the `error`
 * answering it. A request made while not connected, or cut off by a disconnect, is sent again on
 * the next connection (with a new request id), as subscribes are. Requests go out through a small
 * token bucket ({@link HISTORY_BURST}, {@link HISTORY_RATE_PER_SEC}) so an application that asks for
 * many pages at once never trips the gateway's request budget (close 1008, terminal).
 */
import type { Instrument } from '../market/types';
import type { ErrorMessage, HistoryPageMessage, HistoryRequestMessage } from '../protocol/messages';
import { ServerRequestError } from './errors';

/** History requests the client sends at once before pacing them. Half the gateway's default burst (20). */
export const HISTORY_BURST = 5;
/** Sustained history requests per second. Half the gateway's default rate (10/s), leaving the rest to subscribes. */
export const HISTORY_RATE_PER_SEC = 5;
/** Bars asked for when `count` is not given: a screenful at the dashboard's default zoom. */
export const DEFAULT_HISTORY_COUNT = 300;

/** What {@link FeedClient.history} resolves with: the page, with the instrument it is of. */
export interface HistoryPage extends HistoryPageMessage {
  /** The instrument (from the client's table, which holds it once the page arrives). */
  readonly instrument: Instrument | undefined;
}

/** What the module needs from the client. */
export interface HistoryRequestsDeps {
  /** Sends on the current socket; false when there is none. */
  readonly send: (message: HistoryRequestMessage) => boolean;
  /** A request id unused by any request in flight (shared with subscribes). */
  readonly nextRequestId: () => number;
  readonly instrument: (instrumentId: number) => Instrument | undefined;
  /** Clock (ms). */
  readonly now: () => number;
}

interface Entry {
  readonly symbol: string;
  readonly interval: number;
  readonly endTimeUs: number;
  readonly count: number;
  readonly resolve: (page: HistoryPage) => void;
  readonly reject: (error: Error) => void;
  /** Request id of the send on the current connection; undefined while waiting to be sent. */
  requestId?: number;
}

/** The history requests of one client. */
export class HistoryRequests {
  /** Waiting to be sent, oldest first. */
  #waiting: Entry[] = [];
  readonly #inFlight = new Map<number, Entry>();
  #connected = false;
  #tokens = HISTORY_BURST;
  #refilledAt: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: HistoryRequestsDeps) {
    this.#refilledAt = deps.now();
  }

  /** Queues a request; it is sent as soon as the client is connected and the pacing allows. */
  request(symbol: string, interval: number, endTimeUs: number, count: number): Promise<HistoryPage> {
    return new Promise<HistoryPage>((resolve, reject) => {
      this.#waiting.push({ symbol, interval, endTimeUs, count, resolve, reject });
      this.#pump();
    });
  }

  /** The connection is ready (after `hello`): sends what waits. */
  connected(): void {
    this.#connected = true;
    this.#pump();
  }

  /** The connection ended: requests in flight wait for the next one, in their original order. */
  disconnect(): void {
    this.#connected = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const cut = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const entry of cut) entry.requestId = undefined;
    this.#waiting = [...cut, ...this.#waiting];
  }

  /** A `historyPage` arrived; false when it answers no request of ours. */
  page(message: HistoryPageMessage): boolean {
    const entry = this.#inFlight.get(message.requestId);
    if (entry === undefined) return false;
    this.#inFlight.delete(message.requestId);
    entry.resolve({ ...message, instrument: this.deps.instrument(message.instrumentId) });
    return true;
  }

  /** An `error` arrived; true when it answered one of our requests (whose promise it rejects). */
  error(message: ErrorMessage): boolean {
    const entry = this.#inFlight.get(message.requestId);
    if (entry === undefined) return false;
    this.#inFlight.delete(message.requestId);
    entry.reject(new ServerRequestError(message.code, message.message, message.requestId, [entry.symbol]));
    return true;
  }

  /** The client stopped: every request is rejected with `error`. */
  rejectAll(error: Error): void {
    this.disconnect();
    const all = this.#waiting;
    this.#waiting = [];
    for (const entry of all) entry.reject(error);
  }

  /** Sends waiting requests while connected and tokens last; schedules the rest. */
  #pump(): void {
    if (!this.#connected || this.#timer !== undefined) return;
    while (this.#waiting.length > 0) {
      if (!this.#takeToken()) {
        const waitMs = Math.ceil(((1 - this.#tokens) / HISTORY_RATE_PER_SEC) * 1000);
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, waitMs);
        return;
      }
      const entry = this.#waiting.shift() as Entry;
      const requestId = this.deps.nextRequestId();
      const sent = this.deps.send({
        type: 'history',
        requestId,
        symbol: entry.symbol,
        interval: entry.interval,
        endTimeUs: entry.endTimeUs,
        count: entry.count,
      });
      if (!sent) {
        // The socket is going away; the disconnect that follows sends it again on the next connection.
        this.#waiting.unshift(entry);
        return;
      }
      entry.requestId = requestId;
      this.#inFlight.set(requestId, entry);
    }
  }

  #takeToken(): boolean {
    const now = this.deps.now();
    this.#tokens = Math.min(HISTORY_BURST, this.#tokens + (Math.max(0, now - this.#refilledAt) / 1000) * HISTORY_RATE_PER_SEC);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
