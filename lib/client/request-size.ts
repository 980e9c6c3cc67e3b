/**
 * Keeping client requests under the gateway's message limit (`MAX_CLIENT_MESSAGE_BYTES`, 16 KiB;
 * docs/protocol.md 2.7): a larger message is closed 1009. A subscribe naming many instruments, or
 * the resume request of an "all" subscription (which lists the position of every instrument the
 * client tracks), outgrows it on a large feed: with 1000 instruments the resume is about 20 KB, so
 * every reconnect would be closed 1009 and retried forever. Requests are cut to fit instead.
 */

const utf8 = new TextEncoder();

/** Size on the wire of an encoded message (bytes; UTF-8 for JSON text). */
export function encodedByteLength(encoded: Uint8Array | string): number {
  return typeof encoded === 'string' ? utf8.encode(encoded).byteLength : encoded.byteLength;
}

/**
 * The largest `n` such that the message holding `items[0..n)` is at most `maxBytes`, by binary
 * search (O(log n) sizings). At least 1 for a non-empty list, so a caller always makes progress
 * (one item never outgrows the limit: strings are at most 1024 bytes).
 * @param bytesOf - encoded size (bytes) of the message holding `part`.
 */
export function longestFittingPrefix<T>(items: readonly T[], bytesOf: (part: readonly T[]) => number, maxBytes: number): number {
  if (bytesOf(items) <= maxBytes) return items.length;
  let fits = 1; // assumed (see above)
  let tooBig = items.length;
  while (tooBig - fits > 1) {
    const mid = (fits + tooBig) >>> 1;
    if (bytesOf(items.slice(0, mid)) <= maxBytes) fits = mid;
    else tooBig = mid;
  }
  return fits;
}

/** Cuts `items` into consecutive parts, each as long as fits in one message of at most `maxBytes`. */
export function splitToFit<T>(items: readonly T[], bytesOf: (part: readonly T[]) => number, maxBytes: number): T[][] {
  const parts: T[][] = [];
  let rest = items;
  do {
    const n = longestFittingPrefix(rest, bytesOf, maxBytes);
    parts.push(rest.slice(0, n));
    rest = rest.slice(n);
  } while (rest.length > 0);
  return parts;
}
