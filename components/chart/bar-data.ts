/**
 * Conversion of store bars (integer mantissas, µs times) into lightweight-charts data (floats,
 * seconds). Floats are fine here: they only place pixels; every number a person reads comes from
 * the mantissas (the legend looks bars up by time).
 */
import type { CandlestickData, HistogramData, UTCTimestamp } from 'lightweight-charts';
import { mantissaToNumber } from '../../lib/market/decimal';
import type { Bar, Instrument } from '../../lib/market/types';
import type { ChartPalette } from './chart-palette';

/** Chart time of a bar: its open time in whole seconds (UTC). */
export function barTime(bar: Bar): UTCTimestamp {
  return Math.floor(bar.openTimeUs / 1_000_000) as UTCTimestamp;
}

/** A candle for the price pane. */
export function toCandle(bar: Bar, instrument: Instrument): CandlestickData<UTCTimestamp> {
  const d = instrument.priceDecimals;
  return {
    time: barTime(bar),
    open: mantissaToNumber(bar.open, d),
    high: mantissaToNumber(bar.high, d),
    low: mantissaToNumber(bar.low, d),
    close: mantissaToNumber(bar.close, d),
  };
}

/** A volume column for the volume pane, coloured by the candle's direction. */
export function toVolume(bar: Bar, instrument: Instrument, palette: ChartPalette): HistogramData<UTCTimestamp> {
  return {
    time: barTime(bar),
    value: mantissaToNumber(bar.volume, instrument.sizeDecimals),
    color: bar.close >= bar.open ? palette.upVolume : palette.downVolume,
  };
}

/**
 * Close against open of one bar as a fraction of the open's size (0.0125 = +1.25 %), or undefined
 * for a zero open. Divided by |open| so the sign is the move's even for negative prices.
 */
export function barChange(bar: Bar): number | undefined {
  return bar.open === 0 ? undefined : (bar.close - bar.open) / Math.abs(bar.open);
}

/** Bars older than the newest drawn one that changed between two store windows. */
export interface OlderBarChanges {
  /** Bars the store replaced (same open time, new object): a late trade revised them. */
  readonly revised: Bar[];
  /** A bar appeared between drawn ones (a late trade opened it): only a reload can place it. */
  readonly inserted: boolean;
}

/**
 * Compares the bars of `next` older than `drawnTime` (chart seconds; the newest bar drawn) with
 * `prev`, the window drawn last. The store replaces a bar object whenever the bar changes and
 * otherwise keeps it, so identity says what changed. One pass over both (ascending) lists.
 */
export function olderBarChanges(prev: readonly Bar[], next: readonly Bar[], drawnTime: number): OlderBarChanges {
  const revised: Bar[] = [];
  let inserted = false;
  const drawnUs = drawnTime * 1_000_000;
  let i = 0;
  for (const bar of next) {
    if (bar.openTimeUs >= drawnUs) break;
    while (i < prev.length && (prev[i] as Bar).openTimeUs < bar.openTimeUs) i += 1;
    const before = prev[i];
    if (before === undefined || before.openTimeUs !== bar.openTimeUs) inserted = true;
    else if (before !== bar) revised.push(bar);
  }
  return { revised, inserted };
}

/** The bar open at `timeSec` (chart time) in ascending `bars`, by binary search. */
export function findBar(bars: readonly Bar[], timeSec: number): Bar | undefined {
  const target = timeSec * 1_000_000;
  let low = 0;
  let high = bars.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const bar = bars[mid] as Bar;
    const t = Math.floor(bar.openTimeUs / 1_000_000) * 1_000_000;
    if (t === target) return bar;
    if (t < target) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}
