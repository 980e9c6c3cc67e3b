/**
 * The chart's side of scroll-back (lib/store/older-bars.ts holds the data side): when to ask for
 * older bars, how far the view moves when they are put in front of the series, and the small mark
 * at the chart's left edge that says a page is loading or that the data starts here.
 */
import type { OlderBarsStatus } from '../../lib/store/older-bars';
import { MIN_OPEN_BARS } from '../../lib/store/older-bars';
import type { ChartPalette } from './chart-palette';
import type { BarRange } from './kept-view';

/**
 * How close (in bars) the left edge of the view may come to the oldest bar before older bars are
 * asked for: a page arrives before the person reaches the end of what is drawn.
 */
export const OLDER_EDGE_BARS = 30;

/**
 * True when the chart should ask for older bars: it holds fewer than {@link MIN_OPEN_BARS} (a
 * screenful at the default zoom), or the left edge of the view (`range.from`, logical index; bar 0
 * is the oldest) is within {@link OLDER_EDGE_BARS} of the oldest bar or past it (zoomed out).
 */
export function wantsOlderBars(barCount: number, range: BarRange | null): boolean {
  if (barCount < MIN_OPEN_BARS) return true;
  return range !== null && Number.isFinite(range.from) && range.from < OLDER_EDGE_BARS;
}

/** Number of `times` (ascending, chart seconds) before `firstTime`: the bars put in front of it. */
export function countBefore(times: readonly number[], firstTime: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((times[mid] as number) < firstTime) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The logical range that shows the same bars as `range` once `prepended` bars were put in front of
 * the series: lightweight-charts numbers bars from the oldest, so every index moves up by as many.
 */
export function shiftRange(range: BarRange, prepended: number): BarRange {
  return { from: range.from + prepended, to: range.to + prepended };
}

/** What the left-edge mark shows, or undefined for none. */
export interface OlderMarkView {
  readonly testId: 'history-loading' | 'history-start' | 'history-failed';
  readonly text: string;
}

/**
 * The mark for scroll-back `status` while the view's left edge is at `from` (logical index): a page
 * in flight always shows; the start of data and a failure only while the oldest bar is on screen.
 */
export function olderMark(status: OlderBarsStatus | undefined, from: number | undefined): OlderMarkView | undefined {
  if (status === 'loading') return { testId: 'history-loading', text: 'Loading older bars…' };
  const oldestOnScreen = from !== undefined && from < 0.5;
  if (!oldestOnScreen) return undefined;
  if (status === 'start') return { testId: 'history-start', text: 'Start of data' };
  if (status === 'failed') return { testId: 'history-failed', text: 'Older bars unavailable, retrying' };
  return undefined;
}

/** The mark's element inside the chart's container (absent where there is no DOM, as in unit tests). */
export class OlderBarsMark {
  private readonly el: HTMLElement | undefined;

  constructor(container: HTMLElement) {
    const doc = (container as { ownerDocument?: Document | null }).ownerDocument;
    if (!doc || typeof container.appendChild !== 'function') return;
    if (doc.defaultView?.getComputedStyle(container).position === 'static') container.style.position = 'relative';
    const el = doc.createElement('div');
    el.hidden = true;
    el.setAttribute('role', 'status');
    // Inline styles: the embeds draw in a shadow root the page's CSS does not reach.
    Object.assign(el.style, {
      position: 'absolute',
      left: '8px',
      top: '8px',
      zIndex: '3',
      padding: '2px 8px',
      borderRadius: '4px',
      font: '11px system-ui, sans-serif',
      pointerEvents: 'none',
      opacity: '0.85',
    });
    container.appendChild(el);
    this.el = el;
  }

  /** Shows `view` (or nothing) in the chart's colours. */
  show(view: OlderMarkView | undefined, palette: ChartPalette): void {
    const el = this.el;
    if (!el) return;
    el.hidden = view === undefined;
    if (!view) {
      delete el.dataset.testid;
      return;
    }
    el.dataset.testid = view.testId;
    if (el.textContent !== view.text) el.textContent = view.text;
    el.style.color = palette.text;
    el.style.background = palette.background;
    el.style.border = `1px solid ${palette.border}`;
  }

  remove(): void {
    this.el?.remove();
  }
}
