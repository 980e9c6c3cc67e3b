'use client';
/**
 * The wall clock as React state, ticking every `periodMs`: for countdowns and ages that must move
 * even when no data arrives (which is exactly when they matter).
 */
import { useEffect, useState } from 'react';
import { DASHBOARD_STORE_DEFAULTS } from '../../lib/store/dashboard-store';

/** Default tick of {@link useNow}, ms: smooth enough for a seconds countdown. */
export const NOW_TICK_MS = 250;

/**
 * Current time in ms since the Unix epoch by `clock`, refreshed every `periodMs`; 0 before the
 * first tick. Compare it only with times taken from the same clock: the store stamps data with
 * its own (see {@link dataClockMs}), the feed client's retry times are `Date.now()`.
 */
export function useNow(periodMs: number = NOW_TICK_MS, clock: () => number = Date.now): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    setNow(clock());
    const timer = setInterval(() => setNow(clock()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs, clock]);
  return now;
}

/**
 * The clock the dashboard store stamps data with (`lastDataAtMs`, a ticker's `lastMovedAtMs`):
 * `performance.timeOrigin + performance.now()`. It is not `Date.now()`: after a laptop sleeps,
 * Chromium on macOS and Linux resumes with it behind the wall clock by the sleep (an NTP step
 * moves only the wall clock), and ages judged across the two clocks were off by that much.
 */
export const dataClockMs: () => number = DASHBOARD_STORE_DEFAULTS.now;
