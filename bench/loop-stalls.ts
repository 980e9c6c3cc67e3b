/**
 * Records when a process's event loop stalled, for the fan-out bench's two processes. A 10 ms interval
 * timer notes each time it ran at least `thresholdMs` late, with the time into the measured window,
 * so a report can tell a stall at the window's start (a warm-up transient) from one in the middle.
 */
export interface Stall {
  /** Seconds from the window's start to the end of the stall. */
  atS: number;
  /** How late the timer ran (ms). */
  lateMs: number;
}

const INTERVAL_MS = 10;
/** At most this many stalls are kept; a run with more is broken anyway, and memory stays bounded. */
const MAX_KEPT = 50;

export function watchStalls(thresholdMs = 40): { reset(): void; stalls(): Stall[] } {
  let windowStart = process.hrtime.bigint();
  let previous = windowStart;
  let kept: Stall[] = [];
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const lateMs = Number(now - previous) / 1e6 - INTERVAL_MS;
    previous = now;
    if (lateMs >= thresholdMs && kept.length < MAX_KEPT) kept.push({ atS: Number(now - windowStart) / 1e9, lateMs });
  }, INTERVAL_MS);
  timer.unref();
  return {
    reset() {
      windowStart = previous = process.hrtime.bigint();
      kept = [];
    },
    stalls: () => kept,
  };
}

/** "none", or each stall as "88 ms at 0.4 s" in the order they happened. */
export function formatStalls(stalls: readonly Stall[]): string {
  if (stalls.length === 0) return 'none';
  return stalls.map((s) => `${s.lateMs.toFixed(0)} ms at ${s.atS.toFixed(1)} s`).join(', ');
}
