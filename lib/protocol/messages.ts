/**
 * The Tickwire v2 message model. Binary frames (`tickwire.v2`) and JSON text frames
 * (`tickwire.v2.json`) carry exactly these objects; in JSON each object is written as is
 * (`JSON.stringify(message)`), so field names here are the JSON field names.
 * Byte layouts are specified in docs/protocol.md.
 */
import type { Bar, BarInterval, Instrument, MarketUpdate } from '../market/types';
import type { ErrorCode } from './constants';

/** First message on every connection. */
export interface HelloMessage {
  readonly type: 'hello';
  /** {@link PROTOCOL_VERSION} of the server. */
  readonly protocolVersion: number;
  /** Identifies the gateway process (for logs and failover). */
  readonly serverId: string;
  /** Changes whenever sequence numbers restart; resume positions only mean something within one epoch. */
  readonly epoch: number;
  /** The server sends `heartbeat` at least this often (ms); a client that hears nothing for ~3x should reconnect. */
  readonly heartbeatIntervalMs: number;
  /** Server clock, µs since the Unix epoch. */
  readonly serverTimeUs: number;
  /**
   * Features beyond the v2 core this server serves (see `CAPABILITIES`); a client asks for one
   * only when it is listed. Names it does not know are ignored. `["history"]` when the server
   * answers `history` requests, else empty.
   */
  readonly capabilities: readonly string[];
  /** Bar intervals (seconds) this server builds, ascending; `subscribe` may name these or 0. */
  readonly intervals: readonly number[];
}

/** An instrument table entry; `removed` entries tell the client to forget the id. */
export interface InstrumentEntry extends Instrument {
  readonly removed: boolean;
}

/** Upserts into the client's instrument table. Sent after hello and whenever the table changes. */
export interface InstrumentsMessage {
  readonly type: 'instruments';
  readonly instruments: readonly InstrumentEntry[];
}

/** Live updates. One WebSocket message = one batch. */
export interface BatchMessage {
  readonly type: 'batch';
  /**
   * True when the server conflated this batch for a slow consumer: quotes are latest-only and
   * trades were folded into bars, so sequence jumps are expected and are not gaps.
   */
  readonly conflated: boolean;
  readonly updates: readonly MarketUpdate[];
}

/** State of one instrument after a subscribe (fresh) or the missed updates (recovered). */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** Request id of the subscribe this answers. */
  readonly requestId: number;
  readonly instrumentId: number;
  /**
   * True when the client's resume position was still in history: `updates` are exactly the
   * updates after it, in order. False for a fresh snapshot (last quote, recent trades, bars).
   */
  readonly recovered: boolean;
  /**
   * True when the snapshot carries only bars of `interval`: the connection already holds another
   * pair of the instrument by name, so its trades, quote and session figures already flow and the
   * client keeps them (and its sequence position). False: the client replaces what it held.
   */
  readonly barsOnly: boolean;
  /** The instrument's latest sequence number as of this snapshot; live batches continue after it. */
  readonly seq: number;
  /** Bar interval the snapshot's bars (and later live bars) are in; 0 when none was asked. */
  readonly interval: BarInterval | 0;
  readonly updates: readonly MarketUpdate[];
}

/** A request succeeded. */
export interface AckMessage {
  readonly type: 'ack';
  readonly requestId: number;
}

/** A request failed; the connection stays open. `requestId` 0 means not tied to a request. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly requestId: number;
  readonly code: ErrorCode;
  /** Human-readable explanation, for people and logs. */
  readonly message: string;
}

/** Liveness with the server's clock; sent every `heartbeatIntervalMs` when nothing else was. */
export interface HeartbeatMessage {
  readonly type: 'heartbeat';
  readonly serverTimeUs: number;
}

/** Adapter / venue status, carried to the dashboard (see docs/adapters.md). */
export interface StatusMessage {
  readonly type: 'status';
  readonly venues: readonly VenueStatus[];
}

/**
 * State of one venue's feed, as this client's gateway sees it: the adapter's state
 * (`connecting`, `live`, `stale`, `down`), or `upstream_lost` when the gateway serving this client
 * lost its connection to the message broker (NATS): the venue itself may be fine, and its data
 * resumes when the gateway reconnects (gap-free, or with a fresh snapshot).
 */
