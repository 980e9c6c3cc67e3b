/**
 * Exact decimal <-> integer-mantissa conversion. A venue's "0.00012345" at 8 decimals is the
 * mantissa 12345 and formats back to exactly "0.00012345": no binary floating point in between.
 */

/** Largest number of decimal places an instrument may declare. */
export const MAX_DECIMALS = 18;

const POW10: readonly number[] = Array.from({ length: MAX_DECIMALS + 1 }, (_, i) => 10 ** i);

/** 10^decimals as a number (exact up to 10^22; we only need up to 10^18). */
export function pow10(decimals: number): number {
  const value = POW10[decimals];
  if (value === undefined) throw new RangeError(`decimals must be 0..${MAX_DECIMALS}, got ${decimals}`);
  return value;
}

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;

/**
 * Parses a decimal string into a mantissa at `decimals` places. Returns `undefined` when the text
 * is not a plain decimal (`-?digits(.digits)?`, ASCII digits), has more significant decimal places
 * than `decimals` (it would not be exact), or the mantissa would not be a safe integer. Trailing
 * zeros beyond `decimals` are fine.
 *
 * One pass over the characters with no allocation: the normaliser runs this on every price and
 * size an adapter sends. Accumulating digit by digit in a double is exact while the value stays
 * below 2^53, and a value past that never comes back down, so the final safe-integer check is
 * the whole range check.
 */
export function parseDecimal(text: string, decimals: number): number | undefined {
  const length = text.length;
  const negative = length > 0 && text.charCodeAt(0) === MINUS;
  let i = negative ? 1 : 0;
  let mantissa = 0;
  const wholeStart = i;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
  }
  if (i === wholeStart) return undefined;
  let places = 0;
  if (i < length) {
    if (text.charCodeAt(i) !== DOT || i + 1 === length) return undefined;
    for (i++; i < length; i++) {
      const digit = text.charCodeAt(i) - ZERO;
      if (digit < 0 || digit > 9) return undefined;
      if (places < decimals) {
        mantissa = mantissa * 10 + digit;
        places++;
      } else if (digit !== 0) {
        return undefined;
      }
    }
  }
  for (; places < decimals; places++) mantissa *= 10;
  if (!Number.isSafeInteger(mantissa)) return undefined;
  return negative && mantissa !== 0 ? -mantissa : mantissa;
}

/**
 * How far a number scaled to its mantissa may lie from the nearest integer and still count as on
 * the grid, in mantissa units (steps of the precision): a millionth of a step. That covers binary
 * rounding (`0.1 + 0.2`, a decimal that has no exact double, the scaling multiply, even a price
 * built by adding a tick ten thousand times) and is far too little to hide a digit finer than the
 * precision (`60000.125` at 2 decimals is half a step off, not rounding noise).
 */
const NUMBER_GRID_SLACK = 1e-6;
/**
 * Plus a few ulps of the mantissa, for mantissas so large (beyond ~10^9) that a double cannot hold
 * a millionth of a step.
 */
const NUMBER_GRID_SLACK_RELATIVE = 16 * Number.EPSILON;

/**
 * Converts a JS number (e.g. from a simulator) to a mantissa at `decimals` places. Returns
 * `undefined` unless the value is finite and lies on the precision grid to within float rounding.
 */
export function numberToMantissa(value: number, decimals: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const scaled = value * pow10(decimals);
  const mantissa = Math.round(scaled);
  if (!Number.isSafeInteger(mantissa)) return undefined;
  if (Math.abs(scaled - mantissa) > NUMBER_GRID_SLACK + NUMBER_GRID_SLACK_RELATIVE * Math.abs(mantissa)) return undefined;
  return mantissa;
}

/** Accepts a decimal string or a number and returns the mantissa, or `undefined` if not exact. */
export function toMantissa(value: string | number, decimals: number): number | undefined {
  return typeof value === 'string' ? parseDecimal(value, decimals) : numberToMantissa(value, decimals);
}

/** Formats a mantissa at `decimals` places exactly, e.g. (12345, 8) -> "0.00012345". */
export function formatDecimal(mantissa: number, decimals: number): string {
  if (decimals === 0) return String(mantissa);
  const negative = mantissa < 0;
  const digits = String(Math.abs(mantissa)).padStart(decimals + 1, '0');
  const cut = digits.length - decimals;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** Mantissa to a float for charts and arithmetic where exactness no longer matters. */
export function mantissaToNumber(mantissa: number, decimals: number): number {
  return mantissa / pow10(decimals);
}
