import { CloseCode } from './constants';

/** Stable string codes of {@link ProtocolError}. Documented in docs/protocol.md §8. */
export type ProtocolErrorCode =
  | 'TW_ERR_EMPTY_MESSAGE'
  | 'TW_ERR_UNKNOWN_MESSAGE_TYPE'
  | 'TW_ERR_WRONG_DIRECTION'
  | 'TW_ERR_TRUNCATED'
  | 'TW_ERR_TRAILING_BYTES'
  | 'TW_ERR_VARINT_OVERFLOW'
  | 'TW_ERR_BAD_STRING'
  | 'TW_ERR_STRING_TOO_LONG'
  | 'TW_ERR_COUNT_OVERRUN'
  | 'TW_ERR_UNKNOWN_UPDATE_KIND'
  | 'TW_ERR_BAD_VALUE'
  | 'TW_ERR_BAD_JSON'
  | 'TW_ERR_WRONG_FRAME_TYPE'
  | 'TW_ERR_MESSAGE_TOO_BIG';

/**
 * The close code (RFC 6455 §7.4.1) that goes with each {@link ProtocolErrorCode}: 1002 for a message
 * type that breaks the protocol, 1003 for the wrong kind of frame, 1009 for an oversized client
 * message, 1007 for malformed content.
 */
export const PROTOCOL_ERROR_CLOSE_CODES: Readonly<Record<ProtocolErrorCode, CloseCode>> = {
  TW_ERR_EMPTY_MESSAGE: CloseCode.InvalidPayload,
  TW_ERR_UNKNOWN_MESSAGE_TYPE: CloseCode.ProtocolError,
  TW_ERR_WRONG_DIRECTION: CloseCode.ProtocolError,
  TW_ERR_TRUNCATED: CloseCode.InvalidPayload,
  TW_ERR_TRAILING_BYTES: CloseCode.InvalidPayload,
  TW_ERR_VARINT_OVERFLOW: CloseCode.InvalidPayload,
  TW_ERR_BAD_STRING: CloseCode.InvalidPayload,
  TW_ERR_STRING_TOO_LONG: CloseCode.InvalidPayload,
  TW_ERR_COUNT_OVERRUN: CloseCode.InvalidPayload,
  TW_ERR_UNKNOWN_UPDATE_KIND: CloseCode.InvalidPayload,
  TW_ERR_BAD_VALUE: CloseCode.InvalidPayload,
  TW_ERR_BAD_JSON: CloseCode.InvalidPayload,
  TW_ERR_WRONG_FRAME_TYPE: CloseCode.UnsupportedData,
  TW_ERR_MESSAGE_TOO_BIG: CloseCode.MessageTooBig,
};

/**
 * The only error a decoder throws. `code` is stable (tests and logs match on it); `closeCode` is
 * the WebSocket close code (RFC 6455 §7.4.1) the receiving end sends before dropping the peer.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly closeCode: number = CloseCode.InvalidPayload,
  ) {
    super(message);
  }
}

/** Builds a {@link ProtocolError} whose close code is the one {@link PROTOCOL_ERROR_CLOSE_CODES} assigns. */
export function protocolError(code: ProtocolErrorCode, message: string): ProtocolError {
  return new ProtocolError(code, message, PROTOCOL_ERROR_CLOSE_CODES[code]);
}
