/**
 * Connection states of {@link FeedClient}, as string values so they read well in logs, stores and
 * `data-state` attributes. The client changes state in exactly one place and emits a
 * {@link StateChange} each time.
 *
 * ```
 * idle ──connect()──► connecting ──hello──► connected
 *                        │                     │ socket lost / heartbeat timeout
 *                        ▼                     ▼
 *                    reconnecting ◄────────────┘   (repeats with a fresh retryAt per failed attempt)
 *  any ──close() / 1000 / 1008 / protocol version mismatch──► closed
 * ```
 */
export const ClientState = {
  /** Created, `connect()` not called yet. Subscriptions made now are sent once connected. */
  Idle: 'idle',
  /** First connection attempt in progress (socket opening or waiting for `hello`). */
  Connecting: 'connecting',
  /** `hello` received and accepted; subscriptions are (re)sent; data flows. */
  Connected: 'connected',
  /** Lost a connection (or never got one): waiting out a backoff delay or attempting again. */
  Reconnecting: 'reconnecting',
  /** Stopped: `close()` was called or the server ended the session for good. `connect()` starts again. */
  Closed: 'closed',
} as const;
export type ClientState = (typeof ClientState)[keyof typeof ClientState];

/** Payload of the `state` event. */
export interface StateChange {
  readonly newState: ClientState;
  readonly oldState: ClientState;
  /** Why the state changed, for people ("heartbeat timeout", "server closed 1013: overloaded"). */
  readonly reason?: string;
  /** WebSocket close code (RFC 6455 §7.4.1) that caused the change, when a socket closed. */
  readonly closeCode?: number;
  /** Delay before the next connection attempt (ms); set when `newState` is `reconnecting`. */
  readonly retryInMs?: number;
  /** Wall-clock time of the next attempt (ms since the Unix epoch, from the client's `now()`): lets a UI count down. */
  readonly retryAt?: number;
}
