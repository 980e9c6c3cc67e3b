/**
 * Containment of errors an adapter throws from its own callbacks (a timer, a socket handler, a
 * promise nobody awaits). Such an error would normally crash the process. The supervisor runs
 * each adapter's `start`/`stop` inside an async-context scope naming it; timers, sockets and
 * promises the adapter creates inherit that scope, so the process-level trap can tell which
 * adapter an uncaught error came from and have that adapter restarted instead of exiting.
 * Errors from anywhere else still end the process (state may be corrupt), after a log line.
 *
 * Limits: `queueMicrotask` callbacks do not carry the scope, and code that blocks the event loop
 * (an endless synchronous loop) cannot be contained in-process at all.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../log';

/** Something an uncaught error can be attributed to. */
export interface FaultTarget {
  /** Who, for the log: "binance@BINANCE". */
  readonly label: string;
  /** Called with the error; must not throw. */
  fault(error: unknown): void;
}

const scope = new AsyncLocalStorage<FaultTarget>();
let trapInstalled = 0;

/**
 * Runs `fn` so that everything asynchronous it starts is attributed to `target`. Without an
 * installed trap this is a plain call: the async-context machinery costs a little on every
 * promise, so it is only switched on when a trap will use it.
 */
export function runInAdapterScope<T>(target: FaultTarget, fn: () => T): T {
  return trapInstalled > 0 ? scope.run(target, fn) : fn();
}

/**
 * The target the current async context belongs to, if any (for tests of the tracing).
 * @internal
 */
export function currentFaultTarget(): FaultTarget | undefined {
  return scope.getStore();
}

/** Options of {@link installAdapterFaultTrap}. */
export interface FaultTrapOptions {
  readonly logger: Logger;
  /** Ends the process after an error no adapter owns. @defaultValue process.exit */
  readonly exit?: (code: number) => void;
}

/** Exit code after an uncaught error outside any adapter (as Node itself uses). */
export const UNCAUGHT_EXIT_CODE = 1;

/**
 * Installs process-level `uncaughtException` / `unhandledRejection` handlers that hand an error to
 * the adapter whose scope it arose in, and log-and-exit otherwise. Returns the uninstaller.
 */
export function installAdapterFaultTrap(options: FaultTrapOptions): () => void {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const handle = (error: unknown, kind: string): void => {
    const target = scope.getStore();
    if (target !== undefined) {
      logger.error('adapter error caught outside its calls', { adapter: target.label, kind, error: describeError(error) });
      try {
        target.fault(error);
      } catch (inner) {
        logger.error('adapter fault handler failed', { adapter: target.label, error: describeError(inner) });
      }
      return;
    }
    logger.error('uncaught error outside any adapter; exiting', { kind, error: describeError(error) });
    exit(UNCAUGHT_EXIT_CODE);
  };
  const onException = (error: Error): void => handle(error, 'uncaughtException');
  const onRejection = (reason: unknown): void => handle(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  trapInstalled += 1;
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    trapInstalled -= 1;
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

/** An error as one short line for logs and status reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.length > 0 ? error.message : error.name;
  try {
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}
