import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../lib/protocol/reader';
import { Writer } from '../../../lib/protocol/writer';
import { safeInt, safeUint } from './fixtures/arbitraries';
import { referenceSvarint, referenceUvarint } from './fixtures/reference-encoding';
import { codeOf } from './fixtures/error-code';

const MAX = Number.MAX_SAFE_INTEGER;

function written(write: (w: Writer) => void): number[] {
  const w = new Writer(8);
  write(w);
  return [...w.finish()];
}

function reading<T>(bytes: number[], read: (r: Reader) => T): T {
  const r = new Reader(new Uint8Array(bytes));
  const value = read(r);
  r.finish();
  return value;
}

describe('Writer', () => {
  describe('#uvarint', () => {
    it('writes the same bytes as a reference LEB128 for every safe non-negative integer', () => {
      fc.assert(
        fc.property(safeUint, (v) => {
          expect(written((w) => w.uvarint(v))).toStrictEqual(referenceUvarint(BigInt(v)));
        }),
      );
    });

    it('writes 2^53-1 in 8 bytes', () => {
      expect(written((w) => w.uvarint(MAX))).toStrictEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    });
  });

  describe('#svarint', () => {
    it('writes the same bytes as a reference zigzag LEB128 for every safe integer', () => {
      fc.assert(
        fc.property(safeInt, (v) => {
          expect(written((w) => w.svarint(v))).toStrictEqual(referenceSvarint(v));
        }),
      );
    });

    it('writes the spec examples', () => {
      expect(written((w) => w.svarint(-1))).toStrictEqual([0x01]);
      expect(written((w) => w.svarint(1))).toStrictEqual([0x02]);
      expect(written((w) => w.svarint(-65))).toStrictEqual([0x81, 0x01]);
      expect(written((w) => w.svarint(MAX))).toStrictEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
    });
  });

  describe('#string', () => {
    it('grows the buffer as needed and keeps earlier bytes', () => {
      const w = new Writer(4);
      w.ensure(1);
      w.u8(0x2a);
      w.string('x'.repeat(1000), 'field');
      const bytes = w.finish();
      expect(bytes.length).toBe(1 + 2 + 1000);
      expect(bytes[0]).toBe(0x2a);
    });

    it('rejects a string over 1024 UTF-8 bytes with a RangeError naming the field', () => {
      expect(() => new Writer().string('€'.repeat(342), 'instrument.symbol')).toThrow(/instrument\.symbol/);
      expect(() => new Writer().string('€'.repeat(342), 'x')).toThrow(RangeError);
    });

    it('rejects a lone surrogate with a TypeError naming the field', () => {
      expect(() => new Writer().string('a\ud800b', 'error.message')).toThrow(TypeError);
      expect(() => new Writer().string('a\udc00', 'error.message')).toThrow(/error\.message/);
    });
  });
});

describe('Writer#varints', () => {
  it('writes the same bytes as the reference encodings for runs of mixed signed and unsigned fields of every length', () => {
    const field = fc.tuple(
      fc.boolean(),
      fc.oneof(safeInt, fc.integer({ min: -(2 ** 36), max: 2 ** 36 }), fc.integer({ min: -300, max: 300 })),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 13 }), (fields) => {
        const mask = fields.reduce((m, [signed], i) => (signed ? m | (1 << i) : m), 0);
        const values = fields.map(([signed, v]) => (signed ? v : Math.abs(v)));
        const expected = values.flatMap((v, i) => ((mask >>> i) & 1 ? referenceSvarint(v) : referenceUvarint(BigInt(v))));
        const w = new Writer(8);
        w.ensure(values.length * 8);
        w.varints(Float64Array.from(values), values.length, mask);
        expect([...w.finish()]).toStrictEqual(expected);
      }),
    );
  });

  it('writes each byte-length boundary exactly (2^7, 2^14, 2^21, 2^28, 2^32 and their zigzag counterparts)', () => {
    const unsigned = [127, 128, 2 ** 14 - 1, 2 ** 14, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1, 2 ** 32];
    const signed = [-64, -65, 2 ** 29 - 1, -(2 ** 29), 2 ** 30 - 1, -(2 ** 30) + 1, 2 ** 30, -(2 ** 30), -MAX, MAX];
    const values = [...unsigned, ...signed];
    const mask = 0b1111_1111_1100_0000_0000;
    const w = new Writer(8);
    w.ensure(values.length * 8);
    w.varints(Float64Array.from(values), values.length, mask);
    expect([...w.finish()]).toStrictEqual([...unsigned.map((v) => referenceUvarint(BigInt(v))), ...signed.map(referenceSvarint)].flat());
  });
});

