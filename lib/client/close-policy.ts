/**
 * What the client does when a socket closes, by WebSocket close code (RFC 6455 §7.4.1 and the
 * IANA registry). This table is the only place that decides it.
 */
import { CloseCode } from '../protocol/constants';

/** How a close is classified for people and for the `error` event. */
export type CloseKind =
  /** Deliberate, normal close: nothing went wrong. */
  | 'normal'
  /** The server refuses this client (origin, auth, limits): retrying would be refused again. */
  | 'policy'
  /** Network loss, restart, overload: expected in life, retry. */
  | 'transient'
  /** One side broke the protocol: retry with backoff, and report it as a protocol error. */
  | 'protocol';

/** The decision for one close code. */
export interface ClosePolicy {
  readonly reconnect: boolean;
  readonly kind: CloseKind;
  /** Short description for state-change reasons and logs. */
  readonly description: string;
}

/** Close code 1005: no status code was present (RFC 6455 §7.4.1). */
export const CLOSE_NO_STATUS = 1005;
/** Close code 1006: closed abnormally, without a close frame (connection lost, refused). */
export const CLOSE_ABNORMAL = 1006;
/** Close code 1015: TLS handshake failure. */
export const CLOSE_TLS_FAILURE = 1015;

/** The policy table. Codes not listed use {@link UNKNOWN_CLOSE_POLICY}. */
export const CLOSE_POLICIES: ReadonlyMap<number, ClosePolicy> = new Map<number, ClosePolicy>([
  [CloseCode.Normal, { reconnect: false, kind: 'normal', description: 'closed normally' }],
  [CloseCode.PolicyViolation, { reconnect: false, kind: 'policy', description: 'refused by server policy' }],
  [CloseCode.GoingAway, { reconnect: true, kind: 'transient', description: 'server going away' }],
  [CLOSE_NO_STATUS, { reconnect: true, kind: 'transient', description: 'closed without status' }],
  [CLOSE_ABNORMAL, { reconnect: true, kind: 'transient', description: 'connection lost' }],
  [CloseCode.InternalError, { reconnect: true, kind: 'transient', description: 'server internal error' }],
  [CloseCode.ServiceRestart, { reconnect: true, kind: 'transient', description: 'server restarting' }],
  [CloseCode.TryAgainLater, { reconnect: true, kind: 'transient', description: 'server overloaded, try again later' }],
  [CLOSE_TLS_FAILURE, { reconnect: true, kind: 'transient', description: 'TLS handshake failed' }],
  [CloseCode.ProtocolError, { reconnect: true, kind: 'protocol', description: 'protocol error' }],
  [CloseCode.UnsupportedData, { reconnect: true, kind: 'protocol', description: 'unsupported data' }],
  [CloseCode.InvalidPayload, { reconnect: true, kind: 'protocol', description: 'invalid payload' }],
  [CloseCode.MessageTooBig, { reconnect: true, kind: 'protocol', description: 'message too big' }],
]);

/** Policy for codes the table does not list (including 3000-4999 application codes): retry. */
export const UNKNOWN_CLOSE_POLICY: ClosePolicy = {
  reconnect: true,
  kind: 'transient',
  description: 'closed with an unrecognised code',
};

/** Looks up what to do after a close with `code`. */
export function closePolicy(code: number): ClosePolicy {
  return CLOSE_POLICIES.get(code) ?? UNKNOWN_CLOSE_POLICY;
}

/** "closed 1013 (server overloaded, try again later): <reason>", for state reasons and errors. */
export function describeClose(code: number, reason: string): string {
  const base = `closed ${code} (${closePolicy(code).description})`;
  return reason ? `${base}: ${reason}` : base;
}
