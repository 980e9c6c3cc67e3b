/**
 * Schedules the store's flush for the next animation frame, so React and the charts see market
 * data at most once per frame however fast it arrives.
 *
 * Browsers stop animation frames in hidden tabs; a fallback timer makes sure buffered updates are
 * still applied (and the buffer stays bounded) while the page is in the background. Outside a
 * browser (Node tests, SSR) only the timer exists.
 */

/** Longest a flush waits when no animation frame comes (hidden tab, no DOM), in ms. */
export const FLUSH_FALLBACK_MS = 250;

/** Runs a callback once, soon; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

interface FrameGlobals {
  requestAnimationFrame?: (callback: (time: number) => void) => number;
  cancelAnimationFrame?: (handle: number) => void;
}

/**
 * The default scheduler: the next animation frame or {@link FLUSH_FALLBACK_MS}, whichever comes
 * first; the callback runs exactly once.
 */
export function animationFrameScheduler(fallbackMs: number = FLUSH_FALLBACK_MS): FrameScheduler {
  const globals = globalThis as FrameGlobals;
  return (callback) => {
    let done = false;
    let frame: number | undefined;
    const run = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (frame !== undefined) globals.cancelAnimationFrame?.(frame);
      callback();
    };
    const timer = setTimeout(run, fallbackMs);
    if (globals.requestAnimationFrame) frame = globals.requestAnimationFrame(run);
    return () => {
      done = true;
      clearTimeout(timer);
      if (frame !== undefined) globals.cancelAnimationFrame?.(frame);
    };
  };
}
