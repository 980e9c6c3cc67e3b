/**
 * Errors the feed client reports on its `error` event and rejects promises with. None of them is
 * ever thrown into the application from a socket callback.
 */
import { ErrorCode } from '../protocol/constants';
import { ProtocolError } from '../protocol/errors';
import type { CloseKind } from './close-policy';

/** The server answered a request with an `error` message (the connection stays open). */
export class ServerRequestError extends Error {
  override readonly name = 'ServerRequestError';
  constructor(
    /** Application error code from the server, e.g. {@link ErrorCode.UnknownInstrument}. */
    readonly code: ErrorCode,
    /** The server's human-readable explanation. */
    readonly serverMessage: string,
    /** Id of the request it answers; 0 when not tied to one. */
    readonly requestId: number,
    /** Symbols of the request, when it was a subscribe or unsubscribe. */
    readonly symbols: readonly string[] = [],
  ) {
    super(`${ErrorCode[code] ?? `error ${code}`}: ${serverMessage}`);
  }
}

/** The socket failed (could not connect, dropped) or delivered something unusable. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    /** Gateway URL of the socket. */
    readonly url: string,
  ) {
    super(message);
  }
}

/** The server closed the connection with a protocol-error or policy close code. */
export class RemoteCloseError extends Error {
  override readonly name = 'RemoteCloseError';
  constructor(
    /** WebSocket close code (RFC 6455 §7.4.1). */
    readonly closeCode: number,
    /** Close reason the server sent. */
    readonly reason: string,
    readonly kind: CloseKind,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server speaks another protocol version; the client stops (retrying cannot help). */
export class ProtocolVersionError extends Error {
  override readonly name = 'ProtocolVersionError';
  constructor(
    readonly serverVersion: number,
    readonly clientVersion: number,
    readonly url: string,
  ) {
    super(`server at ${url} speaks protocol version ${serverVersion}, this client speaks ${clientVersion}`);
  }
}

/** A request could not complete because the client was closed. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  constructor(message = 'feed client closed') {
    super(message);
  }
}

/** Everything the `error` event carries. */
export type FeedClientError = ProtocolError | ServerRequestError | TransportError | RemoteCloseError | ProtocolVersionError;

export { ProtocolError };
