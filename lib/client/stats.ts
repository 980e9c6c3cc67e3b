/**
 * Live connection figures for a status badge: rates over a sliding window, round-trip time, data
 * age. Every per-message operation is O(1) with fixed memory.
 */

/** Default length of the sliding window for rates (ms). */
export const DEFAULT_RATE_WINDOW_MS = 2_000;
/** Default number of buckets the window is split into (resolution = window / buckets). */
export const DEFAULT_RATE_BUCKETS = 10;

/**
 * Sum of amounts over the last `windowMs`, as a rate per second. The window is a ring of
 * buckets; a bucket is recycled when time moves past it, so memory never grows.
 */
export class RateWindow {
  readonly #bucketMs: number;
  readonly #counts: number[];
  /** Absolute bucket number (`floor(t / bucketMs)`) each slot currently holds. */
  readonly #slots: number[];
  #startedAt: number;

  /** @param startedAt - time (ms) counting began; rates are not diluted by time before it. */
  constructor(startedAt: number, windowMs = DEFAULT_RATE_WINDOW_MS, buckets = DEFAULT_RATE_BUCKETS) {
    if (!(windowMs > 0) || !Number.isInteger(buckets) || buckets < 1) {
      throw new RangeError(`RateWindow needs windowMs > 0 and buckets >= 1, got ${windowMs}, ${buckets}`);
    }
    this.#bucketMs = windowMs / buckets;
    this.#counts = new Array<number>(buckets).fill(0);
    this.#slots = new Array<number>(buckets).fill(-Infinity);
    this.#startedAt = startedAt;
  }

  /** Adds `amount` at time `now` (ms). */
  add(amount: number, now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    const slot = bucket % this.#counts.length;
    if (this.#slots[slot] !== bucket) {
      this.#slots[slot] = bucket;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] = (this.#counts[slot] ?? 0) + amount;
  }

  /** Amount per second over the window ending at `now` (ms). */
  ratePerSec(now: number): number {
    const n = this.#counts.length;
    const current = Math.floor(now / this.#bucketMs);
    const oldest = current - n + 1;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const bucket = this.#slots[i] ?? -Infinity;
      if (bucket >= oldest && bucket <= current) sum += this.#counts[i] ?? 0;
    }
    const windowStart = Math.max(oldest * this.#bucketMs, this.#startedAt);
    const spanMs = Math.max(now - windowStart, this.#bucketMs);
    return (sum * 1000) / spanMs;
  }

  /** Empties the window; counting restarts at `now`. */
  reset(now: number): void {
    this.#counts.fill(0);
    this.#slots.fill(-Infinity);
    this.#startedAt = now;
  }
}

/** What {@link FeedClient.stats} returns. Times are ms; `null` means "not known yet". */
export interface FeedClientStats {
  /** WebSocket messages received per second (sliding window). */
  readonly messagesPerSec: number;
  /** Market updates (trades, quotes, bars, session figures) delivered per second, in batches and snapshots. */
  readonly updatesPerSec: number;
  /** Payload bytes received per second (text frames count UTF-16 code units, i.e. bytes for ASCII JSON). */
  readonly bytesPerSec: number;
  /** Last ping round-trip time (ms). */
  readonly rttMs: number | null;
  /**
   * Age of the freshest live update: server-clock now minus its `receiveTimeUs` (ms). Uses
   * {@link clockOffsetMs} so a wrong local clock does not distort it.
   */
  readonly dataAgeMs: number | null;
  /** Time since any message arrived (ms). */
  readonly lastMessageAgeMs: number | null;
  /** Server clock minus local clock (ms), from the latest hello/heartbeat corrected by rtt/2. */
  readonly clockOffsetMs: number | null;
  /** Connections made after the first one. */
  readonly reconnects: number;
  /** Sequence gaps detected (each triggers a resync of its instrument). */
  readonly gaps: number;
  /** Duplicate updates dropped. */
  readonly duplicates: number;
  /** Server messages of a type this client does not know (later additions to v2), skipped. */
  readonly unknownMessages: number;
}

/** Collects the figures behind {@link FeedClientStats}. */
export class StatsCollector {
  readonly #messages: RateWindow;
  readonly #updates: RateWindow;
  readonly #bytes: RateWindow;
  #rttMs: number | null = null;
  #clockOffsetMs: number | null = null;
  #lastMessageAt: number | null = null;
  #newestReceiveTimeUs: number | null = null;
  reconnects = 0;
  gaps = 0;
  duplicates = 0;
  #unknownMessages = 0;

  constructor(now: number, windowMs = DEFAULT_RATE_WINDOW_MS) {
    this.#messages = new RateWindow(now, windowMs);
    this.#updates = new RateWindow(now, windowMs);
    this.#bytes = new RateWindow(now, windowMs);
  }

  /** Counts one received WebSocket message of `bytes` at `now` (ms). */
  message(bytes: number, now: number): void {
    this.#messages.add(1, now);
    this.#bytes.add(bytes, now);
    this.#lastMessageAt = now;
  }

  /** Counts `count` delivered updates at `now` (ms). */
  updates(count: number, now: number): void {
    if (count > 0) this.#updates.add(count, now);
  }

  /** Counts a skipped server message of an unknown type. */
  unknownMessage(): void {
    this.#unknownMessages++;
  }

  /** Notes a live update's server receive time (µs); the newest one defines data age. */
  liveUpdate(receiveTimeUs: number): void {
    if (this.#newestReceiveTimeUs === null || receiveTimeUs > this.#newestReceiveTimeUs) {
      this.#newestReceiveTimeUs = receiveTimeUs;
    }
  }

  /** Records a measured round trip (ms). */
  rtt(ms: number): void {
    this.#rttMs = ms;
  }

  /** Records the server's clock (µs) as read at local time `now` (ms). */
  serverTime(serverTimeUs: number, now: number): void {
    const oneWayMs = this.#rttMs === null ? 0 : this.#rttMs / 2;
    this.#clockOffsetMs = serverTimeUs / 1000 + oneWayMs - now;
  }

  /** Forgets data age (the epoch changed: old receive times belong to another stream). */
  resetDataAge(): void {
    this.#newestReceiveTimeUs = null;
  }

  /** The figures as of `now` (ms). */
  snapshot(now: number): FeedClientStats {
    const offset = this.#clockOffsetMs ?? 0;
    return {
      messagesPerSec: this.#messages.ratePerSec(now),
      updatesPerSec: this.#updates.ratePerSec(now),
      bytesPerSec: this.#bytes.ratePerSec(now),
      rttMs: this.#rttMs,
      dataAgeMs: this.#newestReceiveTimeUs === null ? null : Math.max(0, now + offset - this.#newestReceiveTimeUs / 1000),
      lastMessageAgeMs: this.#lastMessageAt === null ? null : now - this.#lastMessageAt,
      clockOffsetMs: this.#clockOffsetMs,
      reconnects: this.reconnects,
      gaps: this.gaps,
      duplicates: this.duplicates,
      unknownMessages: this.#unknownMessages,
    };
  }
}
