/**
 * Update-to-screen lag instrumentation: for every live market update the store applies, the time
 * from the feed service receiving it (`receiveTimeUs`) to the animation frame that applied it
 * (React renders and the browser paints in that same frame). Always on and cheap: a fixed ring of
 * recent samples plus a 1 ms histogram over every sample since the last reset. The browser
 * benchmark reads it through `window.__tickwireLag`.
 *
 * The figure is only meaningful when the feed service and the browser share a clock (same machine,
 * as in `npm run bench:browser`).
 */

/** Recent samples kept (newest win). 16 Ki samples = 128 KiB. */
export const LAG_PROBE_CAPACITY = 16_384;
/** Histogram range (ms); slower samples land in the last bucket. */
export const LAG_HISTOGRAM_MAX_MS = 10_000;

/** Ring of recent lag samples plus a whole-run histogram, in ms. */
export interface LagProbe {
  /** Records one sample (ms). */
  record(lagMs: number): void;
  /** The recent samples currently held, oldest first. */
  samples(): number[];
  /** Total samples recorded since the last reset (may exceed the ring's capacity). */
  count(): number;
  /**
   * The `p`-th percentile (0..100) over every sample since the last reset, at 1 ms resolution
   * (upper bucket edge); NaN before any sample.
   */
  percentile(p: number): number;
  /** Forgets every sample. */
  reset(): void;
}

/** Creates a lag probe holding at most `capacity` recent samples. */
export function createLagProbe(capacity: number = LAG_PROBE_CAPACITY): LagProbe {
  if (!Number.isInteger(capacity) || capacity <= 0) {
    throw new TypeError(`capacity must be a positive integer, got ${capacity}`);
  }
  const ring = new Float64Array(capacity);
  const histogram = new Uint32Array(LAG_HISTOGRAM_MAX_MS + 1);
  let written = 0;
  return {
    record(lagMs) {
      ring[written % capacity] = lagMs;
      written += 1;
      const bucket = Math.min(LAG_HISTOGRAM_MAX_MS, Math.max(0, Math.ceil(lagMs)));
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    },
    samples() {
      if (written <= capacity) return Array.from(ring.subarray(0, written));
      const start = written % capacity;
      return [...ring.subarray(start), ...ring.subarray(0, start)];
    },
    count: () => written,
    percentile(p) {
      if (written === 0) return NaN;
      const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * written));
      let seen = 0;
      for (let ms = 0; ms < histogram.length; ms += 1) {
        seen += histogram[ms] ?? 0;
        if (seen >= rank) return ms;
      }
      return LAG_HISTOGRAM_MAX_MS;
    },
    reset() {
      written = 0;
      histogram.fill(0);
    },
  };
}
