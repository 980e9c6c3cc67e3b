/**
 * The updates of a conflated batch (docs/protocol.md, "Slow consumers"): what a connection that fell
 * behind is sent once its socket drains, instead of every batch it missed. Pure over the
 * {@link HistoryStore} interface, so it is tested against a real history without sockets.
 */
import type { BarInterval, MarketUpdate } from '../../lib/market/types';
import type { HistoryStore } from '../history/types';

/**
 * The bar intervals a connection holds for an instrument (empty: ticks only, no bars), or
 * undefined when it no longer subscribes to the instrument at all.
 */
export type HeldIntervals = (instrumentId: number) => readonly BarInterval[] | undefined;

/**
 * Per instrument in `dirty` still subscribed: the latest quote, the current bar of each held
 * interval, and the session figures (the trades folded away still count in the session's volume,
 * high and low). With no bar interval held, the last trade goes too (a ticker shows it). With one,
 * the last trade goes only when nothing else carries the instrument's last seq (a late trade of
 * the previous UTC day is in neither the current bar nor today's figures; without it the next live
 * batch would look like a gap to the client and cost a needless resync).
 *
 * Each instrument's updates are in sequence order, stable, so a trade or bar comes before the
 * figures of the same seq, as a client applies them: a quote ahead of an older trade would have the
 * trade dropped as a duplicate, and a late trade of the previous day ahead of the new day's figures
 * would be counted into yesterday's session, which then rejects the figures as older.
 */
export function buildConflatedUpdates(history: HistoryStore, dirty: Iterable<number>, heldIntervals: HeldIntervals): MarketUpdate[] {
  const updates: MarketUpdate[] = [];
  for (const id of dirty) {
    const intervals = heldIntervals(id);
    // Unsubscribed since it changed: the client asked for nothing more about it.
    if (intervals === undefined) continue;
    const own: MarketUpdate[] = [];
    const quote = history.lastQuote(id);
    if (quote) own.push(quote);
    for (const interval of intervals) {
      const bar = history.currentBar(id, interval);
      if (bar) own.push(bar);
    }
    const last = history.recentTrades(id, 1)[0];
    if (intervals.length === 0 && last) own.push(last);
    const stats = history.session(id);
    if (stats) own.push(stats);
    if (intervals.length > 0 && last) {
      let highest = 0;
      for (const update of own) if (update.seq > highest) highest = update.seq;
      if (highest < history.lastSeq(id) && last.seq > highest) own.push(last);
    }
    own.sort((a, b) => a.seq - b.seq);
    updates.push(...own);
  }
  return updates;
}
