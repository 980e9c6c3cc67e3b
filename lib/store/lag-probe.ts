/**
 * Update-to-screen lag instrumentation: for every market update the store applies, the time from
 * the feed service receiving it (`receiveTimeUs`) to the frame that applied it. A fixed ring of
 * samples, cheap enough to stay on always; the benchmark reads it through `window.__tickwireLag`.
 *
 * The figure is only meaningful when the feed service and the browser share a clock (same machine,
 * as in `npm run bench:browser`).
 */

/** Samples kept (newest win). 16 Ki samples = 128 KiB. */
export const LAG_PROBE_CAPACITY = 16_384;

/** A ring buffer of lag samples in ms. */
export interface LagProbe {
  /** Records one sample (ms). */
  record(lagMs: number): void;
  /** The samples currently held, oldest first. */
  samples(): number[];
  /** Total samples recorded since the last reset (may exceed capacity). */
  count(): number;
  /** Forgets every sample. */
  reset(): void;
}

/** Creates a lag probe holding at most `capacity` samples. */
export function createLagProbe(capacity: number = LAG_PROBE_CAPACITY): LagProbe {
  if (!Number.isInteger(capacity) || capacity <= 0) {
    throw new TypeError(`capacity must be a positive integer, got ${capacity}`);
  }
  const ring = new Float64Array(capacity);
  let written = 0;
  return {
    record(lagMs) {
      ring[written % capacity] = lagMs;
      written += 1;
    },
    samples() {
      if (written <= capacity) return Array.from(ring.subarray(0, written));
      const start = written % capacity;
      return [...ring.subarray(start), ...ring.subarray(0, start)];
    },
    count: () => written,
    reset() {
      written = 0;
    },
  };
}
