/**
 * A bounds-checked cursor over one binary message for the decoder. Every read either returns a
 * value or throws a {@link ProtocolError}; reads index the `Uint8Array` itself, so a view into a
 * larger buffer (a `ws` Buffer, `byteOffset != 0`) works as is.
 */
import { MAX_STRING_BYTES, MAX_VARINT_BYTES } from './constants';
import { protocolError } from './errors';

/** Strings up to this many bytes are checked for ASCII and built with `String.fromCharCode`. */
const ASCII_FAST_PATH_BYTES = 64;

/** Longest varint of a value below 2^32 (bytes). */
const MAX_UINT32_VARINT_BYTES = 5;
const TWO_POW_27 = 0x800_0000;
const TWO_POW_28 = 0x1000_0000;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Cursor over one message; reads throw {@link ProtocolError} on truncation, overflow or bad UTF-8. */
export class Reader {
  readonly buf: Uint8Array;
  /** Next byte to read (index into `buf`). */
  pos: number;
  /** One past the last byte of the message. */
  readonly end: number;

  constructor(bytes: Uint8Array) {
    this.buf = bytes;
    this.pos = 0;
    this.end = bytes.length;
  }

  /** Throws `TW_ERR_COUNT_OVERRUN` unless `count` items of at least `minBytes` each fit in what is left. */
  checkCount(count: number, minBytes: number, what: string): void {
    if (count * minBytes > this.end - this.pos) {
      throw protocolError(
        'TW_ERR_COUNT_OVERRUN',
        `${what} count ${count} needs at least ${count * minBytes} bytes, ${this.end - this.pos} left`,
      );
    }
  }

  /** Throws `TW_ERR_TRAILING_BYTES` unless the whole message was consumed. */
  finish(): void {
    if (this.pos !== this.end) {
      throw protocolError('TW_ERR_TRAILING_BYTES', `${this.end - this.pos} bytes after the end of the message`);
    }
  }

  /** One byte. */
  u8(): number {
    const pos = this.pos;
    if (pos >= this.end) throw truncated('a byte field');
    this.pos = pos + 1;
    return this.buf[pos] as number;
  }

  /** Unsigned LEB128, 0 .. 2^53-1, at most 8 bytes. */
  uvarint(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.buf[pos] as number;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.uvarintSlow();
  }

