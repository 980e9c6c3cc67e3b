/**
 * The framework-free Tickwire feed client (browser and Node). The `tail` CLI built on it is
 * Node-only and lives with the other CLIs (server/cli/tail.ts).
 */
export { FeedClient, STABLE_CONNECTION_MS, CLOSE_HEARTBEAT_TIMEOUT, CLOSE_CLIENT_PROTOCOL_ERROR } from './feed-client';
export type { InstrumentLookup } from './feed-client';
export { ClientState } from './states';
export type { StateChange } from './states';
export type {
  FeedClientEvents,
  FeedClientEventName,
  HelloEvent,
  InstrumentsEvent,
  SnapshotEvent,
  BatchEvent,
  GapEvent,
  EpochEvent,
} from './events';
export { FEED_CLIENT_DEFAULTS, resolveFeedClientOptions } from './options';
export type { FeedClientOptions, ResolvedFeedClientOptions, WireProtocol } from './options';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF } from '../net/backoff';
export type { BackoffOptions } from '../net/backoff';
export { closePolicy, describeClose, CLOSE_POLICIES, UNKNOWN_CLOSE_POLICY } from './close-policy';
export type { ClosePolicy, CloseKind } from './close-policy';
export { SequenceTracker, SeqVerdict } from './sequence-tracker';
export { RateWindow, StatsCollector, DEFAULT_RATE_WINDOW_MS } from './stats';
export type { FeedClientStats } from './stats';
export { InstrumentTable, formatPrice, formatSize } from './instrument-table';
export { SubscriptionBook } from './subscription-book';
export type { IntervalOrNone, SubscriptionGroup } from './subscription-book';
export { ServerRequestError, TransportError, RemoteCloseError, ProtocolVersionError, ClientClosedError, ProtocolError } from './errors';
export type { FeedClientError } from './errors';
export { globalWebSocketFactory, messageData, WS_OPEN } from './transport';
export type { WebSocketFactory, WebSocketLike } from './transport';
export { RESYNC_MIN_SPACING_MS } from './request-router';
export { DEFAULT_HISTORY_COUNT, HISTORY_BURST, HISTORY_RATE_PER_SEC } from './history-requests';
export type { HistoryPage } from './history-requests';
