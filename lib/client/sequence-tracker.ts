/**
 * Per-instrument sequence checking. Trades and quotes take consecutive sequence numbers per
 * instrument (assigned once at normalisation), so the client can tell a missed update (gap) from
 * a repeated one (duplicate). Bars carry the sequence of their last trade and never advance it on
 * their own. Memory is one number per instrument the client has seen.
 */
import type { MarketUpdate } from '../market/types';

/** Outcome of {@link SequenceTracker.check} for one update. */
export const SeqVerdict = {
  /** In order: pass it on. */
  Accept: 'accept',
  /** Already seen (sequence at or below the position): drop it. */
  Duplicate: 'duplicate',
  /** Something was missed before it: drop it and resync the instrument. */
  Gap: 'gap',
  /** The instrument is waiting for a resync snapshot (after a gap): drop it. */
  Awaiting: 'awaiting',
} as const;
export type SeqVerdict = (typeof SeqVerdict)[keyof typeof SeqVerdict];

/** The fields of an update the tracker looks at. */
export type SequencedUpdate = Pick<MarketUpdate, 'kind' | 'instrumentId' | 'seq'>;

/**
 * Tracks the last contiguous sequence number per instrument.
 *
 * - A snapshot sets the position ({@link setPosition}) and ends any wait for one.
 * - In a normal batch, a trade or quote must be `position + 1`; `<= position` is a duplicate,
 *   anything higher is a gap. A gap leaves the position at the last contiguous update (the
 *   right resume point) and puts the instrument into "awaiting snapshot".
 * - Bars and session figures carry the sequence of the last trade in them without taking a
 *   number of their own: in a normal batch they never move the position.
 * - In a conflated batch the server dropped updates on purpose: trades, quotes, bars and session
 *   figures move the position forward to their sequence (taking the max); only `<= position`
 *   trades and quotes are dropped as duplicates.
 * - An instrument seen for the first time (e.g. added under an "all" subscription) starts at the
 *   sequence of its first trade or quote.
 */
export class SequenceTracker {
  readonly #positions = new Map<number, number>();
  readonly #awaiting = new Set<number>();

  /** Last contiguous sequence number of an instrument, or `undefined` if none seen. */
  position(instrumentId: number): number | undefined {
    return this.#positions.get(instrumentId);
  }

  /** Number of instruments with a known position. */
  get size(): number {
    return this.#positions.size;
  }

  /** Every known position as [instrumentId, seq]: the resume positions after a reconnect. */
  positions(): IterableIterator<[number, number]> {
    return this.#positions.entries();
  }

  /** Sets the position from a snapshot's `seq` and stops waiting for a snapshot. */
  setPosition(instrumentId: number, seq: number): void {
    this.#positions.set(instrumentId, seq);
    this.#awaiting.delete(instrumentId);
  }

  /** Ends a wait without a snapshot (the resubscribe failed); the next update starts afresh. */
  cancelAwait(instrumentId: number): void {
    if (this.#awaiting.delete(instrumentId)) this.#positions.delete(instrumentId);
  }

  /** True while the instrument waits for a snapshot. */
  isAwaiting(instrumentId: number): boolean {
    return this.#awaiting.has(instrumentId);
  }

  /** Forgets an instrument entirely (unsubscribed or removed from the table). */
  forget(instrumentId: number): void {
    this.#positions.delete(instrumentId);
    this.#awaiting.delete(instrumentId);
  }

  /** Forgets everything (the server epoch changed: old sequence numbers mean nothing). */
  clear(): void {
    this.#positions.clear();
    this.#awaiting.clear();
  }

  /** Checks one update from a batch and advances the position when it is accepted. O(1). */
  check(update: SequencedUpdate, conflated: boolean): SeqVerdict {
    const id = update.instrumentId;
    if (this.#awaiting.has(id)) return SeqVerdict.Awaiting;
    const last = this.#positions.get(id);
    if (update.kind === 'bar' || update.kind === 'session') {
      if (conflated && (last === undefined || update.seq > last)) this.#positions.set(id, update.seq);
      return SeqVerdict.Accept;
    }
    if (last === undefined) {
      this.#positions.set(id, update.seq);
      return SeqVerdict.Accept;
    }
    if (update.seq <= last) return SeqVerdict.Duplicate;
    if (conflated || update.seq === last + 1) {
      this.#positions.set(id, update.seq);
      return SeqVerdict.Accept;
    }
    this.#awaiting.add(id);
    return SeqVerdict.Gap;
  }
}
