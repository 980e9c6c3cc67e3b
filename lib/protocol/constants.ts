/**
 * Wire-protocol constants for Tickwire v2. The spec is docs/protocol.md; every value here is
 * described there.
 */

/** Subprotocol name for binary frames (Sec-WebSocket-Protocol, RFC 6455 §1.9). */
export const SUBPROTOCOL_BINARY = 'tickwire.v2';
/** Subprotocol name for the same messages as JSON text frames (for debugging with any tool). */
export const SUBPROTOCOL_JSON = 'tickwire.v2.json';
/**
 * Every subprotocol the server speaks, in the server's order of preference: it picks the first of
 * these that the client offers, whatever the order of the client's offers (RFC 6455 §4.2.2 leaves
 * the choice to the server).
 */
export const SUPPORTED_SUBPROTOCOLS = [SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON] as const;
/** Protocol version carried in `hello`. */
export const PROTOCOL_VERSION = 2;

/**
 * First byte of every binary message: its type. The space is split by direction: 0x01-0x1f server
 * to client, 0x20-0x2f client to server, 0x30-0x3f either way. Numbers not listed are reserved;
 * {@link RESERVED_MESSAGE_TYPES} names those already promised to coming features.
 */
export enum MessageType {
  // server -> client
  Hello = 0x01,
  Instruments = 0x02,
  Batch = 0x03,
  Snapshot = 0x04,
  Ack = 0x05,
  Error = 0x06,
  Heartbeat = 0x07,
  /** Adapter / venue status. */
  Status = 0x08,
  /** A page of history bars, answering `history` (capability `history`). */
  HistoryPage = 0x09,
  // client -> server
  Subscribe = 0x20,
  Unsubscribe = 0x21,
  /** Ask for a page of history bars (capability `history`). */
  History = 0x22,
  // both directions
  Ping = 0x30,
  Pong = 0x31,
}

/**
 * Type numbers promised to features a later revision of v2 adds. Each will be sent only to a client
 * that asked for it with a request of a capability the server names in `hello`, and a v2 client
 * ignores a server message of a type it does not know, so adding one never breaks an older client.
 */
export const RESERVED_MESSAGE_TYPES = {
  /** server -> client: an order book snapshot (capability `depth`). */
  BookSnapshot: 0x0a,
  /** server -> client: the outcome of an authentication request (capability `auth`). */
  AuthResult: 0x0b,
  /** client -> server: subscribe to order book depth (capability `depth`). */
  BookSubscribe: 0x23,
  /** client -> server: present or refresh a token (capability `auth`). */
  Authenticate: 0x24,
} as const;

/** Update kind numbers promised to coming features (capability `depth`); see {@link RESERVED_MESSAGE_TYPES}. */
export const RESERVED_UPDATE_KINDS = {
  /** A change of one order book level. */
  BookLevel: 5,
  /** A whole order book. */
  BookSnapshot: 6,
} as const;

/**
 * Names a server may list in `hello.capabilities`: features beyond the v2 core that it serves.
 * A client asks for such a feature only when its name is listed. The gateway lists `history` when
 * it was given a source of history pages; `depth` and `auth` are promised, not served yet.
 */
export const CAPABILITIES = ['history', 'depth', 'auth'] as const;

/** Update kinds inside a batch or snapshot (one byte each on the wire). */
export enum UpdateKind {
  Trade = 1,
  Quote = 2,
  Bar = 3,
  /** Session statistics (open, high, low, last, volume, trade count): snapshots and conflated batches. */
  Session = 4,
}

/**
 * WebSocket close codes used by Tickwire, as RFC 6455 §7.4.1 defines them.
 */