export interface VenueStatus {
  readonly venue: string;
  readonly state: 'connecting' | 'live' | 'stale' | 'down' | 'upstream_lost';
  /** Why the venue is stale, down or its upstream lost; empty (or a non-fatal venue problem) otherwise. */
  readonly reason: string;
}

/** Subscribe to instruments (by symbol) or to all, with a bar interval and optional resume. */
export interface SubscribeMessage {
  readonly type: 'subscribe';
  readonly requestId: number;
  /** Subscribe to every instrument, including ones added later; `symbols` is then ignored. */
  readonly all: boolean;
  /**
   * Bar interval (seconds) of the (instrument, interval) pairs this request adds, or 0 for ticks
   * without bars. Any whole number 0 .. 2^31-1 decodes; one the server does not build (not in
   * `hello.intervals`) is answered with `error BadInterval`.
   */
  readonly interval: number;
  /** Epoch of the resume positions, or 0 when not resuming. */
  readonly resumeEpoch: number;
  readonly symbols: readonly SubscribeEntry[];
}

/** One instrument in a subscribe. */
export interface SubscribeEntry {
  readonly symbol: string;
  /** Last sequence number the client saw for it in `resumeEpoch`; 0 when none. */
  readonly lastSeq: number;
}

/** Drop (instrument, interval) pairs, or the `all` subscription of one interval. */
export interface UnsubscribeMessage {
  readonly type: 'unsubscribe';
  readonly requestId: number;
  /** Drop the `all` subscription of `interval` (explicit pairs stay); `symbols` is then ignored. */
  readonly all: boolean;
  /** Bar interval (seconds, 0 = no bars) of the pairs to drop. */
  readonly interval: number;
  readonly symbols: readonly string[];
}

/**
 * Ask for a page of finished (and, for the newest page, forming) bars of one instrument and interval,
 * ending before `endTimeUs` (capability `history`, docs/protocol.md §2.12). Answered by
 * `historyPage` or `error`.
 */
export interface HistoryRequestMessage {
  readonly type: 'history';
  readonly requestId: number;
  /** Instrument by name, as `subscribe` takes it (full name or an unambiguous bare symbol). */
  readonly symbol: string;
  /** Bar interval (seconds); the server answers `error BadInterval` unless `hello.intervals` lists it. Decodes 0 .. 2^31-1. */
  readonly interval: number;
  /** Bars that open before this time (µs since the Unix epoch); 0 = now: the newest bars, the forming one included. */
  readonly endTimeUs: number;
  /** Most bars wanted: 1 .. `MAX_HISTORY_PAGE_BARS` (1000), else `error BadRequest`. Any safe integer decodes. */
  readonly count: number;
}

/** The answer to `history`: up to `count` bars, the newest that open before `endTimeUs`. */
export interface HistoryPageMessage {
  readonly type: 'historyPage';
  /** Request id of the `history` this answers. */
  readonly requestId: number;
  readonly instrumentId: number;
  /** Bar interval of every bar of the page (seconds). */
  readonly interval: BarInterval;
  /**
   * Bars of `instrumentId` and `interval`, ascending by `openTimeUs` (strictly). A bar's `seq` is
   * the sequence number of the last trade folded into it, or 0 for bars that came from elsewhere
   * (backfilled); history bars never move the client's sequence position.
   */
  readonly bars: readonly Bar[];
  /** True when older bars exist: ask again with `endTimeUs` = the first bar's `openTimeUs`. */
  readonly more: boolean;
}

/** Round-trip probe; either side may send one and the other answers with `pong`. */
export interface PingMessage {
  readonly type: 'ping';
  readonly nonce: number;
  /** Sender's clock when sent, µs since the Unix epoch. */
  readonly sentTimeUs: number;
}

/** Answer to `ping`, echoing its fields. */
export interface PongMessage {
  readonly type: 'pong';
  readonly nonce: number;
  readonly sentTimeUs: number;
}

export type ServerMessage =
  | HelloMessage
  | InstrumentsMessage
  | BatchMessage
  | SnapshotMessage
  | AckMessage
  | ErrorMessage
  | HeartbeatMessage
  | StatusMessage
  | HistoryPageMessage
  | PingMessage
  | PongMessage;

export type ClientMessage = SubscribeMessage | UnsubscribeMessage | HistoryRequestMessage | PingMessage | PongMessage;

export type AnyMessage = ServerMessage | ClientMessage;
