/** A promise with a deadline, for adapter code that may never settle (a user's factory, import or start). */

/**
 * Resolves or rejects as `promise` does, or rejects after `ms` milliseconds with `timeoutError`:
 * an `Error` with that message, or the error the function builds.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: string | (() => Error)): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof timeoutError === 'string' ? new Error(timeoutError) : timeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
