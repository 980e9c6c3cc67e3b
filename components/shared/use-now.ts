'use client';
/**
 * The wall clock as React state, ticking every `periodMs`: for countdowns and ages that must move
 * even when no data arrives (which is exactly when they matter).
 */
import { useEffect, useState } from 'react';

/** Default tick of {@link useNow}, ms: smooth enough for a seconds countdown. */
export const NOW_TICK_MS = 250;

/** Current time in ms since the Unix epoch, refreshed every `periodMs`. */
export function useNow(periodMs: number = NOW_TICK_MS): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}
