/**
 * A reusable, growable byte writer for the binary codec: varints with a one-byte fast path, strings
 * with an ASCII fast path, no DataView. Callers reserve room with {@link Writer.ensure} before a run
 * of fixed-size writes (the primitive writes themselves do not bounds-check, for speed).
 */
import { MAX_STRING_BYTES } from './constants';
import { isWellFormedUtf16 } from './validation';

/** Default starting capacity of a writer (bytes): a batch of a few hundred updates fits without growing. */
export const WRITER_INITIAL_BYTES = 16 * 1024;
/** A writer that grew past this (bytes) drops its buffer on reset, so one huge message does not pin memory. */
export const WRITER_MAX_RETAINED_BYTES = 1024 * 1024;
/**
 * {@link Writer.reset} starts a fresh buffer when less than this share of the starting capacity is left
 * after the results handed out by {@link Writer.take} (1/8: 8 KiB of 64 KiB), rather than growing mid-message.
 */
const MIN_ROOM_SHARE = 8;
/** Most bytes a string field can take: a 2-byte length prefix (1024 < 2^14) plus 3 bytes per UTF-16 unit. */
const MAX_STRING_FIELD_BYTES = 2 + 3 * MAX_STRING_BYTES;

const TWO_POW_32 = 0x1_0000_0000;
/** Signed values in (-2^30, 2^30) zigzag to below 2^31, so 32-bit operations are exact for them. */
const SMALL_SIGNED_LIMIT = 0x4000_0000;

const utf8Encoder = new TextEncoder();

/**
 * Growable byte buffer with the codec's primitive writes; one instance is reused for every message.
 * Results are either copied out ({@link finish}) or handed out in place ({@link take}): then the
 * buffer serves as a slab, each message written after the previous one's bytes, which are never
 * written again.
 */
export class Writer {
  /** Backing store; bytes start..pos are the current message. Replaced (never resized in place) when it grows. */
  buf: Uint8Array;
  /** Next write offset (bytes). */
  pos = 0;
  /** Offset of the current message in {@link buf} (bytes). */
  start = 0;
  /** Bytes of {@link buf} below this offset belong to results handed out by {@link take}. */
  private committed = 0;
  /** Capacity a fresh buffer gets (bytes). */
  private readonly initialBytes: number;

  constructor(initialBytes: number = WRITER_INITIAL_BYTES) {
    this.initialBytes = initialBytes;
    this.buf = new Uint8Array(initialBytes);
  }

  /**
   * Starts a new message after the bytes already handed out by {@link take}: in a fresh buffer when
   * little room is left (or the buffer grew past {@link WRITER_MAX_RETAINED_BYTES}), so a message
   * rarely has to move while it is written.
   */
  reset(): void {
    const size = this.buf.length;
    if (size > WRITER_MAX_RETAINED_BYTES || (this.committed > 0 && size - this.committed < this.initialBytes / MIN_ROOM_SHARE)) {
      this.buf = new Uint8Array(this.initialBytes);
      this.committed = 0;
    }
    this.start = this.pos = this.committed;
  }

  /** Guarantees room for `bytes` more bytes. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
  }

  /** Moves the current message to the start of a larger buffer; the old one keeps what {@link take} handed out. */
  private grow(bytes: number): void {
    const length = this.pos - this.start;
    const needed = length + bytes;
    let capacity = Math.max(this.buf.length * 2, 64);
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.start = 0;
    this.pos = length;
    this.committed = 0;
  }

  /** A copy of the bytes written since {@link reset}, in its own ArrayBuffer. */
  finish(): Uint8Array {
    return this.buf.slice(this.start, this.pos);
  }

  /**
   * The bytes written since {@link reset}, without a copy: a view into this writer's buffer, which
   * the writer never writes again (later messages go after it, or into a new buffer). Views never
   * overlap, so each stays valid and unaliased for as long as it is held; a buffer is freed with the
   * last view into it. Saves an ArrayBuffer allocation and a copy per message (~8% of encoding a
   * 200-update batch).
   */
  take(): Uint8Array {
    const end = this.pos;
    this.committed = end;
    return this.buf.subarray(this.start, end);
  }

  /** One byte (caller reserved room; `value` is 0..255). */
  u8(value: number): void {
    this.buf[this.pos++] = value;
  }

