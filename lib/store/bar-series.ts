/**
 * The chart's bar list: ascending by open time, one bar per open time, bounded in length.
 */
import type { Bar } from '../market/types';

/**
 * Puts `bar` in place in `bars` and returns it: replaces the bar with the same open time, appends
 * a newer one, inserts an out-of-order older one where it belongs, then drops the oldest bars
 * beyond `maxBars`. Mutates `bars`: the store passes the copy it made for the current frame, so a
 * frame with many bar updates costs one copy, not one per update.
 */
export function upsertBar(bars: Bar[], bar: Bar, maxBars: number): Bar[] {
  const lastIndex = bars.length - 1;
  const last = bars[lastIndex];
  if (last === undefined || bar.openTimeUs > last.openTimeUs) {
    bars.push(bar);
  } else if (bar.openTimeUs === last.openTimeUs) {
    bars[lastIndex] = bar;
  } else {
    const index = lowerBound(bars, bar.openTimeUs);
    if (bars[index]?.openTimeUs === bar.openTimeUs) bars[index] = bar;
    else bars.splice(index, 0, bar);
  }
  if (bars.length > maxBars) bars.splice(0, bars.length - maxBars);
  return bars;
}

/** Sorts and de-duplicates bars by open time (the last one for a time wins), keeping the newest `maxBars`. */
export function normaliseBars(input: readonly Bar[], maxBars: number): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const bar of input) byTime.set(bar.openTimeUs, bar);
  const sorted = [...byTime.values()].sort((a, b) => a.openTimeUs - b.openTimeUs);
  return sorted.length > maxBars ? sorted.slice(sorted.length - maxBars) : sorted;
}

/**
 * The bar list after a fresh (not recovered) snapshot of the instrument and interval already held,
 * in the same server epoch: the held bars older than the snapshot's oldest bar, then the
 * snapshot's bars (sorted, de-duplicated), keeping the newest `maxBars`. A snapshot carries only
 * the server's recent bars (300 by default) while the store keeps up to 2,000, and within an epoch
 * the older ones are still true: a resync after a sequence gap, or a reconnect the server could
 * not recover, must not take away the bars a person scrolled back to.
 *
 * Held bars are kept only when they reach the snapshot's oldest bar: after a disconnection longer
 * than the snapshot's span the bars in between were never received, and joining the two would
 * draw that stretch as if nothing traded (the chart spaces bars by index, not by time), so then
 * the snapshot's bars alone are the list. A snapshot without bars leaves the held ones.
 */
export function mergeSnapshotBars(held: readonly Bar[], snapshot: readonly Bar[], maxBars: number): Bar[] {
  const fresh = normaliseBars(snapshot, maxBars);
  const oldest = fresh[0];
  if (oldest === undefined) return held.length > maxBars ? held.slice(held.length - maxBars) : held.slice();
  const newestHeld = held[held.length - 1];
  if (newestHeld === undefined || newestHeld.openTimeUs < oldest.openTimeUs) return fresh;
  const olderEnd = lowerBound(held, oldest.openTimeUs);
  const keep = Math.min(olderEnd, maxBars - fresh.length);
  return keep <= 0 ? fresh : [...held.slice(olderEnd - keep, olderEnd), ...fresh];
}

/** Index of the first bar whose open time is >= `openTimeUs`. */
function lowerBound(bars: readonly Bar[], openTimeUs: number): number {
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((bars[mid] as Bar).openTimeUs < openTimeUs) low = mid + 1;
    else high = mid;
  }
  return low;
}
