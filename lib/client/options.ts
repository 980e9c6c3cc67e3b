/**
 * Options of {@link FeedClient}: defaults in one object, merged as `{ ...DEFAULTS, ...options }`
 * and validated eagerly with a `TypeError` naming the option.
 */
import { type BackoffOptions, DEFAULT_BACKOFF } from '../net/backoff';
import { MAX_TIMER_DELAY_MS } from './liveness';
import { isWebSocketUrl } from '../net/url';
import { globalWebSocketFactory, type WebSocketFactory } from './transport';

/** Wire encoding to ask the server for: binary frames (`tickwire.v2`) or JSON text (`tickwire.v2.json`). */
export type WireProtocol = 'binary' | 'json';

/** What `new FeedClient(options)` accepts. */
export interface FeedClientOptions {
  /**
   * Gateway URL (`ws://` / `wss://`), or several: each new connection attempt takes the next one
   * (round-robin), so a dead gateway is failed over.
   */
  readonly url: string | readonly string[];
  /**
   * Wire encoding.
   * @defaultValue 'binary'
   */
  readonly protocol?: WireProtocol;
  /**
   * Reconnect delay bounds (ms); see `backoffDelay`.
   * @defaultValue `{ minDelayMs: 500, maxDelayMs: 20000 }`
   */
  readonly reconnect?: Partial<BackoffOptions>;
  /**
   * The connection is declared dead after `heartbeatTimeoutFactor x heartbeatIntervalMs` (from
   * `hello`) without any message.
   * @defaultValue 3
   */
  readonly heartbeatTimeoutFactor?: number;
  /**
   * How often to ping the server to measure round-trip time (ms); 0 disables pings.
   * @defaultValue 5000
   */
  readonly pingIntervalMs?: number;
  /**
   * Longest wait from opening a socket to receiving `hello` (ms) before trying again.
   * @defaultValue 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Opens sockets. Defaults to `globalThis.WebSocket`; on Node 20 pass
   * `(u, p) => new WebSocket(u, p)` with `WebSocket` from 'ws'.
   */
  readonly transport?: WebSocketFactory;
  /**
   * Clock for stats and retry times (ms since the Unix epoch).
   * @defaultValue Date.now
   */
  readonly now?: () => number;
  /**
   * Source of jitter in [0, 1) for reconnect delays (injectable for tests).
   * @defaultValue Math.random
   */
  readonly random?: () => number;
}

/** Options after defaults are applied and validated. */
export interface ResolvedFeedClientOptions {
  readonly urls: readonly string[];
  readonly protocol: WireProtocol;
  readonly reconnect: BackoffOptions;
  readonly heartbeatTimeoutFactor: number;
  readonly pingIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly transport: WebSocketFactory;
  readonly now: () => number;
  readonly random: () => number;
}

/** Default option values. */
export const FEED_CLIENT_DEFAULTS = {
  protocol: 'binary' as WireProtocol,
  reconnect: DEFAULT_BACKOFF,
  heartbeatTimeoutFactor: 3,
  pingIntervalMs: 5_000,
  connectTimeoutMs: 10_000,
  // Looked up at each call, so test fake timers (which replace Date.now) are honoured.
  now: (): number => Date.now(),
  random: (): number => Math.random(),
} as const;

function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`option "${name}" must be a positive finite number, got ${String(value)}`);
  }
  return value;
}

/** A positive delay a timer can honour. */
function delay(value: unknown, name: string): number {
  const ms = positive(value, name);
  if (ms > MAX_TIMER_DELAY_MS) throw new TypeError(`option "${name}" must be at most ${MAX_TIMER_DELAY_MS} ms, got ${ms}`);
  return ms;
}

function fn<T>(value: unknown, name: string): T {
  if (typeof value !== 'function') throw new TypeError(`option "${name}" must be a function`);
  return value as T;
}

/** Applies defaults and validates; throws a `TypeError` naming the first bad option. */
export function resolveFeedClientOptions(options: FeedClientOptions): ResolvedFeedClientOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const merged = { ...FEED_CLIENT_DEFAULTS, ...options };

  const urls = typeof merged.url === 'string' ? [merged.url] : merged.url;
  if (!Array.isArray(urls) || urls.length === 0) {
    throw new TypeError('option "url" must be a ws:// or wss:// URL or a non-empty array of them');
  }
  for (const url of urls) {
    // The transport's own check: a URL no WebSocket can open (ws://localhost:80800) is refused here
    // instead of failing every connection attempt while the client retries forever.
    if (typeof url !== 'string' || !isWebSocketUrl(url)) {
      throw new TypeError(
        `option "url" must hold ws:// or wss:// URLs a WebSocket can open (a host, a port up to 65535, no #), got ${JSON.stringify(url)}`,
      );
    }
  }

  if (merged.protocol !== 'binary' && merged.protocol !== 'json') {
    throw new TypeError(`option "protocol" must be 'binary' or 'json', got ${JSON.stringify(merged.protocol)}`);
  }

  const reconnect = { ...DEFAULT_BACKOFF, ...(options.reconnect ?? {}) };
  delay(reconnect.minDelayMs, 'reconnect.minDelayMs');
  delay(reconnect.maxDelayMs, 'reconnect.maxDelayMs');
  if (reconnect.maxDelayMs < reconnect.minDelayMs) {
    throw new TypeError(
      `option "reconnect.maxDelayMs" (${reconnect.maxDelayMs}) must be >= reconnect.minDelayMs (${reconnect.minDelayMs})`,
    );
  }

  const factor = positive(merged.heartbeatTimeoutFactor, 'heartbeatTimeoutFactor');
  if (factor < 1) throw new TypeError(`option "heartbeatTimeoutFactor" must be >= 1, got ${factor}`);

  const ping = merged.pingIntervalMs;
  if (typeof ping !== 'number' || !Number.isFinite(ping) || ping < 0 || ping > MAX_TIMER_DELAY_MS) {
    throw new TypeError(`option "pingIntervalMs" must be a finite number >= 0 (0 disables), got ${String(ping)}`);
  }

  const transport = merged.transport ?? globalWebSocketFactory();
  if (transport === undefined) {
    throw new TypeError(
      'option "transport" is required where globalThis.WebSocket is missing (Node 20: pass (u, p) => new WebSocket(u, p) from "ws")',
    );
  }

  return {
    urls: [...urls],
    protocol: merged.protocol,
    reconnect,
    heartbeatTimeoutFactor: factor,
    pingIntervalMs: ping,
    connectTimeoutMs: delay(merged.connectTimeoutMs, 'connectTimeoutMs'),
    transport: fn<WebSocketFactory>(transport, 'transport'),
    now: fn<() => number>(merged.now, 'now'),
    random: fn<() => number>(merged.random, 'random'),
  };
}
