/**
 * Text cut to a UTF-8 byte budget. The wire has several: a close reason fits 123 bytes (RFC 6455
 * §5.5), every protocol string 1024 (`MAX_STRING_BYTES`). Texts that quote what a client sent (an
 * unknown symbol, a JSON field name) are cut by bytes at a code point boundary, never by UTF-16
 * units, so the result always encodes within the budget.
 */

const utf8 = new TextEncoder();

/** UTF-8 size of one code point (a lone surrogate counts as the 3 bytes of the U+FFFD it is sent as). */
function codePointBytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes at a code point boundary. */
export function fitUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8.encode(text).byteLength <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = codePointBytes(char.codePointAt(0) as number);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The mark {@link clipUtf8} puts where it cut (3 UTF-8 bytes). */
export const CLIP_MARK = '…';

/**
 * `text` as is when it fits `maxBytes` UTF-8 bytes, else cut to fit with {@link CLIP_MARK} at the
 * end, so a reader sees that it was cut.
 */
export function clipUtf8(text: string, maxBytes: number): string {
  const fitted = fitUtf8(text, maxBytes);
  if (fitted === text) return text;
  return fitUtf8(text, maxBytes - 3) + CLIP_MARK;
}
