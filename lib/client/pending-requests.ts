/**
 * Requests sent to the server and waiting for their `ack` or `error`, plus application promises
 * parked until the next connection's resubscribe round completes. Bounded: an entry lives only
 * until its answer arrives or the connection ends.
 */
import type { SubscriptionChange } from './subscription-book';

/** A promise's settle functions. */
export interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /**
   * What the application's subscribe asked for, so that a request merged with others (a
   * resubscribe round) settles it by its own symbols: refused only when one of them is.
   * Absent for promises about everything (a round, an interval change).
   */
  readonly symbols?: readonly string[] | 'all';
}

/**
 * Who made a request: the application (`user`), the resubscribe after a (re)connect or interval
 * change (`round`), or the client itself to heal a gap or a refused round (`internal`).
 */
export type RequestOrigin = 'user' | 'round' | 'internal';

/** One request in flight. */
export interface PendingRequest {
  readonly requestId: number;
  readonly kind: 'subscribe' | 'unsubscribe';
  /** Symbols of the request ([] for "all"). */
  readonly symbols: readonly string[];
  readonly all: boolean;
  readonly origin: RequestOrigin;
  /** Bar interval of a subscribe (0 = none). */
  readonly interval: number;
  /** Resume epoch of a subscribe (0 = fresh). */
  readonly resumeEpoch: number;
  /** Book change to undo when the server refuses a user subscribe. */
  readonly change?: SubscriptionChange;
  /** Instrument ids put into "awaiting snapshot" by this request. */
  readonly awaiting: readonly number[];
  readonly waiters: Waiter[];
}

/** Creates a promise together with its waiter; the promise is marked handled so an ignored rejection is not fatal. */
export function deferred(symbols?: readonly string[] | 'all'): { promise: Promise<void>; waiter: Waiter } {
  let waiter!: Waiter;
  const promise = new Promise<void>((resolve, reject) => {
    waiter = symbols === undefined ? { resolve, reject } : { resolve, reject, symbols };
  });
  promise.catch(() => undefined);
  return { promise, waiter };
}

/**
 * Splits one promise's waiter over `n` requests (one request cut into parts to fit the message
 * limit): the promise resolves once every part has, and rejects with the first part's rejection.
 */
export function splitWaiter(waiter: Waiter, n: number): Waiter[] {
  if (n <= 1) return [waiter];
  let left = n;
  let settled = false;
  return Array.from({ length: n }, (): Waiter => {
    let done = false;
    return {
      ...(waiter.symbols === undefined ? {} : { symbols: waiter.symbols }),
      resolve: () => {
        if (done || settled) return;
        done = true;
        if (--left === 0) {
          settled = true;
          waiter.resolve();
        }
      },
      reject: (error) => {
        if (done || settled) return;
        done = settled = true;
        waiter.reject(error);
      },
    };
  });
}

/** The part of a subscribe request a waiter may wait for. */
export interface RequestPart {
  readonly all: boolean;
  readonly symbols: readonly string[];
}

/** True when `part` asks for something `waiter` waits for (a waiter without symbols waits for every part). */
export function partCovers(part: RequestPart, waiter: Waiter): boolean {
  const wanted = waiter.symbols;
  if (wanted === undefined) return true;
  if (wanted === 'all') return part.all;
  return !part.all && wanted.some((symbol) => part.symbols.includes(symbol));
}

/**
 * Shares `waiters` among the requests `parts` (a resubscribe round, or one request cut to fit the
 * message limit): each waits for the parts holding what it asked for and settles when they have.
 * A waiter no part covers is resolved at once: nothing it asked for is still wanted (unsubscribed
 * since). Returns the waiters of each part, in order.
 */
export function shareWaiters(waiters: readonly Waiter[], parts: readonly RequestPart[]): Waiter[][] {
  const shares = parts.map((): Waiter[] => []);
  for (const waiter of waiters) {
    const covering = parts.flatMap((part, i) => (partCovers(part, waiter) ? [i] : []));
    if (covering.length === 0) {
      waiter.resolve();
      continue;
    }
    const split = splitWaiter(waiter, covering.length);
    covering.forEach((index, k) => shares[index]?.push(split[k] as Waiter));
  }
  return shares;
}

/** Largest request id before the ids wrap to 1. */
export const MAX_REQUEST_ID = 0xffff_ffff;

/** Request-id allocation and the in-flight table. */
export class PendingRequests {
  #nextId = 1;
  readonly #inFlight = new Map<number, PendingRequest>();
  /** Waiters for the next resubscribe round (requests made while not connected, or cut off by a disconnect). */
  #parked: Waiter[] = [];

  /** Next request id (1, 2, ...; 0 is reserved for "no request"). */
  nextId(): number {
    const id = this.#nextId;
    this.#nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  /** Records a request as sent. */
  add(request: PendingRequest): void {
    this.#inFlight.set(request.requestId, request);
  }

  /** Removes and returns the request an answer refers to. */
  take(requestId: number): PendingRequest | undefined {
    const request = this.#inFlight.get(requestId);
    if (request) this.#inFlight.delete(requestId);
    return request;
  }

  /** Parks a waiter until {@link settleParked}. */
  park(waiter: Waiter): void {
    this.#parked.push(waiter);
  }

  /** Settles every parked waiter (after a resubscribe round, or on close). */
  settleParked(error?: Error): void {
    const parked = this.#parked;
    this.#parked = [];
    for (const waiter of parked) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** Takes the parked waiters, leaving none (the round that will settle them owns them now). */
  takeParked(): Waiter[] {
    const parked = this.#parked;
    this.#parked = [];
    return parked;
  }

  /**
   * The connection ended: subscribe waiters are parked for the next connection (their
   * subscriptions are in the book and will be resent); unsubscribe waiters resolve (the server
   * session that held the subscription is gone). Returns the requests that were in flight.
   */
  disconnect(): PendingRequest[] {
    const requests = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const request of requests) {
      for (const waiter of request.waiters) {
        if (request.kind === 'subscribe') this.#parked.push(waiter);
        else waiter.resolve();
      }
    }
    return requests;
  }

  /** Rejects everything (the client is stopping). */
  rejectAll(error: Error): void {
    for (const request of this.#inFlight.values()) for (const waiter of request.waiters) waiter.reject(error);
    this.#inFlight.clear();
    this.settleParked(error);
  }
}
