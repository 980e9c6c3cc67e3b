/**
 * Pure checks on message field values, shared by the encoders (which turn a failure into a
 * TypeError/RangeError naming the field: a programmer error) and the JSON decoder (which turns it
 * into a ProtocolError: bad input). Ranges are specified in docs/protocol.md §4-6.
 */
import { MAX_DECIMALS } from '../market/decimal';
import { AssetClass, Side, type Bar, type BarInterval } from '../market/types';
import { ErrorCode, MAX_HISTORY_PAGE_BARS, MAX_REQUEST_INTERVAL_S, VENUE_STATES } from './constants';
import type { VenueStatus } from './messages';

/** A non-negative safe integer: ids, seq, sizes, counts, timestamps (µs), numeric trade ids. */
export function isSafeUint(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A safe integer of either sign: price mantissas. */
export function isSafeInt(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/** One of `BAR_INTERVALS` (seconds), as a chain of comparisons (faster than `includes` on hot paths). */
export function isBarIntervalValue(value: unknown): value is BarInterval {
  return (
    value === 60 ||
    value === 1 ||
    value === 5 ||
    value === 300 ||
    value === 900 ||
    value === 3600 ||
    value === 14400 ||
    value === 86400 ||
    value === 604800
  );
}

/** A bar interval or 0 ("no bars"), as `subscribe` and `snapshot` allow. */
export function isIntervalOrNone(value: unknown): value is BarInterval | 0 {
  return value === 0 || isBarIntervalValue(value);
}

/**
 * A bar interval as a request may name it: 0 (no bars) or a whole number of seconds up to
 * {@link MAX_REQUEST_INTERVAL_S}. Whether the server builds it is the gateway's check, not the codec's.
 */
export function isRequestInterval(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_REQUEST_INTERVAL_S;
}

/**
 * Why `bars` cannot be the bars of a `historyPage` of (instrumentId, interval), or undefined when
 * they can: at most {@link MAX_HISTORY_PAGE_BARS}, every one a bar of that instrument and interval,
 * strictly ascending by `openTimeUs`. Assumes each element is a well-formed update.
 */
export function historyBarsProblem(bars: readonly { readonly kind: string }[], instrumentId: number, interval: number): string | undefined {
  if (bars.length > MAX_HISTORY_PAGE_BARS) return `holds ${bars.length} bars, more than ${MAX_HISTORY_PAGE_BARS}`;
  let previousOpen = -1;
  for (let i = 0; i < bars.length; i++) {
    const update = bars[i] as Bar;
    if (update.kind !== 'bar') return `bars[${i}] is a ${update.kind}, not a bar`;
    if (update.instrumentId !== instrumentId) return `bars[${i}] is of instrument ${update.instrumentId}, not ${instrumentId}`;
    if (update.interval !== interval) return `bars[${i}] has interval ${update.interval}, not ${interval}`;
    if (update.openTimeUs <= previousOpen) return `bars[${i}] opens at ${update.openTimeUs}, not after the bar before it`;
    previousOpen = update.openTimeUs;
  }
  return undefined;
}

/** Instrument precision: an integer 0..18 (decimal places). */
export function isDecimals(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_DECIMALS;
}

/** A defined {@link AssetClass} wire value. */
export function isAssetClass(value: unknown): value is AssetClass {
  return Number.isInteger(value) && (value as number) >= AssetClass.Other && (value as number) <= AssetClass.Index;
}

/** A defined {@link Side} wire value (0 unknown, 1 buy, 2 sell). */
export function isSide(value: unknown): value is Side {
  return value === Side.Unknown || value === Side.Buy || value === Side.Sell;
}

/** A defined {@link ErrorCode}: 1..5, or 9 (`HistoryUnavailable`). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return (
    (Number.isInteger(value) && (value as number) >= ErrorCode.BadRequest && (value as number) <= ErrorCode.Internal) ||
    value === ErrorCode.HistoryUnavailable
  );
}

/** What error messages say a valid error code is. */
export const ERROR_CODE_RANGE = '1..5 or 9';

/** A `history` request's `count` the server answers: 1 .. {@link MAX_HISTORY_PAGE_BARS}. */
export function isHistoryCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_HISTORY_PAGE_BARS;
}

/** A defined venue state string. */
export function isVenueState(value: unknown): value is VenueStatus['state'] {
  return (VENUE_STATES as readonly unknown[]).includes(value);
}

/** True when `text` has no lone surrogate, i.e. it survives a UTF-8 round trip unchanged. */
export function isWellFormedUtf16(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const next = text.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** UTF-8 byte length of a well-formed string, without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

// ---- encoder-side assertions: a failure is a programmer error, so TypeError/RangeError naming the field

/** Throws TypeError (not a number) or RangeError (not a non-negative safe integer) naming `field`. */
export function assertSafeUint(value: unknown, field: string): asserts value is number {
  if (!isSafeUint(value)) throw numberError(value, field, 'a non-negative safe integer');
}

/** Throws TypeError (not a number) or RangeError (not a safe integer) naming `field`. */
export function assertSafeInt(value: unknown, field: string): asserts value is number {
  if (!Number.isSafeInteger(value)) throw numberError(value, field, 'a safe integer');
}

/** Throws TypeError naming `field` unless `value` is a boolean. */
export function assertBoolean(value: unknown, field: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${field} must be a boolean, got ${describe(value)}`);
}

/** Throws TypeError naming `field` unless `value` is a string (length is checked when it is written). */
export function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string, got ${describe(value)}`);
}

/** Throws TypeError naming `field` unless `value` is an array. */
export function assertArray(value: unknown, field: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array, got ${describe(value)}`);
}

/** Throws TypeError naming `field` unless `value` is a non-null object. */
export function assertObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${field} must be an object, got ${describe(value)}`);
  }
}

/**
 * Throws unless `ok`: a RangeError naming `field` when `value` has the expected JS type (`jsType`) but
 * not an allowed value, else a TypeError. `expected` says what was wanted.
 */
export function assertValue(ok: boolean, value: unknown, field: string, expected: string, jsType: 'number' | 'string' = 'number'): void {
  if (!ok) throw numberError(value, field, expected, jsType);
}

function numberError(value: unknown, field: string, expected: string, jsType: 'number' | 'string' = 'number'): TypeError | RangeError {
  const message = `${field} must be ${expected}, got ${describe(value)}`;
  return typeof value === jsType ? new RangeError(message) : new TypeError(message);
}

/** Short, safe rendering of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
