/**
 * Turns an adapter's history bar (decimal strings or numbers, docs/adapters.md "History") into a
 * stored bar of mantissas at the instrument's precision, by the normaliser's decimal rules
 * (lib/market/decimal.ts): a price finer than the precision is inexact and rejected, never rounded.
 * A bar that is not a valid candle is rejected with a reason the backfill counts.
 */
import { alignBarOpenTime, US_PER_SECOND } from '../../lib/market/bars';
import { pow10 } from '../../lib/market/decimal';
import type { BarInterval, Instrument } from '../../lib/market/types';
import { readMantissa } from '../normaliser/validate';
import type { StoredBar } from './store/types';

/** Why a history bar was rejected. */
export const HISTORY_BAR_REJECTS = [
  /** Not an object, or a field of the wrong type. */
  'malformed',
  /** Open time not aligned to the interval, outside the range asked for, or not after the previous bar. */
  'bad-time',
  /** A price or size that is no finite decimal, or not a safe mantissa. */
  'bad-number',
  /** A price or size finer than the instrument's precision. */
  'inexact',
  /** low > open/close, open/close > high, negative volume or trade count. */
  'bad-candle',
] as const;
/** One of {@link HISTORY_BAR_REJECTS}. */
export type HistoryBarReject = (typeof HISTORY_BAR_REJECTS)[number];

/** The window a bar must fall into: open time in [`startUs`, `endUs`), after `afterUs`. */
export interface BarWindow {
  readonly interval: BarInterval;
  readonly startUs: number;
  readonly endUs: number;
  /** Open time of the previous accepted bar (bars come oldest first, no repeats). */
  readonly afterUs: number;
}

function mantissa(value: unknown, decimals: number): number | HistoryBarReject {
  const m = readMantissa(value, decimals);
  return m === 'bad' ? 'bad-number' : m === 'inexact' ? 'inexact' : m;
}

/** A vwap is an average: finer digits than the precision are rounded (half up), not refused. */
function vwapMantissa(value: unknown, decimals: number): number | HistoryBarReject {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return 'bad-number';
  const m = Math.floor(n * pow10(decimals) + 0.5);
  return Number.isSafeInteger(m) ? m : 'bad-number';
}

/**
 * The stored bar for `raw`, or why not. `symbol` is the store key (the instrument's name); event
 * and receive times are the bar's close time and seq is 0 (a backfilled bar, store/types.ts).
 */
export function toBackfilledBar(raw: unknown, instrument: Instrument, window: BarWindow): StoredBar | HistoryBarReject {
  if (typeof raw !== 'object' || raw === null) return 'malformed';
  const r = raw as Record<string, unknown>;
  const openTimeUs = r.openTimeUs;
  if (typeof openTimeUs !== 'number' || !Number.isSafeInteger(openTimeUs)) return 'malformed';
  if (
    alignBarOpenTime(openTimeUs, window.interval) !== openTimeUs ||
    openTimeUs < window.startUs ||
    openTimeUs >= window.endUs ||
    openTimeUs <= window.afterUs
  ) {
    return 'bad-time';
  }
  const p = instrument.priceDecimals;
  const open = mantissa(r.open, p);
  if (typeof open === 'string') return open;
  const high = mantissa(r.high, p);
  if (typeof high === 'string') return high;
  const low = mantissa(r.low, p);
  if (typeof low === 'string') return low;
  const close = mantissa(r.close, p);
  if (typeof close === 'string') return close;
  const volume = mantissa(r.volume, instrument.sizeDecimals);
  if (typeof volume === 'string') return volume;
  const tradeCount = r.tradeCount ?? 0;
  if (typeof tradeCount !== 'number' || !Number.isSafeInteger(tradeCount)) return 'malformed';
  if (low > Math.min(open, close) || high < Math.max(open, close) || volume < 0 || tradeCount < 0) return 'bad-candle';
  let vwap = close;
  if (r.vwap !== undefined) {
    const v = vwapMantissa(r.vwap, p);
    if (typeof v === 'string') return v;
    // A venue's quote volume / volume can stray a hair outside the candle; keep it inside.
    vwap = Math.min(high, Math.max(low, v));
  }
  const closeTimeUs = openTimeUs + window.interval * US_PER_SECOND;
  return {
    symbol: instrument.symbol,
    seq: 0,
    eventTimeUs: closeTimeUs,
    receiveTimeUs: closeTimeUs,
    interval: window.interval,
    openTimeUs,
    open,
    high,
    low,
    close,
    volume,
    tradeCount,
    vwap,
  };
}
