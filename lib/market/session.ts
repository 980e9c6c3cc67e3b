/**
 * Session statistics: an instrument's open, high, low, last price, volume and trade count over its
 * trading session. One rule, used by the feed service (which sends the figures in snapshots and
 * conflated batches) and by clients (which keep them current from live trades), so both ends agree
 * to the trade.
 *
 * - A session is the UTC calendar day of a trade's `eventTimeUs`.
 * - Trades fold in sequence order (the order normalisation numbered them): `open` is the session's
 *   first trade so folded, the last price its latest.
 * - A trade of a later day starts a new session; a late trade of an earlier day is not counted.
 * - Volume saturates at `Number.MAX_SAFE_INTEGER` mantissa units rather than lose precision.
 */

/** Microseconds in a UTC day. */
export const US_PER_DAY = 86_400_000_000;

/** Start (µs since the Unix epoch, UTC midnight) of the session containing `timeUs`. */
export function sessionStartUs(timeUs: number): number {
  // `%` on integer-valued doubles is exact, unlike floor(time / day) near a boundary.
  const rest = timeUs % US_PER_DAY;
  return rest < 0 ? timeUs - rest - US_PER_DAY : timeUs - rest;
}

/** The figures a session fold keeps; both the server's accumulator and a client ticker have them. */
export interface SessionFigures {
  /** Start of the current session (UTC midnight, µs), undefined before any trade. */
  sessionStartUs: number | undefined;
  open: number | undefined;
  high: number | undefined;
  low: number | undefined;
  /** Sum of trade sizes this session, size mantissa units. */
  volume: number;
  /** Trades folded into this session. */
  sessionTrades: number;
}

/**
 * Folds one trade into `s` (mutated). Returns false, changing nothing, for a trade of an earlier
 * session than `s` holds.
 */
export function foldSessionTrade(s: SessionFigures, price: number, size: number, eventTimeUs: number): boolean {
  const start = sessionStartUs(eventTimeUs);
  if (s.sessionStartUs !== undefined && start < s.sessionStartUs) return false;
  if (s.sessionStartUs === undefined || start > s.sessionStartUs || s.open === undefined || s.high === undefined || s.low === undefined) {
    s.sessionStartUs = start;
    s.open = price;
    s.high = price;
    s.low = price;
    s.volume = Math.min(size, Number.MAX_SAFE_INTEGER);
    s.sessionTrades = 1;
    return true;
  }
  if (price > s.high) s.high = price;
  if (price < s.low) s.low = price;
  s.volume = Math.min(s.volume + size, Number.MAX_SAFE_INTEGER);
  s.sessionTrades += 1;
  return true;
}
