/**
 * What a person is looking at on the chart, in terms that survive replacing the whole series
 * (`setData` after a fresh snapshot, a new epoch, or trimming the series to the store's window),
 * and the range that shows it again on the new bars.
 *
 * lightweight-charts addresses the time axis by *logical index*: bar `i` of the series is centred
 * on `i` and spans `i - 0.5 .. i + 0.5`, and the visible range is a fractional `from .. to`. A
 * reload renumbers the bars (the oldest ones went, or the history is another one), so indexes are
 * turned into times and back:
 *
 * - At the live edge (the newest bar on screen: lightweight-charts then shifts the view on every
 *   new bar) the view is kept relative to the newest bar: same zoom, same margin right of it.
 * - Scrolled back, the view is kept on the same times: the same time range on screen, as far as
 *   bars for it still exist. When none of it does (the new history starts later), the oldest bars
 *   are shown from the left edge at the same zoom.
 *
 * Pure functions, no chart instance: the controller reads the range and the series' times.
 */

/** A range of logical bar indexes, as lightweight-charts' `getVisibleLogicalRange` gives it. */
export interface BarRange {
  readonly from: number;
  readonly to: number;
}

/**
 * How far (in bars) the right edge may sit left of the newest bar's centre while the view still
 * counts as at the live edge. lightweight-charts shifts the view on a new bar while the newest bar
 * is in its visible "strict" range (`ceil(to)` at or past it), that is while `to` is within one bar.
 */
export const LIVE_EDGE_TOLERANCE_BARS = 1;

/** A view kept across a reload of the series. */
export type KeptView =
  | {
      /** The newest bar was on screen: the view follows new bars. */
      readonly kind: 'live';
      /** Bars across the pane (`to - from`): the zoom. */
      readonly span: number;
      /** Bars from the newest bar's centre to the right edge (negative: it is partly cut off). */
      readonly rightOffset: number;
    }
  | {
      /** Scrolled back to older bars. */
      readonly kind: 'history';
      /** Bars across the pane (`to - from`): the zoom. */
      readonly span: number;
      /** Time at the left edge, chart seconds (UTC), fractional. */
      readonly fromTime: number;
      /** Time at the right edge, chart seconds (UTC), fractional. */
      readonly toTime: number;
    };

/**
 * The view `range` shows on a series whose bars open at `times` (chart seconds, ascending) with
 * bars `intervalSec` long. Undefined when there is nothing to keep (no bars, no range).
 */
export function captureView(range: BarRange | null, times: readonly number[], intervalSec: number): KeptView | undefined {
  if (!range || times.length === 0 || !Number.isFinite(range.from) || !Number.isFinite(range.to)) return undefined;
  const last = times.length - 1;
  const span = range.to - range.from;
  if (range.to > last - LIVE_EDGE_TOLERANCE_BARS) return { kind: 'live', span, rightOffset: range.to - last };
  return {
    kind: 'history',
    span,
    fromTime: timeAtIndex(times, range.from, intervalSec),
    toTime: timeAtIndex(times, range.to, intervalSec),
  };
}

/**
 * The logical range that shows `view` on a series whose bars open at `times` (chart seconds,
 * ascending), or undefined when the series is empty (nothing to place the view on yet).
 */
export function restoreRange(view: KeptView, times: readonly number[], intervalSec: number): BarRange | undefined {
  if (times.length === 0) return undefined;
  const last = times.length - 1;
  if (view.kind === 'live') {
    const to = last + view.rightOffset;
    return { from: to - view.span, to };
  }
  const from = indexAtTime(times, view.fromTime, intervalSec);
  const to = indexAtTime(times, view.toTime, intervalSec);
  const firstEdge = -0.5;
  const lastEdge = last + 0.5;
  // None of the times on screen has a bar any more: the nearest bars that exist, same zoom.
  if (to < firstEdge) return { from: firstEdge, to: firstEdge + view.span };
  if (from > lastEdge) return { from: lastEdge - view.span, to: lastEdge };
  return { from, to };
}

/**
 * Time (chart seconds) at logical index `index`: bar `k`'s open time plus the fraction of a bar
 * past it; before the first or after the last bar, extrapolated a bar interval per index.
 */
export function timeAtIndex(times: readonly number[], index: number, intervalSec: number): number {
  const last = times.length - 1;
  const k = Math.min(last, Math.max(0, Math.floor(index)));
  return (times[k] as number) + (index - k) * intervalSec;
}

/**
 * Logical index at time `time` (chart seconds): the inverse of {@link timeAtIndex} where bars are
 * contiguous. A time in a gap between two bars (an interval without trades) lands on the later
 * bar's index at most, so a gap never stretches the view.
 */
export function indexAtTime(times: readonly number[], time: number, intervalSec: number): number {
  const last = times.length - 1;
  const first = times[0] as number;
  if (time < first) return (time - first) / intervalSec;
  // k: the last bar that opens at or before `time`.
  let low = 0;
  let high = last;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((times[mid] as number) <= time) low = mid;
    else high = mid - 1;
  }
  const past = (time - (times[low] as number)) / intervalSec;
  return low === last ? low + past : low + Math.min(1, past);
}