  private uvarintSlow(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    // Bytes 1-4 with 32-bit operations (28 bits, exact), then arithmetic up to byte 8.
    let small = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw truncated('a varint');
      const b = buf[pos++] as number;
      small |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return small;
      }
    }
    let value = small;
    let scale = 0x1000_0000; // 2^28
    for (let i = 4; i < MAX_VARINT_BYTES; i++) {
      if (pos >= end) throw truncated('a varint');
      const b = buf[pos++] as number;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        // Every partial sum is exact while the true value is <= 2^53-1; a larger true value rounds
        // to >= 2^53, so this comparison is reliable.
        if (value > Number.MAX_SAFE_INTEGER) throw overflow();
        this.pos = pos;
        return value;
      }
      scale *= 0x80;
    }
    throw overflow();
  }

  /**
   * Reads `count` consecutive varints into `out[0..count)`: field `i` is signed (zigzag) when bit `i`
   * of `signedMask` is set, else unsigned. One call per update keeps the byte loop in a single
   * function (a dozen separate varint calls exceed what the JIT will inline). Values of up to 5
   * bytes (below 2^35: sizes, trade ids) are decoded here; longer ones go through the exact slow
   * paths. When all `count` varints fit in what is left even at their longest, no read in the loop
   * needs a bounds check; otherwise (the last bytes of a message) every read goes the careful way.
   */
  varints(count: number, signedMask: number, out: number[]): void {
    const buf = this.buf;
    let pos = this.pos;
    if (pos + count * MAX_VARINT_BYTES > this.end) {
      this.varintsNearEnd(count, signedMask, out);
      return;
    }
    for (let i = 0; i < count; i++) {
      const signed = ((signedMask >>> i) & 1) === 1;
      let b = buf[pos] as number;
      if (b < 0x80) {
        out[i] = signed ? (b >>> 1) ^ -(b & 1) : b;
        pos += 1;
        continue;
      }
      let value = b & 0x7f;
      b = buf[pos + 1] as number;
      value |= (b & 0x7f) << 7;
      if (b < 0x80) pos += 2;
      else {
        b = buf[pos + 2] as number;
        value |= (b & 0x7f) << 14;
        if (b < 0x80) pos += 3;
        else {
          b = buf[pos + 3] as number;
          value |= (b & 0x7f) << 21;
          if (b < 0x80) pos += 4;
          else {
            b = buf[pos + 4] as number;
            if (b < 0x80) {
              // 5 bytes: value = low 28 bits + b * 2^28 (< 2^35), past 32-bit operations.
              pos += 5;
              out[i] = signed ? zigzag35(value, b) : value + b * TWO_POW_28;
              continue;
            }
            this.pos = pos;
            out[i] = signed ? this.svarintSlow() : this.uvarintSlow();
            pos = this.pos;
            continue;
          }
        }
      }
      out[i] = signed ? (value >>> 1) ^ -(value & 1) : value;
    }
    this.pos = pos;
  }

  /**
   * The fast path of {@link varints}: reads `count` consecutive varints of values below 2^32 (at most
   * 5 bytes) into `out`, raw (zigzag not undone), and returns true. Returns false without moving
   * when the run might reach past the message's end or holds a longer or larger varint: the caller
   * then reads the run with {@link varints}. The loop has no calls, so V8 keeps it on integers.
   */
  uint32s(count: number, out: Uint32Array): boolean {
    const buf = this.buf;
    let pos = this.pos;
    if (pos + count * MAX_UINT32_VARINT_BYTES > this.end) return false;
    for (let i = 0; i < count; i++) {
      let b = buf[pos] as number;
      if (b < 0x80) {
        out[i] = b;
        pos += 1;
        continue;
      }
      let value = b & 0x7f;
      b = buf[pos + 1] as number;
      value |= (b & 0x7f) << 7;
      if (b < 0x80) {
        out[i] = value;
        pos += 2;
        continue;
      }
      b = buf[pos + 2] as number;
      value |= (b & 0x7f) << 14;
      if (b < 0x80) {
        out[i] = value;
        pos += 3;
        continue;
      }
      b = buf[pos + 3] as number;
      value |= (b & 0x7f) << 21;
      if (b < 0x80) {
        out[i] = value;
        pos += 4;
        continue;
      }
      b = buf[pos + 4] as number;
      // A fifth byte of 16 or more means 2^32 or more (or a longer varint): not for this path.
      if (b >= 0x10) return false;
      out[i] = value | (b << 28);
      pos += 5;
    }
    this.pos = pos;
    return true;
  }

  /** {@link varints} for the last bytes of a message: each varint through the exact, bounds-checked readers. */
  private varintsNearEnd(count: number, signedMask: number, out: number[]): void {
    for (let i = 0; i < count; i++) out[i] = ((signedMask >>> i) & 1) === 1 ? this.svarintSlow() : this.uvarintSlow();
  }

  /** Zigzag LEB128, -(2^53-1) .. 2^53-1, at most 8 bytes. */
  svarint(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.buf[pos] as number;
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b >>> 1) ^ -(b & 1);
      }
    }
    return this.svarintSlow();
  }

  private svarintSlow(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let pos = start;
    // Up to 4 bytes: the zigzag value is below 2^28, so 32-bit operations undo it exactly.
    let small = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw truncated('a varint');
      const b = buf[pos++] as number;
      small |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return (small >>> 1) ^ -(small & 1);
      }
    }
    // Longer: the zigzag value may exceed 2^53 (odd, so not representable); split it into the sign
    // (bit 0) and the magnitude (the remaining bits), which is at most 2^53-1 when valid.
    const first = buf[start] as number;
    const negative = (first & 1) === 1;
    let magnitude = (first & 0x7f) >>> 1;
    let scale = 64;
    pos = start + 1;
    for (let i = 1; i < MAX_VARINT_BYTES; i++) {
      if (pos >= end) throw truncated('a varint');
      const b = buf[pos++] as number;
      magnitude += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (magnitude > Number.MAX_SAFE_INTEGER || (negative && magnitude === Number.MAX_SAFE_INTEGER)) throw overflow();
        this.pos = pos;
        return negative ? -magnitude - 1 : magnitude;
      }
      scale *= 0x80;
    }
    throw overflow();
  }

  /** uvarint byte length (at most {@link MAX_STRING_BYTES}) + UTF-8, decoded fatally (BOM kept). */
  string(): string {
    const length = this.uvarint();
    if (length > MAX_STRING_BYTES) {
      throw protocolError('TW_ERR_STRING_TOO_LONG', `string of ${length} bytes exceeds ${MAX_STRING_BYTES}`);
    }
    const start = this.pos;
    const stop = start + length;
    if (stop > this.end) throw truncated('a string');
    this.pos = stop;
    const buf = this.buf;
    if (length <= ASCII_FAST_PATH_BYTES) {
      let ascii = true;
      for (let i = start; i < stop; i++) {
        if ((buf[i] as number) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, stop) as unknown as number[]);
    }
    try {
      return utf8Decoder.decode(buf.subarray(start, stop));
    } catch {
      throw protocolError('TW_ERR_BAD_STRING', 'string is not valid UTF-8');
    }
  }
}

/** Undoes zigzag for a 5-byte varint given its low 28 bits (`low`) and its fifth byte (`high`, < 0x80). */
function zigzag35(low: number, high: number): number {
  // zigzag = high * 2^28 + low; its bit 0 is the sign, the rest the magnitude (high * 2^27 + low >>> 1).
  const magnitude = high * TWO_POW_27 + (low >>> 1);
  return (low & 1) === 1 ? -magnitude - 1 : magnitude;
}

function truncated(what: string) {
  return protocolError('TW_ERR_TRUNCATED', `message ends inside ${what}`);
}

function overflow() {
  return protocolError('TW_ERR_VARINT_OVERFLOW', 'varint longer than 8 bytes or outside the safe integer range');
}
