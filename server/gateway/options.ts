/**
 * Gateway options and their defaults. Every limit that shapes what a client sees is here, named
 * and documented; docs/protocol.md describes the behaviour they tune.
 */
import { canonicalOrigin } from './handshake';

export interface GatewayOptions {
  /** Live batches are flushed this often (ms). Lower = less latency, more sends. @defaultValue 25 */
  readonly flushIntervalMs: number;
  /** A `heartbeat` goes to a client that has been sent nothing for this long (ms). @defaultValue 5000 */
  readonly heartbeatIntervalMs: number;
  /** WebSocket-level ping (RFC 6455 §5.5.2) interval, each connection pinged once per interval in its own slot of it; a peer that misses one pong is dropped (ms). @defaultValue 15000 */
  readonly wsPingIntervalMs: number;
  /** Above this many buffered bytes a client gets conflated batches. @defaultValue 262144 (256 KiB) */
  readonly softBufferLimitBytes: number;
  /** Above this many buffered bytes for `hardLimitGraceMs` a client is closed 1013. @defaultValue 4194304 (4 MiB) */
  readonly hardBufferLimitBytes: number;
  /** How long a client may stay past the hard limit (ms). @defaultValue 2000 */
  readonly hardLimitGraceMs: number;
  /**
   * How long a client may stay conflated without draining below the soft limit before it is closed
   * 1013: it is not reading at all (ms). @defaultValue 10000
   */
  readonly maxConflatedMs: number;
  /** After closing a slow consumer, how long its buffered bytes are kept for it to drain to the close frame (ms). @defaultValue 5000 */
  readonly slowCloseTimeoutMs: number;
  /** Largest client message accepted; larger closes 1009 (bytes). @defaultValue 16384 */
  readonly maxClientMessageBytes: number;
  /**
   * Subscriptions one connection may hold, counted as (instrument, bar interval) pairs: each
   * `all` interval counts as one. @defaultValue 1000
   */
  readonly maxSubscriptionsPerConnection: number;
  /** Subscribe/unsubscribe/history requests allowed in a burst; the bucket refills at `requestRatePerSec`. @defaultValue 20 */
  readonly requestBurst: number;
  /** Sustained subscribe/unsubscribe/history requests per second; beyond the burst a client is closed 1008. @defaultValue 10 */
  readonly requestRatePerSec: number;
  /**
   * Longest wait for the history source to answer one `history` request (ms); past it the client
   * gets `error HistoryUnavailable` and its later requests go on. @defaultValue 10000
   */
  readonly historyTimeoutMs: number;
  /** Trades in a fresh snapshot. @defaultValue 100 */
  readonly snapshotTrades: number;
  /** Bars in a fresh snapshot. @defaultValue 300 */
  readonly snapshotBars: number;
  /**
   * Origins a browser may connect from. Entries are origins ("https://example.com") or "*" for
   * any; each is brought to the form browsers send (`https://Example.com:443/` becomes
   * `https://example.com`), and one that is no origin (`example.com`, a path) is a TypeError.
   * A request without an Origin header (not a browser) is always allowed.
   * @defaultValue ['http://localhost:3000'] plus any http(s) origin on localhost / 127.0.0.1 / [::1]
   */
  readonly allowedOrigins: readonly string[];
  /** Allow any origin whose host is localhost, 127.0.0.1 or [::1]. @defaultValue true */
  readonly allowLocalhostOrigins: boolean;
  /** Identifies this gateway in `hello`. @defaultValue "gw-" + pid */
  readonly serverId: string;
}

export const GATEWAY_DEFAULTS: GatewayOptions = {
  flushIntervalMs: 25,
  heartbeatIntervalMs: 5000,
  wsPingIntervalMs: 15_000,
  softBufferLimitBytes: 256 * 1024,
  hardBufferLimitBytes: 4 * 1024 * 1024,
  hardLimitGraceMs: 2000,
  maxConflatedMs: 10_000,
  slowCloseTimeoutMs: 5000,
  maxClientMessageBytes: 16 * 1024,
  maxSubscriptionsPerConnection: 1000,
  requestBurst: 20,
  requestRatePerSec: 10,
  historyTimeoutMs: 10_000,
  snapshotTrades: 100,
  snapshotBars: 300,
  allowedOrigins: ['http://localhost:3000'],
  allowLocalhostOrigins: true,
  serverId: `gw-${typeof process === 'undefined' ? 0 : process.pid}`,
};

const POSITIVE_NUMBER_KEYS = [
  'flushIntervalMs',
  'heartbeatIntervalMs',
  'wsPingIntervalMs',
  'softBufferLimitBytes',
  'hardBufferLimitBytes',
  'hardLimitGraceMs',
  'maxConflatedMs',
  'slowCloseTimeoutMs',
  'maxClientMessageBytes',
  'maxSubscriptionsPerConnection',
  'requestBurst',
  'requestRatePerSec',
  'historyTimeoutMs',
] as const;

/**
 * Longest delay a Node.js timer takes (ms): 2^31 - 1, about 24.8 days. A longer one is not
 * refused: Node warns and fires it after 1 ms, so a flush interval meant to be long would flush
 * a thousand times a second instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options that set a timer's delay (setInterval / setTimeout). */
const TIMER_KEYS = ['flushIntervalMs', 'wsPingIntervalMs', 'slowCloseTimeoutMs', 'historyTimeoutMs'] as const;

const NON_NEGATIVE_INTEGER_KEYS = ['snapshotTrades', 'snapshotBars'] as const;

/** Merges `options` over the defaults and validates eagerly, naming the bad option. */
export function resolveGatewayOptions(options: Partial<GatewayOptions> = {}): GatewayOptions {
  const resolved: GatewayOptions = { ...GATEWAY_DEFAULTS, ...options };
  for (const key of POSITIVE_NUMBER_KEYS) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`gateway option "${key}" must be a positive number, got ${String(value)}`);
    }
  }
  for (const key of TIMER_KEYS) {
    if (resolved[key] > MAX_TIMER_MS) {
      throw new TypeError(`gateway option "${key}" must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${resolved[key]}`);
    }
  }
  for (const key of NON_NEGATIVE_INTEGER_KEYS) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new TypeError(`gateway option "${key}" must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (resolved.hardBufferLimitBytes < resolved.softBufferLimitBytes) {
    throw new TypeError('gateway option "hardBufferLimitBytes" must be >= "softBufferLimitBytes"');
  }
  if (!Array.isArray(resolved.allowedOrigins) || resolved.allowedOrigins.some((o) => typeof o !== 'string')) {
    throw new TypeError('gateway option "allowedOrigins" must be an array of origin strings');
  }
  const allowedOrigins = resolved.allowedOrigins.map((entry) => {
    const origin = canonicalOrigin(entry);
    if (origin === undefined) {
      throw new TypeError(
        `gateway option "allowedOrigins": ${JSON.stringify(entry)} is not an origin; write scheme://host[:port] with no path ` +
          '(e.g. https://example.com), or "*" for any origin',
      );
    }
    return origin;
  });
  if (typeof resolved.serverId !== 'string' || resolved.serverId === '') {
    throw new TypeError('gateway option "serverId" must be a non-empty string');
  }
  return { ...resolved, allowedOrigins };
}
