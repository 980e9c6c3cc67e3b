/**
 * The data path of the client: every snapshot and live batch passes here once. Live updates are
 * sequence-checked per instrument (O(1) each); duplicates, updates of unsubscribed instruments,
 * bars of intervals no pair holds, and updates of instruments waiting for a resync snapshot are
 * removed before consumers see them, and gaps are reported and queued for resync.
 */
import type { MarketUpdate } from '../market/types';
import type { SnapshotMessage } from '../protocol/messages';
import type { Emitter } from './emitter';
import type { FeedClientEvents } from './events';
import type { InstrumentTable } from './instrument-table';
import type { RequestRouter } from './request-router';
import { SeqVerdict, type SequenceTracker } from './sequence-tracker';
import type { StatsCollector } from './stats';
import type { SubscriptionBook } from './subscription-book';

/** What the gate reads and reports to; owned by the client. */
export interface UpdateGateDeps {
  readonly table: InstrumentTable;
  readonly tracker: SequenceTracker;
  readonly book: SubscriptionBook;
  readonly stats: StatsCollector;
  readonly events: Emitter<FeedClientEvents>;
  readonly router: RequestRouter;
  /**
   * True while the connection that delivered the message is still the live one. A `gap` handler
   * may close the client mid-batch; the rest of that batch must then not be delivered.
   */
  readonly live: () => boolean;
}

/** Filters and forwards snapshots and batches. */
export class UpdateGate {
  constructor(private readonly deps: UpdateGateDeps) {}

  /**
   * A snapshot of one (instrument, interval) pair. A full one sets the instrument's position; a
   * bars-only one (the server's `barsOnly` flag, docs/protocol.md §2.3) leaves the position and the
   * ticks alone. A recovered snapshot loses trades/quotes already delivered.
   */
  snapshot(message: SnapshotMessage, now: number): void {
    const { table, tracker, book, stats, events, router } = this.deps;
    const instrument = table.get(message.instrumentId);
    const alias = instrument && table.aliasOf(instrument);
    if (instrument && !book.holdsInterval(instrument.symbol, alias, message.interval)) return; // unsubscribed meanwhile
    if (instrument) router.snapshotArrived(instrument.symbol, alias, message.interval);
    const position = tracker.position(message.instrumentId);
    if (!message.barsOnly) tracker.setPosition(message.instrumentId, message.seq);
    // A recovered snapshot replays history after a resume point; when two requests resumed the
    // same instrument, drop the trades and quotes this client already has (bars are revisions).
    const updates =
      message.recovered && position !== undefined ? message.updates.filter((u) => u.kind === 'bar' || u.seq > position) : message.updates;
    stats.updates(updates.length, now);
    events.emit('snapshot', { ...message, updates, instrument });
  }

  /** Checks a live batch and emits what survives (the same array when nothing was dropped). */
  batch(conflated: boolean, updates: readonly MarketUpdate[], now: number): void {
    const { stats, events, router } = this.deps;
    let kept: MarketUpdate[] | undefined;
    for (let i = 0; i < updates.length; i++) {
      const update = updates[i] as MarketUpdate;
      if (this.#admit(update, conflated)) {
        kept?.push(update);
        stats.liveUpdate(update.receiveTimeUs);
      } else {
        if (!this.deps.live()) return; // a gap handler closed the client
        kept ??= updates.slice(0, i);
      }
    }
    const delivered = kept ?? updates;
    if (delivered.length > 0) {
      stats.updates(delivered.length, now);
      events.emit('batch', { type: 'batch', conflated, updates: delivered });
    }
    router.flushResyncSoon(now);
  }

  /** Sequence check of one live update; true to deliver it. */
  #admit(update: MarketUpdate, conflated: boolean): boolean {
    const { table, tracker, book, stats, events, router } = this.deps;
    const instrument = table.get(update.instrumentId);
    // Fast path first (subscribed to all, or under the full name); bare-name subscriptions second.
    if (instrument && !book.covers(instrument.symbol) && !book.coversInstrument(instrument.symbol, table.aliasOf(instrument))) return false;
    // Bars of an interval whose pair was dropped (still in flight) go to no one.
    if (instrument && update.kind === 'bar' && !book.holdsInterval(instrument.symbol, table.aliasOf(instrument), update.interval))
      return false;
    const before = tracker.position(update.instrumentId);
    switch (tracker.check(update, conflated)) {
      case SeqVerdict.Accept:
        return true;
      case SeqVerdict.Duplicate:
        stats.duplicates++;
        return false;
      case SeqVerdict.Awaiting:
        return false;
      case SeqVerdict.Gap:
        stats.gaps++;
        events.emit('gap', {
          instrumentId: update.instrumentId,
          symbol: instrument?.symbol,
          expectedSeq: (before ?? 0) + 1,
          receivedSeq: update.seq,
        });
        router.queueResync(update.instrumentId);
        return false;
    }
  }
}
