/**
 * Text cut to a UTF-8 byte budget. Wire strings have byte limits (a close reason: 123 bytes,
 * RFC 6455 §5.5; a protocol string: `MAX_STRING_BYTES`), and a message that quotes what a client
 * sent (a symbol, a field name) must still fit, or encoding the answer fails. One rule for every
 * such limit: cut by UTF-8 bytes at a code point boundary, never by UTF-16 units.
 */

/** Marks text that was cut (3 bytes of UTF-8). */
const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;

const utf8 = new TextEncoder();

/** UTF-8 bytes of one code point (a lone surrogate counts as the 3 bytes of the U+FFFD it is sent as). */
function codePointBytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * `text` when it fits in `maxBytes` UTF-8 bytes; otherwise its longest prefix (whole code points)
 * that fits with "…" appended, the result at most `maxBytes` bytes. Below 3 bytes of budget there is
 * no room for the "…" and the prefix alone is returned.
 * @throws RangeError when `maxBytes` is not a non-negative integer.
 */
export function fitUtf8(text: string, maxBytes: number): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`fitUtf8: maxBytes must be a non-negative integer, got ${maxBytes}`);
  // Fast path: even at 3 bytes per UTF-16 unit it fits.
  if (text.length * 3 <= maxBytes || utf8.encode(text).byteLength <= maxBytes) return text;
  const mark = maxBytes >= ELLIPSIS_BYTES ? ELLIPSIS : '';
  const budget = maxBytes - (mark === '' ? 0 : ELLIPSIS_BYTES);
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = codePointBytes(char.codePointAt(0) as number);
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + mark;
}