export const CloseCode = {
  /** Deliberate, normal close. Clients do not reconnect. */
  Normal: 1000,
  /** Server shutting down or client navigating away. Clients reconnect. */
  GoingAway: 1001,
  /** Protocol error: a frame or message that breaks the protocol (e.g. unknown message type). */
  ProtocolError: 1002,
  /** Unsupported data: a frame of a type this subprotocol does not accept (text on binary). */
  UnsupportedData: 1003,
  /** Invalid payload: a message whose contents are malformed for its type. */
  InvalidPayload: 1007,
  /** Policy violation: bad Origin, subscribe rate or subscription limits exceeded. Terminal. */
  PolicyViolation: 1008,
  /** Message too big for the server's limit on client messages. */
  MessageTooBig: 1009,
  /** Internal server error. Clients reconnect. */
  InternalError: 1011,
  /** Service restart: a gateway's upstream changed epoch or was resynchronised. Clients reconnect and resume. */
  ServiceRestart: 1012,
  /** Try again later: overload or slow consumer. Clients reconnect with backoff. */
  TryAgainLater: 1013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Application error codes carried in `error` messages (request-level, connection stays open). */
export enum ErrorCode {
  /** A request the server could not make sense of (wrong fields for its type). */
  BadRequest = 1,
  /** Subscribe or unsubscribe named an instrument the server does not know. */
  UnknownInstrument = 2,
  /** Subscribe asked for a bar interval the server does not build. */
  BadInterval = 3,
  /** Too many instruments in subscriptions on this connection. */
  TooManySubscriptions = 4,
  /** Internal error while serving the request. */
  Internal = 5,
  /**
   * A `history` request the server cannot answer now: it serves no history (no `history` in
   * `hello.capabilities`), or its history source failed or timed out (the message says which).
   */
  HistoryUnavailable = 9,
}

/**
 * Error code numbers promised to coming features (request-rate refusals, authentication).
 * Like {@link RESERVED_MESSAGE_TYPES}, they answer only requests of a capability named in `hello`.
 */
export const RESERVED_ERROR_CODES = { RateLimited: 6, Unauthorized: 7, Forbidden: 8 } as const;

/** Flags byte of `batch`. */
export const BATCH_FLAG_CONFLATED = 0x01;
/** Flags byte of `snapshot`. */
export const SNAPSHOT_FLAG_RECOVERED = 0x01;
/** Flags byte of `snapshot`: the snapshot carries only its interval's bars (the instrument's ticks already flow on another pair). */
export const SNAPSHOT_FLAG_BARS_ONLY = 0x02;
/** Flags byte of `subscribe` / `unsubscribe`. */
export const SUBSCRIBE_FLAG_ALL = 0x01;
/** Flags byte of `historyPage`: older bars exist before the page's first bar. */
export const HISTORY_PAGE_FLAG_MORE = 0x01;
/**
 * Most bars one `history` request may ask for and one `historyPage` may carry. The gateway answers a
 * `count` of 0 or above this with `error BadRequest`; decoders reject a page holding more.
 */
export const MAX_HISTORY_PAGE_BARS = 1000;
/** Flags byte of `instruments` entries. */
export const INSTRUMENT_FLAG_REMOVED = 0x01;
/** Trade flags: bits 0-1 side, bit 2 = trade id is a string. */
export const TRADE_FLAG_SIDE_MASK = 0x03;
export const TRADE_FLAG_STRING_ID = 0x04;

/**
 * Largest bar interval a request may carry (seconds): requests name any whole number of seconds up
 * to this, and the server answers `error BadInterval` for one it does not build (`hello.intervals`).
 */
export const MAX_REQUEST_INTERVAL_S = 2 ** 31 - 1;

/** Most UTF-8 bytes a close reason may hold (RFC 6455 §5.5: a 125-byte control payload less the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Longest string (UTF-8 bytes) the decoder accepts anywhere: symbols, messages, ids. */
export const MAX_STRING_BYTES = 1024;
/** Largest client -> server message the gateway accepts (bytes); larger closes 1009. */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/** Longest varint (bytes) a decoder accepts: 8 x 7 bits covers every safe integer (2^53-1), zigzag included. */
export const MAX_VARINT_BYTES = 8;
/**
 * Fewest bytes any update can take (a trade or quote with every varint one byte long). Decoders
 * check `count * MIN_UPDATE_BYTES <= bytes left` before allocating a batch or snapshot.
 */
export const MIN_UPDATE_BYTES = 9;
/**
 * `VenueStatus.state` values; the index is the wire value (status entries carry it as one byte).
 * The first four are a venue's own (its adapter reports them); `upstream_lost` is the gateway's:
 * it lost the message broker it reads the venue from, so the venue itself may be fine
 * (docs/protocol.md §3.4).
 */
export const VENUE_STATES = ['connecting', 'live', 'stale', 'down', 'upstream_lost'] as const;
