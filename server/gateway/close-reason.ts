/**
 * Close reasons that always fit a close frame. RFC 6455 §5.5 caps a control frame's payload at 125
 * bytes, 2 of which are the close code, so the reason gets at most 123 bytes of UTF-8; `ws` throws a
 * RangeError for anything longer. Reasons often quote what a client sent (an unknown JSON field
 * name, a message type), so they are cut by bytes, never by UTF-16 units.
 */

/** Most UTF-8 bytes a close reason may hold (RFC 6455 §5.5: 125-byte control payload - 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

const utf8 = new TextEncoder();

/**
 * `reason` cut to at most `maxBytes` UTF-8 bytes at a code point boundary (a lone surrogate counts
 * as the 3 bytes of the U+FFFD it is sent as), so the result is always a valid close reason.
 */
export function fitCloseReason(reason: string, maxBytes: number = MAX_CLOSE_REASON_BYTES): string {
  if (reason.length * 3 <= maxBytes || utf8.encode(reason).byteLength <= maxBytes) return reason;
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const cp = char.codePointAt(0) as number;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return reason.slice(0, end);
}
