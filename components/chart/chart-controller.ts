/**
 * The imperative side of the price chart: owns a lightweight-charts instance (candles in pane 0,
 * volume in pane 1 unless turned off) and keeps it in step with the store's {@link ChartState}.
 *
 * - A new `revision` (snapshot, new instrument or interval, new epoch) redraws with `setData`.
 * - Otherwise bars at or after the last drawn open time go in with `series.update()`; an older bar a
 *   late trade revised is updated in place (`historicalUpdate`), and one it opened between drawn
 *   bars reloads the series.
 *
 * What the person looks at survives every reload that is not their doing (kept-view.ts): a fresh
 * snapshot after a reconnect or a gap, a new epoch (the series empties until the same instrument
 * comes back), trimming the series to the store's window. At the live edge the zoom and the margin
 * right of the newest bar stay; scrolled back, the same times stay on screen. Another instrument
 * or interval is a new view: default zoom, newest bars.
 *
 * Scroll-back (scroll-back.ts): when the view's left edge nears the oldest bar (or the chart opens
 * with fewer than a screenful), it calls `onNeedOlder`; the page its owner merges in front of the
 * bars is drawn with `setData` and the view shifted by as many bars, so what the person looks at
 * does not move. A mark at the left edge says a page is loading, or that the data starts there.
 *
 * The React wrapper (price-chart.tsx) feeds it from a transient store subscription, so live bars
 * reach the canvas without a React render.
 */
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { formatDecimal, pow10 } from '../../lib/market/decimal';
import type { Bar, BarInterval, Instrument } from '../../lib/market/types';
import type { OlderBarsStatus } from '../../lib/store/older-bars';
import type { ChartState } from '../../lib/store/types';
import { formatChange, formatSize } from '../shared/format';
import { formatDateTime, formatTickMark, type TimeZoneChoice } from '../shared/time-format';
import { barChange, barTime, findBar, olderBarChanges, toCandle, toVolume } from './bar-data';
import type { ChartPalette } from './chart-palette';
import { captureView, restoreRange, type BarRange, type KeptView } from './kept-view';
import { OlderBarsMark, countBefore, olderMark, shiftRange, wantsOlderBars } from './scroll-back';

/** Pixels per bar after a (re)load; older bars are a scroll away. */
export const DEFAULT_BAR_SPACING = 9;
/** Empty bar slots kept right of the newest bar. */
export const RIGHT_OFFSET_BARS = 6;
/**
 * Bars the series may hold beyond the store's window before it is trimmed back to it: live
 * updates append to the series while the store drops its oldest bars, so a 1 s chart left open
 * all day would otherwise grow by 86,400 bars.
 */
export const SERIES_TRIM_SLACK_BARS = 500;
/** Canvas text cannot use CSS variables: the same monospace stack as --font-mono in globals.css. */
export const CHART_FONT = "ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace";
/** Share of the chart height the volume pane takes. */
export const VOLUME_PANE_SHARE = 0.22;

/** Options of {@link ChartController}. */
export interface ChartControllerOptions {
  /** Draw the volume pane under the candles. @defaultValue true */
  readonly volume?: boolean;
  /**
   * Called (at most once per task, outside `sync`) when the chart wants the page of bars before its
   * oldest: the view's left edge is near it, or it holds less than a screenful. Only while the
   * state's `older` status is `idle` or `failed`. Without it the chart never scrolls back.
   */
  readonly onNeedOlder?: () => void;
}

/** Elements of the crosshair legend the controller writes into (found by `data-field`). */
type LegendField = 'time' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'change';

/** A view kept for the series of one instrument at one interval. */
interface ViewOf {
  readonly symbol: string;
  readonly interval: BarInterval;
  readonly view: KeptView;
}

/** Runs `callback` after the next frame lightweight-charts renders in (a timer where there are no frames). */
function afterNextFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(callback);
  else setTimeout(callback, 0);
}

/** True when `b` draws like `a`: the same instrument at the same precisions. */
function sameInstrument(a: Instrument, b: Instrument | undefined): boolean {
  return (
    b !== undefined && a.id === b.id && a.symbol === b.symbol && a.priceDecimals === b.priceDecimals && a.sizeDecimals === b.sizeDecimals
  );
}

