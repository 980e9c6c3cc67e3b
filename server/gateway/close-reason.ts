/**
 * Close reasons that always fit a close frame. RFC 6455 §5.5 caps a control frame's payload at 125
 * bytes, 2 of which are the close code, so the reason gets at most {@link MAX_CLOSE_REASON_BYTES}
 * bytes of UTF-8; `ws` throws a RangeError for anything longer. Reasons often quote what a client
 * sent (an unknown JSON field name, a message type), so they are cut by bytes (lib/text/fit-utf8.ts).
 */
import { MAX_CLOSE_REASON_BYTES } from '../../lib/protocol/constants';
import { fitUtf8 } from '../../lib/text/fit-utf8';

export { MAX_CLOSE_REASON_BYTES };

/** `reason` cut to at most `maxBytes` UTF-8 bytes at a code point boundary: always a valid close reason. */
export function fitCloseReason(reason: string, maxBytes: number = MAX_CLOSE_REASON_BYTES): string {
  return fitUtf8(reason, maxBytes);
}
