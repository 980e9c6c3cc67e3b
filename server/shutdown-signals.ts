/**
 * Ctrl-C handling shared by `npm run feed` and `npm start`: the first SIGINT or SIGTERM starts a
 * graceful stop, a second one means "now". One Ctrl-C can arrive twice, though: under `npm run`, tsx
 * relays a signal to the script when the script has not acknowledged it within 30 ms, and npm
 * forwards it as well, so the same key press came in a second time 30 ms after the first and cut the
 * graceful stop short. A repeat within DUPLICATE_SIGNAL_MS of the first is taken as that echo.
 */

/**
 * A repeat of the first signal sooner than this is the same Ctrl-C delivered again (ms). tsx's relay
 * comes 30 ms after the key press on an idle machine, later on a busy one; a person who presses twice
 * within half a second gets the graceful stop and can press once more.
 */
export const DUPLICATE_SIGNAL_MS = 500;

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

export interface ShutdownHandlers {
  /** The first signal: stop gracefully. */
  readonly first: (signal: ShutdownSignal) => void;
  /** A later signal, DUPLICATE_SIGNAL_MS or more after the first: stop now. */
  readonly again: (signal: ShutdownSignal) => void;
}

/** What the handlers listen on: `process` in the CLIs, an emitter in tests. */
export interface SignalSource {
  on(event: ShutdownSignal, listener: () => void): unknown;
}

/** Listens for SIGINT and SIGTERM on `source` and calls `first` once, then `again` for each later signal. */
export function onShutdownSignals(
  handlers: ShutdownHandlers,
  source: SignalSource = process,
  nowMs: () => number = () => performance.now(),
): void {
  let firstAtMs: number | undefined;
  const on = (signal: ShutdownSignal): void => {
    const now = nowMs();
    if (firstAtMs === undefined) {
      firstAtMs = now;
      handlers.first(signal);
    } else if (now - firstAtMs >= DUPLICATE_SIGNAL_MS) {
      handlers.again(signal);
    }
  };
  source.on('SIGINT', () => on('SIGINT'));
  source.on('SIGTERM', () => on('SIGTERM'));
}
