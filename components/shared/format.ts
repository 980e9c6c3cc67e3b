/**
 * Display formatting shared by the dashboard's components. Prices are exact decimals at the
 * instrument's precision (never through floats); sizes and volumes are compacted for reading.
 */
import { formatDecimal, mantissaToNumber } from '../../lib/market/decimal';

/** What an empty cell shows. */
export const EMPTY_CELL = '—';

/** A price mantissa as an exact decimal, or {@link EMPTY_CELL}. */
export function formatPrice(mantissa: number | undefined, decimals: number): string {
  return mantissa === undefined ? EMPTY_CELL : formatDecimal(mantissa, decimals);
}

/** A fraction as a signed percentage with two decimals: 0.0125 -> "+1.25%". */
export function formatChange(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return EMPTY_CELL;
  const hundredths = hundredthsOfPercent(fraction);
  const sign = hundredths > 0 ? '+' : hundredths < 0 ? '−' : '';
  return `${sign}${(Math.abs(hundredths) / 100).toFixed(2)}%`;
}

/**
 * Sign of a change as shown with two decimals of a percent: a change that rounds to 0.00% is
 * neither up nor down (no "−0.00%" in red).
 */
export function changeDirection(fraction: number | undefined): -1 | 0 | 1 {
  if (fraction === undefined || !Number.isFinite(fraction)) return 0;
  return Math.sign(hundredthsOfPercent(fraction)) as -1 | 0 | 1;
}

/**
 * A fraction in hundredths of a percent, rounded half away from zero, so a rise and a fall of the
 * same size show the same digits (Math.round alone takes -0.5 to 0: a fall of exactly half a basis
 * point read "0.01%", unsigned and uncoloured, while the same rise read "+0.01%").
 */
function hundredthsOfPercent(fraction: number): number {
  const magnitude = Math.round(Math.abs(fraction) * 10_000);
  return magnitude === 0 ? 0 : fraction < 0 ? -magnitude : magnitude;
}

const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
/** Three significant digits in plain positional notation (never "1e-7"), for volumes below 1. */
const THREE_SIGNIFICANT = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3, useGrouping: false });

/**
 * A size mantissa for reading: exact below 10,000 units, compact above ("1.3M"). Volumes are
 * sums of many prints, where the last digits say nothing to a person scanning a list.
 */
export function formatSize(mantissa: number | undefined, decimals: number): string {
  if (mantissa === undefined) return EMPTY_CELL;
  const value = mantissaToNumber(mantissa, decimals);
  return Math.abs(value) < 10_000 ? formatDecimal(mantissa, decimals) : COMPACT.format(value);
}

/**
 * A volume for a dense column: compact from 1,000 ("12.4K", "1.3M"), two decimals from 1, three
 * significant digits below 1 ("0.218"). Volumes are sums of many prints; a person scanning a
 * list compares magnitudes, and the exact figure is in the chart legend.
 */
export function formatVolume(mantissa: number | undefined, decimals: number): string {
  if (mantissa === undefined) return EMPTY_CELL;
  const value = mantissaToNumber(mantissa, decimals);
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return COMPACT.format(value);
  if (Math.abs(value) >= 1) return value.toFixed(decimals === 0 ? 0 : Math.min(2, decimals));
  return THREE_SIGNIFICANT.format(value);
}

/** A count per second, compact: 18234 -> "18.2k/s". */
export function formatRate(perSec: number): string {
  return perSec < 1000 ? `${Math.round(perSec)}/s` : `${(perSec / 1000).toFixed(1)}k/s`;
}

/** Milliseconds for a badge: "42 ms", "3.1 s". */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return EMPTY_CELL;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  // Round to what is shown first, so 59.96 s is "1 min 0 s", never "60.0 s" or "1 min 60 s".
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
