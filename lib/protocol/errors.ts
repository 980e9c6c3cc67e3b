import { CloseCode } from './constants';

/** Stable string codes of {@link ProtocolError}. Documented in docs/protocol.md. */
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
  | 'TW_ERR_WRONG_FRAME_TYPE';

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