/** Owns one chart instance. */
export class ChartController {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick', Time>;
  /** Undefined when the chart was made without a volume pane. */
  private readonly volume: ISeriesApi<'Histogram', Time> | undefined;
  private readonly legendFields = new Map<LegendField, HTMLElement>();
  private palette: ChartPalette;
  private zone: TimeZoneChoice;
  private revision = -1;
  private instrument: Instrument | undefined;
  /** Interval of the bars drawn. */
  private interval: BarInterval | undefined;
  /**
   * The drawn state's status. While 'loading' the series holds only live bars that came before
   * the snapshot, and whatever the view then shows is not one the person chose: it is not kept.
   */
  private status: ChartState['status'] = 'loading';
  private bars: readonly Bar[] = [];
  /**
   * The view to show again once bars come: set when the series was emptied by a reload that was
   * not the person's doing (a new epoch empties it until the instrument table and a snapshot
   * return); dropped when another instrument or interval is shown.
   */
  private keptView: ViewOf | undefined;
  /**
   * The logical range last asked of the time scale. lightweight-charts applies it at its next
   * render, so until then `getVisibleLogicalRange()` still answers the range before it.
   */
  private requestedRange: BarRange | undefined;
  /** Open time (chart seconds) of the newest bar drawn; updates before it are not allowed. */
  private lastDrawnTime = -Infinity;
  /** Bars the series holds (it keeps every bar ever appended until the next setData). */
  private seriesBars = 0;
  /** Bar under the crosshair, or undefined when the pointer is off the chart. */
  private hovered: Bar | undefined;
  /** Scroll-back status of the state drawn (undefined: its source cannot page back). */
  private olderStatus: OlderBarsStatus | undefined;
  private readonly olderMark: OlderBarsMark;
  private readonly onNeedOlder: (() => void) | undefined;
  /** True while a call of `onNeedOlder` is queued. */
  private olderQueued = false;
  private disposed = false;

