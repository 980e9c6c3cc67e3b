/**
 * Close reasons that always fit a close frame, for both ends (the gateway's closes and the
 * client's). RFC 6455 §5.5 caps a control frame's payload at 125 bytes, 2 of which are the close
 * code, so the reason gets at most 123 bytes of UTF-8; `ws` throws a RangeError for anything
 * longer. Reasons often quote what the other side sent, so they are cut by bytes (fitUtf8).
 */
import { fitUtf8 } from '../text/fit-utf8';

/** Most UTF-8 bytes a close reason may hold (RFC 6455 §5.5: 125-byte control payload - 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** `reason` cut to at most `maxBytes` UTF-8 bytes (ending in "…" when cut): always a valid close reason. */
export function fitCloseReason(reason: string, maxBytes: number = MAX_CLOSE_REASON_BYTES): string {
  return fitUtf8(reason, maxBytes);
}