describe('Reader', () => {
  describe('#uvarint', () => {
    it('reads back every safe non-negative integer', () => {
      fc.assert(
        fc.property(safeUint, (v) => {
          expect(reading(referenceUvarint(BigInt(v)), (r) => r.uvarint())).toBe(v);
        }),
      );
    });

    it('accepts a non-shortest encoding', () => {
      expect(reading([0x80, 0x80, 0x00], (r) => r.uvarint())).toBe(0);
    });

    it('rejects 2^53 and above', () => {
      expect(codeOf(() => reading(referenceUvarint(2n ** 53n), (r) => r.uvarint()))).toBe('TW_ERR_VARINT_OVERFLOW');
      expect(codeOf(() => reading(referenceUvarint(2n ** 56n - 1n), (r) => r.uvarint()))).toBe('TW_ERR_VARINT_OVERFLOW');
    });

    it('rejects a varint longer than 8 bytes, even when its value is small', () => {
      expect(codeOf(() => reading([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], (r) => r.uvarint()))).toBe(
        'TW_ERR_VARINT_OVERFLOW',
      );
    });

    it('rejects a varint cut off by the end of the message', () => {
      for (let n = 0; n < 8; n++) {
        expect(codeOf(() => reading(new Array(n).fill(0x80), (r) => r.uvarint()))).toBe('TW_ERR_TRUNCATED');
      }
    });
  });

  describe('#svarint', () => {
    it('reads back every safe integer', () => {
      fc.assert(
        fc.property(safeInt, (v) => {
          expect(reading(referenceSvarint(v), (r) => r.svarint())).toBe(v);
        }),
      );
    });

    it('reads -(2^53-1) and rejects -(2^53) and 2^53', () => {
      expect(reading(referenceSvarint(-MAX), (r) => r.svarint())).toBe(-MAX);
      expect(codeOf(() => reading(referenceUvarint(2n ** 54n - 1n), (r) => r.svarint()))).toBe('TW_ERR_VARINT_OVERFLOW');
      expect(codeOf(() => reading(referenceUvarint(2n ** 54n), (r) => r.svarint()))).toBe('TW_ERR_VARINT_OVERFLOW');
    });

    it('rejects a varint longer than 8 bytes', () => {
      expect(codeOf(() => reading([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], (r) => r.svarint()))).toBe(
        'TW_ERR_VARINT_OVERFLOW',
      );
    });
  });

  describe('#varints', () => {
    /** Values of every length (1-8 bytes) with a signedness mask, as an update's varint run has. */
    const run = fc
      .array(
        fc.tuple(fc.boolean(), fc.oneof(safeInt, fc.integer({ min: -(2 ** 36), max: 2 ** 36 }), fc.integer({ min: -300, max: 300 }))),
        { minLength: 1, maxLength: 13 },
      )
      .map((fields) => ({
        mask: fields.reduce((m, [signed], i) => (signed ? m | (1 << i) : m), 0),
        values: fields.map(([signed, v]) => (signed ? v : Math.abs(v))),
      }));
    const bytesOf = (mask: number, values: number[]) =>
      values.flatMap((v, i) => ((mask >>> i) & 1 ? referenceSvarint(v) : referenceUvarint(BigInt(v))));

    it('reads back runs of mixed signed and unsigned fields, whether or not the message has room to spare', () => {
      fc.assert(
        fc.property(run, fc.integer({ min: 0, max: 120 }), ({ mask, values }, padding) => {
          const bytes = bytesOf(mask, values);
          const r = new Reader(new Uint8Array([...bytes, ...new Array(padding).fill(0xff)]));
          const out: number[] = [];
          r.varints(values.length, mask, out);
          expect(out).toStrictEqual(values);
          expect(r.pos).toBe(bytes.length);
        }),
      );
    });

    it('decodes the 4- and 5-byte boundaries (2^28, 2^35) and negative 5-byte values exactly', () => {
      const values = [
        2 ** 28 - 1,
        2 ** 28,
        2 ** 35 - 1,
        2 ** 35,
        -(2 ** 27),
        -(2 ** 27) - 1,
        -(2 ** 34),
        -(2 ** 34) - 1,
        2 ** 34 - 1,
        2 ** 34,
      ];
      const mask = 0b11_1111_0000;
      const bytes = [...bytesOf(mask, values), ...new Array(100).fill(0)];
      const out: number[] = [];
      new Reader(new Uint8Array(bytes)).varints(values.length, mask, out);
      expect(out).toStrictEqual(values);
    });

    it('rejects a run cut off by the end of the message, at every cut', () => {
      const bytes = bytesOf(0b0110, [5, -70_000, 2 ** 40, 300]);
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(codeOf(() => new Reader(new Uint8Array(bytes.slice(0, cut))).varints(4, 0b0110, []))).toBe('TW_ERR_TRUNCATED');
      }
    });

    it('rejects an over-long or out-of-range varint inside a run, with or without room to spare', () => {
      const tooLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
      const cases = [
        { mask: 0, bad: tooLong },
        { mask: 0b10, bad: tooLong },
        { mask: 0, bad: referenceUvarint(2n ** 53n) },
        { mask: 0b10, bad: referenceUvarint(2n ** 54n) },
      ];
      for (const { mask, bad } of cases) {
        for (const padding of [0, 100]) {
          const bytes = new Uint8Array([0x01, ...bad, ...new Array(padding).fill(0)]);
          expect(codeOf(() => new Reader(bytes).varints(2, mask, []))).toBe('TW_ERR_VARINT_OVERFLOW');
        }
      }
    });
  });

  describe('#string', () => {
    const encoded = (bytes: number[]) => [bytes.length, ...bytes];

    it('reads ASCII, multi-byte and astral UTF-8, and keeps a leading BOM', () => {
      for (const text of ['', 'BTC-USD', 'ÉTH-€', '🚀', '\uFEFFx', 'é'.repeat(512)]) {
        const w = new Writer();
        w.string(text, 'f');
        expect(reading([...w.finish()], (r) => r.string())).toBe(text);
      }
    });

    it('rejects invalid UTF-8: stray continuation, overlong form, encoded surrogate, truncated sequence', () => {
      for (const bad of [[0x80], [0xc3, 0x28], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
        expect(codeOf(() => reading(encoded(bad), (r) => r.string()))).toBe('TW_ERR_BAD_STRING');
      }
    });

    it('rejects a length over 1024 bytes before looking at the bytes', () => {
      expect(codeOf(() => reading([0x81, 0x08], (r) => r.string()))).toBe('TW_ERR_STRING_TOO_LONG');
    });

    it('rejects a string that runs past the end of the message', () => {
      expect(codeOf(() => reading([0x05, 0x41, 0x42], (r) => r.string()))).toBe('TW_ERR_TRUNCATED');
    });
  });
});