  constructor(
    private readonly container: HTMLElement,
    legend: HTMLElement,
    palette: ChartPalette,
    zone: TimeZoneChoice,
    options: ChartControllerOptions = {},
  ) {
    this.palette = palette;
    this.zone = zone;
    this.onNeedOlder = options.onNeedOlder;
    this.olderMark = new OlderBarsMark(container);
    for (const el of legend.querySelectorAll<HTMLElement>('[data-field]')) {
      this.legendFields.set(el.dataset.field as LegendField, el);
    }
    this.chart = createChart(container, {
      autoSize: true,
      crosshair: { mode: CrosshairMode.Normal },
      timeScale: {
        timeVisible: true,
        secondsVisible: true,
        rightOffset: RIGHT_OFFSET_BARS,
        barSpacing: DEFAULT_BAR_SPACING,
        shiftVisibleRangeOnNewBar: true,
      },
      rightPriceScale: { scaleMargins: { top: 0.08, bottom: 0.08 } },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, { priceLineVisible: true, lastValueVisible: true });
    this.volume =
      options.volume === false
        ? undefined
        : this.chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false }, 1);
    if (this.volume) {
      this.chart.panes()[0]?.setStretchFactor(1 - VOLUME_PANE_SHARE);
      this.chart.panes()[1]?.setStretchFactor(VOLUME_PANE_SHARE);
    }
    this.chart.subscribeCrosshairMove(this.onCrosshairMove);
    this.chart.timeScale().subscribeVisibleLogicalRangeChange(this.onVisibleRangeChange);
    this.applyPalette();
    this.applyZone();
  }

  /** Brings the chart in line with `state` for `instrument` (undefined until the table has it). */
  sync(state: ChartState, instrument: Instrument | undefined): void {
    this.syncBars(state, instrument);
    this.olderStatus = this.instrument ? state.older?.status : undefined;
    this.container.dataset.older = this.olderStatus ?? '';
    this.updateOlder();
  }

  private syncBars(state: ChartState, instrument: Instrument | undefined): void {
    if (!instrument) {
      if (this.bars.length > 0 || this.instrument) this.reset(state, undefined);
      return;
    }
    if (state.revision !== this.revision || !sameInstrument(instrument, this.instrument)) {
      this.reset(state, instrument);
      return;
    }
    // The table is sent again on every reconnect and table change, each instrument a new object:
    // the same one must not reload the series (which snapped the view back to the newest bars).
    this.instrument = instrument;
    this.status = state.status;
    if (state.bars === this.bars) return;
    const oldestDrawn = this.seriesBars > 0 ? this.seriesTimes()[0] : undefined;
    const oldest = state.bars[0];
    if (oldestDrawn !== undefined && oldest !== undefined && barTime(oldest) < oldestDrawn) {
      this.bars = state.bars;
      this.prepend(instrument, oldestDrawn);
      this.afterDraw();
      return;
    }
    const older = olderBarChanges(this.bars, state.bars, this.lastDrawnTime);
    this.bars = state.bars;
    const bars = state.bars;
    if (older.inserted) {
      this.trim(instrument);
      this.afterDraw();
      return;
    }
    // A late trade revised a bar behind the newest one (docs/protocol.md 2.4): redraw it in place.
    for (const bar of older.revised) {
      this.candles.update(toCandle(bar, instrument), true);
      this.volume?.update(toVolume(bar, instrument, this.palette), true);
    }
    let first = bars.length;
    while (first > 0 && barTime(bars[first - 1] as Bar) >= this.lastDrawnTime) first -= 1;
    for (let i = first; i < bars.length; i += 1) {
      const bar = bars[i] as Bar;
      if (barTime(bar) > this.lastDrawnTime) this.seriesBars += 1;
      this.candles.update(toCandle(bar, instrument));
      this.volume?.update(toVolume(bar, instrument, this.palette));
    }
    if (this.seriesBars > bars.length + SERIES_TRIM_SLACK_BARS) this.trim(instrument);
    else if (this.keptView && this.status === 'ready' && this.seriesBars > 0) {
      // The snapshot came without bars (a feed that has just restarted): the view goes on the first live ones.
      const { view, interval } = this.keptView;
      this.keptView = undefined;
      this.restoreView(view, this.seriesTimes(), interval);
    }
    this.afterDraw();
  }

  /**
   * Replaces the series with the store's window, keeping what the person is looking at: when the
   * series has grown past the window plus slack, or a bar must go between drawn ones.
   */
  private trim(instrument: Instrument): void {
    const kept = this.captureView();
    this.candles.setData(this.bars.map((b) => toCandle(b, instrument)));
    this.volume?.setData(this.bars.map((b) => toVolume(b, instrument, this.palette)));
    this.seriesBars = this.bars.length;
    if (kept) this.restoreView(kept.view, this.bars.map(barTime), kept.interval);
  }

  /**
   * Redraws the series after older bars were put in front of the one drawn (whose oldest bar opens
   * at `oldestDrawn`, chart seconds), showing the same bars as before: the range moves by as many.
   */
  private prepend(instrument: Instrument, oldestDrawn: number): void {
    const range = this.requestedRange ?? this.chart.timeScale().getVisibleLogicalRange();
    this.candles.setData(this.bars.map((b) => toCandle(b, instrument)));
    this.volume?.setData(this.bars.map((b) => toVolume(b, instrument, this.palette)));
    this.seriesBars = this.bars.length;
    if (!range) return;
    const shifted = shiftRange(range, countBefore(this.bars.map(barTime), oldestDrawn));
    this.chart.timeScale().setVisibleLogicalRange(shifted);
    this.requestedRange = shifted;
    afterNextFrame(() => {
      if (this.requestedRange === shifted) this.requestedRange = undefined;
    });
  }

  /** Shows the left-edge mark for the scroll-back status, and asks for older bars when the view wants them. */
  private updateOlder(): void {
    const range = this.requestedRange ?? this.chart.timeScale().getVisibleLogicalRange();
    this.olderMark.show(olderMark(this.olderStatus, range?.from), this.palette);
    const askable = this.olderStatus === 'idle' || this.olderStatus === 'failed';
    if (!this.onNeedOlder || !askable || this.status !== 'ready' || this.olderQueued) return;
    if (!wantsOlderBars(this.bars.length, range)) return;
    // Not from inside sync (a store subscriber) or a chart event: the owner changes its state in it.
    this.olderQueued = true;
    queueMicrotask(() => {
      this.olderQueued = false;
      if (!this.disposed && (this.olderStatus === 'idle' || this.olderStatus === 'failed')) this.onNeedOlder?.();
    });
  }

  /** What the person looks at now, or undefined when nothing is drawn (or the pane has no width). */
  private captureView(): ViewOf | undefined {
    if (!this.instrument || this.interval === undefined || this.seriesBars === 0 || this.status !== 'ready') return undefined;
    const range = this.requestedRange ?? this.chart.timeScale().getVisibleLogicalRange();
    const view = captureView(range, this.seriesTimes(), this.interval);
    return view && { symbol: this.instrument.symbol, interval: this.interval, view };
  }

  /** Open times (chart seconds) of the bars the series holds: it keeps appended bars the store's window dropped. */
  private seriesTimes(): number[] {
    return this.candles.data().map((point) => point.time as number);
  }

  /** Shows `view` on the series whose bars open at `times`; false when there are none to show it on. */
  private restoreView(view: KeptView, times: readonly number[], interval: BarInterval): boolean {
    const range = restoreRange(view, times, interval);
    if (!range) return false;
    this.chart.timeScale().setVisibleLogicalRange(range);
    this.requestedRange = range;
    afterNextFrame(() => {
      if (this.requestedRange === range) this.requestedRange = undefined;
    });
    return true;
  }

  setPalette(palette: ChartPalette): void {
    if (palette === this.palette) return;
    this.palette = palette;
    this.applyPalette();
    if (this.instrument) this.volume?.setData(this.bars.map((b) => toVolume(b, this.instrument as Instrument, palette)));
    this.updateOlder();
  }

  setTimeZone(zone: TimeZoneChoice): void {
    if (zone === this.zone) return;
    this.zone = zone;
    this.applyZone();
    this.renderLegend();
  }

  dispose(): void {
    this.disposed = true;
    this.chart.unsubscribeCrosshairMove(this.onCrosshairMove);
    this.chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.onVisibleRangeChange);
    this.chart.remove();
    this.olderMark.remove();
  }

  private reset(state: ChartState, instrument: Instrument | undefined): void {
    const precisionChanged = instrument?.priceDecimals !== this.instrument?.priceDecimals;
    // Taken before the series is replaced; an empty series keeps the view it was emptied with.
    const kept = this.captureView() ?? this.keptView;
    this.revision = state.revision;
    this.instrument = instrument;
    this.interval = state.interval;
    this.status = state.status;
    this.bars = state.bars;
    this.hovered = undefined;
    if (instrument && precisionChanged) {
      const precision = instrument.priceDecimals;
      this.candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 1 / pow10(precision) } });
    }
    this.candles.setData(instrument ? state.bars.map((b) => toCandle(b, instrument)) : []);
    this.volume?.setData(instrument ? state.bars.map((b) => toVolume(b, instrument, this.palette)) : []);
    this.seriesBars = instrument ? state.bars.length : 0;
    this.lastDrawnTime = -Infinity;
    // The same instrument at the same interval (or one not known yet, as in a new epoch before the
    // instrument table): the person's view goes on. Anything else is a new view.
    const goesOn =
      kept !== undefined && (instrument === undefined || (kept.symbol === instrument.symbol && kept.interval === state.interval));
    this.keptView = goesOn ? kept : undefined;
    if (kept && goesOn && instrument && this.restoreView(kept.view, state.bars.map(barTime), state.interval)) {
      this.keptView = undefined;
    } else {
      // A new series starts at the default zoom, scrolled to the newest bar: a young series draws
      // normal-width candles at the right edge instead of a few stretched across the pane. Not
      // with the animated scrollToRealTime(): lightweight-charts 5.2 never applies an animation's
      // last position, so on a busy page the margin right of the newest bar ended short of it.
      this.requestedRange = undefined;
      this.chart.timeScale().applyOptions({ barSpacing: DEFAULT_BAR_SPACING });
      this.chart.timeScale().scrollToPosition(RIGHT_OFFSET_BARS, false);
    }
    this.afterDraw();
  }

  /** Records what was drawn (for the next incremental update, the legend and tests). */
  private afterDraw(): void {
    const last = this.bars[this.bars.length - 1];
    this.lastDrawnTime = last ? barTime(last) : -Infinity;
    const data = this.container.dataset;
    data.revision = String(this.revision);
    data.barCount = String(this.bars.length);
    data.seriesBars = String(this.seriesBars);
    data.lastTime = last ? String(barTime(last)) : '';
    data.firstTime = this.bars[0] ? String(barTime(this.bars[0])) : '';
    data.lastClose = last && this.instrument ? formatDecimal(last.close, this.instrument.priceDecimals) : '';
    if (!this.hovered) this.renderLegend();
  }

  /**
   * Publishes the view on the container for tests and tools: zoom (px per bar), bars from the
   * newest bar to the right edge, and the open times (chart seconds) of the bars at the edges.
   */
  private readonly onVisibleRangeChange = (): void => {
    const timeScale = this.chart.timeScale();
    const visible = timeScale.getVisibleRange();
    const data = this.container.dataset;
    data.barSpacing = timeScale.options().barSpacing.toFixed(3);
    data.scrollPosition = timeScale.scrollPosition().toFixed(3);
    data.visibleFrom = visible ? String(visible.from) : '';
    data.visibleTo = visible ? String(visible.to) : '';
    this.updateOlder();
  };

  private readonly onCrosshairMove = (param: MouseEventParams<Time>): void => {
    this.hovered = param.time === undefined ? undefined : findBar(this.bars, param.time as UTCTimestamp);
    this.renderLegend();
  };

  /** Writes OHLCV of the hovered bar, else of the newest bar, into the legend. */
  private renderLegend(): void {
    const bar = this.hovered ?? this.bars[this.bars.length - 1];
    const instrument = this.instrument;
    const set = (field: LegendField, text: string): void => {
      const el = this.legendFields.get(field);
      if (el && el.textContent !== text) el.textContent = text;
    };
    if (!bar || !instrument) {
      for (const field of this.legendFields.keys()) set(field, '');
      return;
    }
    const d = instrument.priceDecimals;
    set('time', formatDateTime(barTime(bar), this.zone));
    set('open', formatDecimal(bar.open, d));
    set('high', formatDecimal(bar.high, d));
    set('low', formatDecimal(bar.low, d));
    set('close', formatDecimal(bar.close, d));
    set('volume', formatSize(bar.volume, instrument.sizeDecimals));
    set('change', formatChange(barChange(bar)));
    const direction = bar.close >= bar.open ? 'up' : 'down';
    for (const el of this.legendFields.values()) el.dataset.direction = direction;
  }

  private applyPalette(): void {
    const p = this.palette;
    this.chart.applyOptions({
      layout: {
        background: { type: ColorType.Solid, color: p.background },
        textColor: p.text,
        fontFamily: CHART_FONT,
        panes: { separatorColor: p.border },
      },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
      rightPriceScale: { borderColor: p.border },
      timeScale: { borderColor: p.border },
      crosshair: {
        vertLine: { color: p.crosshair, labelBackgroundColor: p.crosshair },
        horzLine: { color: p.crosshair, labelBackgroundColor: p.crosshair },
      },
    });
    this.candles.applyOptions({
      upColor: p.up,
      downColor: p.down,
      borderUpColor: p.up,
      borderDownColor: p.down,
      wickUpColor: p.up,
      wickDownColor: p.down,
    });
  }

  private applyZone(): void {
    const zone = this.zone;
    this.chart.applyOptions({
      localization: { timeFormatter: (time: Time) => formatDateTime(time as UTCTimestamp, zone) },
      timeScale: { tickMarkFormatter: (time: Time, type: number) => formatTickMark(time as UTCTimestamp, type, zone) },
    });
  }
}
