/**
 * Scroll-back: loading older bars for a chart a page at a time (the `history` request, capability
 * `history`, docs/protocol.md §2.12), as pure data and functions shared by the dashboard store and
 * the embeds' {@link IntervalBars}.
 *
 * A chart's {@link OlderBars} says where its paging is: `idle` (more may be asked for), `loading`
 * (one request in flight: never two), `start` (the server said there is nothing older: no more
 * requests), `failed` (the last request failed: asked again after {@link OLDER_RETRY_MS}). Each
 * request is tagged with the `OlderBars` object it started from; the answer is applied only while
 * the chart still holds that very object, so a new instrument, interval or epoch (which gives the
 * chart a fresh one) drops the answers of the old one.
 */
import type { Bar } from '../market/types';

/** Bars asked for per page when scrolling back. */
export const OLDER_PAGE_BARS = 500;
/**
 * Bars a chart opens with at least: a snapshot with fewer (the gateway's `snapshotBars` is 300)
 * is topped up with a page so the screen is full at the default zoom.
 */
export const MIN_OPEN_BARS = 300;
/** Wait after a failed page before asking again (ms). */
export const OLDER_RETRY_MS = 5_000;
/** Most bars a chart holds however far back the person scrolls (bounds memory and setData cost). */
export const MAX_CHART_BARS = 50_000;

/** Where a chart's scroll-back is. */
export type OlderBarsStatus = 'idle' | 'loading' | 'start' | 'failed';

/** A chart's scroll-back state (a new object on every change: its identity tags the request in flight). */
export interface OlderBars {
  readonly status: OlderBarsStatus;
  /**
   * Bars the chart keeps (oldest dropped past it): the store's window to begin with, grown by
   * every page loaded so that live bars do not push the loaded history out again.
   */
  readonly limit: number;
  /** Wall-clock ms of the last failure; 0 when none. */
  readonly failedAtMs: number;
}

/** A fresh scroll-back state for a chart that keeps `limit` bars. */
export function freshOlderBars(limit: number): OlderBars {
  return { status: 'idle', limit, failedAtMs: 0 };
}

/** The page a history request answers with (the part of `HistoryPage` used here). */
export interface OlderPage {
  /** Ascending by open time. */
  readonly bars: readonly Bar[];
  /** Older bars exist. */
  readonly more: boolean;
}

/** True when a request for older bars may start now (`nowMs`: wall-clock ms). */
export function canLoadOlder(older: OlderBars, nowMs: number): boolean {
  return older.status === 'idle' || (older.status === 'failed' && nowMs - older.failedAtMs >= OLDER_RETRY_MS);
}

/** The `endTimeUs` of the page before `bars` (µs): the oldest bar's open time, or 0 (now) with none. */
export function olderPageEnd(bars: readonly Bar[]): number {
  return bars[0]?.openTimeUs ?? 0;
}

/** Outcome of {@link mergeOlderBars}. */
export interface MergedOlder {
  /** Held and page bars, ascending, one per open time. */
  readonly bars: Bar[];
  /** Bars of the page older than the oldest held one (the logical-range shift of the view). */
  readonly prepended: number;
  /** The chart's scroll-back state after the page. */
  readonly older: OlderBars;
}

/**
 * Merges a page of older bars into `held` (ascending) by open time: one bar per open time, and the
 * held (live) bar wins over the page's for the same time, as it may be newer (the forming bar).
 * The limit grows by the bars put in front (the window stays as roomy for live bars as before),
 * up to {@link MAX_CHART_BARS} (the oldest go past it). The
 * status becomes `start` when the server has nothing older, or when the page brought nothing
 * older than what is held (asking again would get the same page), else `idle`.
 */
export function mergeOlderBars(held: readonly Bar[], page: OlderPage, older: OlderBars): MergedOlder {
  const firstHeld = held[0]?.openTimeUs ?? Infinity;
  const merged: Bar[] = [];
  let i = 0;
  let j = 0;
  let prepended = 0;
  while (i < held.length || j < page.bars.length) {
    const h = held[i];
    const p = page.bars[j];
    if (p !== undefined && (h === undefined || p.openTimeUs < h.openTimeUs)) {
      // Out-of-order page bars (never sent by a server) would break the ascending list: skip them.
      const last = merged[merged.length - 1];
      if (last === undefined || last.openTimeUs < p.openTimeUs) {
        merged.push(p);
        if (p.openTimeUs < firstHeld) prepended += 1;
      }
      j += 1;
    } else if (h !== undefined) {
      if (p !== undefined && p.openTimeUs === h.openTimeUs) j += 1; // the held bar wins
      merged.push(h);
      i += 1;
    }
  }
  const limit = Math.min(MAX_CHART_BARS, Math.max(older.limit + prepended, merged.length));
  const dropped = Math.max(0, merged.length - limit);
  const bars = dropped > 0 ? merged.slice(dropped) : merged;
  const atStart = (!page.more || prepended === 0) && dropped === 0;
  return {
    bars,
    prepended: Math.max(0, prepended - dropped),
    older: { status: atStart ? 'start' : 'idle', limit, failedAtMs: 0 },
  };
}

/** The scroll-back state after the request of `older` failed at `nowMs` (wall-clock ms). */
export function olderFailed(older: OlderBars, nowMs: number): OlderBars {
  return { ...older, status: 'failed', failedAtMs: nowMs };
}
