import { describe, expect, it } from 'vitest';
import type { MarketUpdate } from '../../../lib/market/types';
import { MessageType, decodeServerMessage, type BatchMessage } from '../../../lib/protocol';
import { BASE, edgeVariants, quote, trade } from './fixtures/edge-updates';
import { referenceUpdate, referenceUvarint } from './fixtures/reference-encoding';
import { codeOf } from './fixtures/error-code';

/** A batch frame built by the reference encoder (not the code under test), based on `baseTimeUs`. */
function referenceBatch(updates: readonly MarketUpdate[], baseTimeUs: number): Uint8Array {
  return Uint8Array.from([
    MessageType.Batch,
    0,
    ...referenceUvarint(BigInt(baseTimeUs)),
    ...referenceUvarint(BigInt(updates.length)),
    ...updates.flatMap((u) => referenceUpdate(u, baseTimeUs)),
  ]);
}

const batchOf = (updates: MarketUpdate[]): BatchMessage => ({ type: 'batch', conflated: false, updates });

describe('Update decoder', () => {
  describe('#decodeServerMessage', () => {
    it('reads every field on both sides of the fast path 32-bit limits, each update followed by others (fast path) or last (general path)', () => {
      const variants = edgeVariants();
      // Padding after each update keeps the fast path in reach (it needs 5 bytes per varint left).
      const padded = variants.flatMap((u) => [u, quote, quote]);
      expect(decodeServerMessage(referenceBatch(padded, BASE))).toStrictEqual(batchOf(padded));
      for (const u of variants) expect(decodeServerMessage(referenceBatch([u], BASE))).toStrictEqual(batchOf([u]));
    });

    it('reads a 5-byte varint with a fifth byte below 16 on the fast path and 16 or more on the general path alike', () => {
      for (const tradeId of [2 ** 32 - 1, 2 ** 32, 2 ** 34 + 5]) {
        const updates = [{ ...trade, tradeId }, quote, quote];
        expect(decodeServerMessage(referenceBatch(updates, BASE))).toStrictEqual(batchOf(updates));
      }
    });

    it('accepts a padded (non-minimal) 5-byte varint on the fast path, as the general path does', () => {
      const bytes = referenceBatch([quote, quote, quote], BASE);
      const first = 1 + 1 + referenceUvarint(BigInt(BASE)).length + 1 + 1; // type, flags, base, count, kind
      const padded = Uint8Array.from([...bytes.subarray(0, first), 0x87, 0x80, 0x80, 0x80, 0x00, ...bytes.subarray(first + 1)]);
      expect(decodeServerMessage(padded)).toStrictEqual(batchOf([quote, quote, quote]));
    });

    it('still refuses a time below 0 µs and a truncated update when the run is read on the fast path', () => {
      const negative = { ...quote, eventTimeUs: -10, receiveTimeUs: 0 };
      expect(codeOf(() => decodeServerMessage(referenceBatch([negative, quote, quote], 10)))).toBe('TW_ERR_BAD_VALUE');
      const bytes = referenceBatch([quote, quote, quote], BASE);
      expect(codeOf(() => decodeServerMessage(bytes.subarray(0, bytes.length - 1)))).toBe('TW_ERR_TRUNCATED');
    });
  });
});
