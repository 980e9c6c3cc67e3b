import { describe, expect, it } from 'vitest';
import { WRITER_MAX_RETAINED_BYTES, Writer } from '../../../lib/protocol/writer';

/** Writes `bytes` as one message and hands it out in place. */
function message(w: Writer, bytes: readonly number[]): Uint8Array {
  w.reset();
  w.ensure(bytes.length);
  for (const b of bytes) w.u8(b);
  return w.take();
}

describe('Writer', () => {
  describe('#take', () => {
    it('hands out each message in place, after the previous one, in the same buffer', () => {
      const w = new Writer(64);
      const first = message(w, [1, 2, 3]);
      const second = message(w, [4, 5]);
      expect([...first]).toStrictEqual([1, 2, 3]);
      expect([...second]).toStrictEqual([4, 5]);
      expect(second.buffer).toBe(first.buffer);
      expect(second.byteOffset).toBe(first.byteOffset + first.length);
    });

    it('never writes a handed-out message again, not even when a later message fails half-way', () => {
      const w = new Writer(64);
      const kept = message(w, [9, 9, 9]);
      w.reset();
      w.ensure(4);
      w.u8(7);
      w.u8(7); // abandoned: no take()
      const next = message(w, [1]);
      expect([...kept]).toStrictEqual([9, 9, 9]);
      expect(next.byteOffset).toBe(kept.byteOffset + kept.length);
    });

    it('moves a message that outgrows the buffer to a new one and leaves earlier messages intact', () => {
      const w = new Writer(16);
      const early = message(w, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const big = Array.from({ length: 40 }, (_, i) => i);
      const moved = message(w, big);
      expect([...early]).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect([...moved]).toStrictEqual(big);
      expect(moved.buffer).not.toBe(early.buffer);
      expect(moved.byteOffset).toBe(0);
    });

    it('starts a fresh buffer when less than an eighth of its capacity is left, before writing', () => {
      const w = new Writer(64);
      const filler = message(
        w,
        Array.from({ length: 57 }, () => 1),
      ); // 7 bytes left < 64 / 8
      const next = message(w, [2]);
      expect(next.buffer).not.toBe(filler.buffer);
      expect(next.byteOffset).toBe(0);
      const after = message(w, [3]);
      expect(after.buffer).toBe(next.buffer);
    });

    it('stays in the buffer while at least an eighth of its capacity is left', () => {
      const w = new Writer(64);
      const filler = message(
        w,
        Array.from({ length: 56 }, () => 1),
      ); // 8 bytes left
      expect(message(w, [2]).buffer).toBe(filler.buffer);
    });

    it('drops a buffer that grew past the retention limit and returns to its starting capacity', () => {
      const w = new Writer(64);
      w.reset();
      w.ensure(WRITER_MAX_RETAINED_BYTES + 1);
      const huge = w.take();
      expect(w.buf.length).toBeGreaterThan(WRITER_MAX_RETAINED_BYTES);
      w.reset();
      expect(w.buf.length).toBe(64);
      expect(huge.length).toBe(0);
    });
  });

  describe('#finish', () => {
    it('copies the message into its own buffer and lets the next message reuse the space', () => {
      const w = new Writer(64);
      w.reset();
      w.ensure(2);
      w.u8(1);
      w.u8(2);
      const copy = w.finish();
      w.reset();
      w.ensure(1);
      w.u8(3);
      expect([...copy]).toStrictEqual([1, 2]);
      expect(copy.byteOffset).toBe(0);
      expect(copy.buffer.byteLength).toBe(2);
      expect([...w.finish()]).toStrictEqual([3]);
    });
  });
});
