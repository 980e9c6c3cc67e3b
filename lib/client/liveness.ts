/**
 * Liveness of one connection: a connect timeout until `hello`, then a heartbeat watchdog (the
 * server sends something at least every `heartbeatIntervalMs`; silence for `factor` times that
 * means the connection is dead even if TCP has not noticed), and periodic pings for RTT.
 * One timeout timer and one interval timer; both cleared by {@link Liveness.stop}.
 */

/** Settings and callbacks of a {@link Liveness}. */
export interface LivenessOptions {
  /** Clock (ms). */
  readonly now: () => number;
  /** Longest wait for `hello` after opening (ms). */
  readonly connectTimeoutMs: number;
  /** Dead after this many heartbeat intervals without any message. */
  readonly heartbeatTimeoutFactor: number;
  /** Ping period (ms); 0 disables pings. */
  readonly pingIntervalMs: number;
  /** Sends a ping message. */
  readonly sendPing: (nonce: number, sentTimeUs: number) => void;
  /** The connection is declared dead, with a reason for people. */
  readonly onDead: (reason: string) => void;
  /** A round trip was measured (ms). */
  readonly onRtt: (ms: number) => void;
}

/**
 * Longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); larger values fire at once.
 * A server announcing a huge heartbeat interval must not turn the watchdog into a busy loop.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Largest ping nonce before wrapping (fits a uint32 varint and a JS small integer). */
const MAX_PING_NONCE = 0x7fff_ffff;

/** Watchdog and pinger of one connection. */
export class Liveness {
  #timeout: ReturnType<typeof setTimeout> | undefined;
  #interval: ReturnType<typeof setInterval> | undefined;
  #timeoutMs = 0;
  #ready = false;
  #lastMessageAt = 0;
  #nonce = 0;
  #pingSentAt: number | undefined;

  constructor(private readonly options: LivenessOptions) {}

  /** A socket was opened: wait up to `connectTimeoutMs` for hello. */
  start(): void {
    this.stop();
    this.#arm(this.options.connectTimeoutMs);
  }

  /** Hello arrived: watch for silence and start pinging. */
  hello(heartbeatIntervalMs: number): void {
    this.#ready = true;
    this.#lastMessageAt = this.options.now();
    // 0 means the server sends no heartbeats (a Tickwire gateway never says so, another server may):
    // silence is then judged against the client's own pings, whose pongs count as messages, or not
    // at all without pings. A timeout of a few ms would drop every connection at once.
    const basisMs = heartbeatIntervalMs > 0 ? heartbeatIntervalMs : this.options.pingIntervalMs;
    this.#timeoutMs = this.options.heartbeatTimeoutFactor * basisMs;
    if (basisMs > 0) this.#arm(this.#timeoutMs);
    else clearTimeout(this.#timeout);
    if (this.options.pingIntervalMs > 0) {
      clearInterval(this.#interval);
      this.#interval = setInterval(() => this.#ping(), this.options.pingIntervalMs);
      this.#ping();
    }
  }

  /** Any message arrived at `now` (ms). O(1): the watchdog re-arms itself lazily. */
  message(now: number): void {
    this.#lastMessageAt = now;
  }

  /** A pong arrived; measures RTT when it answers the latest ping. */
  pong(nonce: number, now: number): void {
    if (nonce !== this.#nonce || this.#pingSentAt === undefined) return;
    this.options.onRtt(Math.max(0, now - this.#pingSentAt));
    this.#pingSentAt = undefined;
  }

  /** Clears every timer. */
  stop(): void {
    clearTimeout(this.#timeout);
    clearInterval(this.#interval);
    this.#timeout = this.#interval = undefined;
    this.#ready = false;
    this.#pingSentAt = undefined;
  }

  #arm(delayMs: number): void {
    clearTimeout(this.#timeout);
    this.#timeout = setTimeout(() => this.#check(), Math.min(Math.max(1, delayMs), MAX_TIMER_DELAY_MS));
  }

  #check(): void {
    this.#timeout = undefined;
    if (!this.#ready) {
      this.stop();
      this.options.onDead(`no hello within ${this.options.connectTimeoutMs} ms`);
      return;
    }
    const idle = this.options.now() - this.#lastMessageAt;
    if (idle >= this.#timeoutMs) {
      this.stop();
      this.options.onDead(`heartbeat timeout: no message for ${Math.round(idle)} ms`);
    } else {
      this.#arm(this.#timeoutMs - idle);
    }
  }

  #ping(): void {
    const now = this.options.now();
    this.#nonce = (this.#nonce % MAX_PING_NONCE) + 1;
    this.#pingSentAt = now;
    this.options.sendPing(this.#nonce, Math.round(now * 1000));
  }
}