  /** Unsigned LEB128 of a non-negative safe integer the caller validated (at most 8 bytes). */
  uvarint(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let v = value;
    if (v < 0x80) {
      buf[pos] = v;
      this.pos = pos + 1;
      return;
    }
    if (v < TWO_POW_32) {
      while (v >= 0x80) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        buf[pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    buf[pos] = v;
    this.pos = pos + 1;
  }

  /**
   * Zigzag + LEB128 of a safe integer the caller validated. The zigzag value of a large magnitude
   * exceeds 2^53 (and is odd for negatives, so not representable), hence the split for big values:
   * the first byte carries the sign bit and 6 magnitude bits, the rest is the magnitude / 64.
   */
  svarint(value: number): void {
    if (value > -SMALL_SIGNED_LIMIT && value < SMALL_SIGNED_LIMIT) {
      this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
      return;
    }
    const negative = value < 0;
    const magnitude = negative ? -value - 1 : value;
    const rest = Math.floor(magnitude / 64);
    const first = (magnitude % 64) * 2 + (negative ? 1 : 0);
    // |value| >= 2^30 here, so `rest` > 0 and a continuation byte always follows.
    this.buf[this.pos++] = first | 0x80;
    this.uvarint(rest);
  }

  /**
   * Writes `values[0..count)` as consecutive varints: value `i` zigzag-encoded (signed) when bit `i`
   * of `signedMask` is set, else unsigned. Values must be validated safe integers. One call per
   * update keeps the byte loop in one function (a dozen separate varint calls exceed what the JIT
   * will inline). The caller reserved `count * 8` bytes.
   */
  varints(values: Float64Array, count: number, signedMask: number): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < count; i++) {
      let v = values[i] as number;
      if (((signedMask >>> i) & 1) === 1) {
        if (v <= -SMALL_SIGNED_LIMIT || v >= SMALL_SIGNED_LIMIT) {
          pos = writeLargeSvarint(this, pos, v);
          continue;
        }
        v = ((v << 1) ^ (v >> 31)) >>> 0;
      } else if (v < TWO_POW_32) {
        // As uint32 from here on, as the zigzag branch yields, so the byte cases below run on
        // integer registers rather than doubles.
        v >>>= 0;
      } else {
        pos = writeLargeUvarint(this, pos, v);
        continue;
      }
      // Unrolled 1-5 byte cases (below 2^32: ids, seq, sizes, deltas, most trade ids), each byte
      // written once; a Uint8Array store keeps the low 8 bits. Kept compact so the JIT inlines it.
      if (v < 0x80) {
        buf[pos++] = v;
        continue;
      }
      buf[pos] = v | 0x80;
      if (v < 0x4000) {
        buf[pos + 1] = v >>> 7;
        pos += 2;
        continue;
      }
      buf[pos + 1] = (v >>> 7) | 0x80;
      if (v < 0x20_0000) {
        buf[pos + 2] = v >>> 14;
        pos += 3;
        continue;
      }
      buf[pos + 2] = (v >>> 14) | 0x80;
      if (v < 0x1000_0000) {
        buf[pos + 3] = v >>> 21;
        pos += 4;
        continue;
      }
      buf[pos + 3] = (v >>> 21) | 0x80;
      buf[pos + 4] = v >>> 28;
      pos += 5;
    }
    this.pos = pos;
  }

  /**
   * Writes `values[0..count)` as consecutive unsigned varints (signed fields arrive zigzag-encoded):
   * the fast path of {@link varints} for runs where every value is below 2^32, with no range cases or
   * calls in the loop. The caller reserved `count * 5` bytes.
   */
  uint32s(values: Uint32Array, count: number): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < count; i++) {
      const v = values[i] as number;
      if (v < 0x80) {
        buf[pos++] = v;
        continue;
      }
      buf[pos] = v | 0x80;
      if (v < 0x4000) {
        buf[pos + 1] = v >>> 7;
        pos += 2;
        continue;
      }
      buf[pos + 1] = (v >>> 7) | 0x80;
      if (v < 0x20_0000) {
        buf[pos + 2] = v >>> 14;
        pos += 3;
        continue;
      }
      buf[pos + 2] = (v >>> 14) | 0x80;
      if (v < 0x1000_0000) {
        buf[pos + 3] = v >>> 21;
        pos += 4;
        continue;
      }
      buf[pos + 3] = (v >>> 21) | 0x80;
      buf[pos + 4] = v >>> 28;
      pos += 5;
    }
    this.pos = pos;
  }

  /**
   * A string field: uvarint UTF-8 length + bytes. Throws RangeError naming `field` when it exceeds
   * {@link MAX_STRING_BYTES}, TypeError when it holds a lone surrogate (not representable in UTF-8).
   */
  string(value: string, field: string): void {
    const length = value.length;
    if (length > MAX_STRING_BYTES) throw stringTooLong(field, length);
    this.ensure(MAX_STRING_FIELD_BYTES);
    const buf = this.buf;
    const start = this.pos + (length < 0x80 ? 1 : 2);
    let i = 0;
    for (; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === length) {
      this.uvarint(length);
      this.pos = start + length;
      return;
    }
    if (!isWellFormedUtf16(value)) {
      throw new TypeError(`${field} must be well-formed Unicode (it holds a lone surrogate)`);
    }
    const bytes = utf8Encoder.encode(value);
    if (bytes.length > MAX_STRING_BYTES) throw stringTooLong(field, bytes.length);
    this.uvarint(bytes.length);
    buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

/** {@link Writer.svarint} at `pos` for |value| >= 2^30; returns the position after it. */
function writeLargeSvarint(w: Writer, pos: number, value: number): number {
  w.pos = pos;
  w.svarint(value);
  return w.pos;
}

/** {@link Writer.uvarint} at `pos` for value >= 2^32; returns the position after it. */
function writeLargeUvarint(w: Writer, pos: number, value: number): number {
  w.pos = pos;
  w.uvarint(value);
  return w.pos;
}

function stringTooLong(field: string, length: number): RangeError {
  return new RangeError(`${field} must be at most ${MAX_STRING_BYTES} UTF-8 bytes, got ${length}`);
}
