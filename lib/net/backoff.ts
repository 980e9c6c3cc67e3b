/**
 * Reconnect delay: exponential growth with full jitter and a floor, so that a thousand clients
 * dropped by one gateway restart do not return in the same instant (the "thundering herd").
 * With the defaults the delay lies between about 0.5 s and 20 s.
 */

/** Bounds of the reconnect delay, in ms. */
export interface BackoffOptions {
  /**
   * Smallest delay (ms); also the base of the exponential growth.
   * @defaultValue 500
   */
  readonly minDelayMs: number;
  /**
   * Largest delay (ms); the window stops growing here.
   * @defaultValue 20000
   */
  readonly maxDelayMs: number;
}

/** Default reconnect bounds: about 0.5 s to 20 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { minDelayMs: 500, maxDelayMs: 20_000 };

/** Beyond this many doublings the window is capped anyway; keeps `2 ** attempt` finite. */
const MAX_DOUBLINGS = 30;

/**
 * Upper end of the jitter window for retry number `attempt` (0 = first retry), in ms:
 * `min(maxDelayMs, minDelayMs * 2^(attempt + 1))`. Attempt 0 already has a window of
 * [min, 2 * min], so even the first retries of many clients are spread out.
 */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const doublings = Math.min(Math.max(0, Math.floor(attempt)) + 1, MAX_DOUBLINGS);
  return Math.min(options.maxDelayMs, options.minDelayMs * 2 ** doublings);
}

/**
 * Delay before retry number `attempt` (0 = first retry), in ms: uniform in
 * `[minDelayMs, backoffCeiling(attempt)]` ("full jitter" above a floor). `random` returns a
 * number in [0, 1) and is injectable so tests can pin it. Result is rounded to a whole ms.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, options);
  const floor = Math.min(options.minDelayMs, ceiling);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(floor + r * (ceiling - floor));
}
