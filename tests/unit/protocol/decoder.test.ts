import { describe, expect, it } from 'vitest';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  PROTOCOL_ERROR_CLOSE_CODES,
  ProtocolError,
  decodeClientMessage,
  decodeServerMessage,
  encodeMessage,
  type BatchMessage,
} from '../../../lib/protocol';
import { BAR_INTERVALS } from '../../../lib/market/types';
import { GOLDEN_FIXTURES } from './fixtures/golden';
import { referenceUvarint } from './fixtures/reference-encoding';

const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const golden = (name: string) => {
  const fixture = GOLDEN_FIXTURES.find((f) => f.name === name);
  if (!fixture) throw new Error(`no golden fixture ${name}`);
  return fixture;
};

/** The ProtocolError a decode throws (failing the test if it throws anything else or nothing). */
function rejection(decode: () => unknown): ProtocolError {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    const protocolError = error as ProtocolError;
    expect(protocolError.closeCode).toBe(PROTOCOL_ERROR_CLOSE_CODES[protocolError.code]);
    return protocolError;
  }
  throw new Error('expected a ProtocolError, but decoding succeeded');
}

const server = (hex: string) => rejection(() => decodeServerMessage(fromHex(hex)));
const client = (hex: string) => rejection(() => decodeClientMessage(fromHex(hex)));

/** A batch with base time 0 holding one update given as hex. */
const batchOf = (updateHex: string) => `03 00 00 01 ${updateHex}`;
/** Valid quote update header: kind 02, id 1, seq 1, event delta 0, receive delta 0. */
const QUOTE = '02 01 01 00 00';
/** Trade update: kind 01, then the flags byte, then id 1, seq 1, deltas 0, price 1, size 2, and `id`. */
const tradeWith = (flags: string, id: string) => `01 ${flags} 01 01 00 00 02 02 ${id}`;
const BAR = '03 01 01 00 00';

describe('Decoder', () => {
  describe('#decodeServerMessage', () => {
    it('rejects an empty message with TW_ERR_EMPTY_MESSAGE (1007)', () => {
      const error = rejection(() => decodeServerMessage(new Uint8Array(0)));
      expect([error.code, error.closeCode]).toStrictEqual(['TW_ERR_EMPTY_MESSAGE', 1007]);
    });

    it('rejects undefined message types with TW_ERR_UNKNOWN_MESSAGE_TYPE (1002)', () => {
      for (const type of ['00', '0a', '1f', '23', '32', 'ff']) {
        const error = server(type);
        expect([error.code, error.closeCode]).toStrictEqual(['TW_ERR_UNKNOWN_MESSAGE_TYPE', 1002]);
      }
    });

    it('rejects client-to-server types with TW_ERR_WRONG_DIRECTION (1002)', () => {
      for (const name of ['subscribe', 'unsubscribe', 'history']) {
        const error = server(golden(name).hex);
        expect([error.code, error.closeCode]).toStrictEqual(['TW_ERR_WRONG_DIRECTION', 1002]);
      }
    });

    it('rejects bytes after the end of the message with TW_ERR_TRAILING_BYTES', () => {
      for (const fixture of GOLDEN_FIXTURES.filter((f) => f.direction !== 'client')) {
        expect(server(`${fixture.hex} 00`).code).toBe('TW_ERR_TRAILING_BYTES');
      }
    });

    it('rejects every proper prefix of every valid message as truncated or overrunning its count', () => {
      for (const fixture of GOLDEN_FIXTURES.filter((f) => f.direction !== 'client')) {
        const bytes = fromHex(fixture.hex);
        for (let length = 1; length < bytes.length; length++) {
          const error = rejection(() => decodeServerMessage(bytes.subarray(0, length)));
          expect(['TW_ERR_TRUNCATED', 'TW_ERR_COUNT_OVERRUN'], `${fixture.name}[0..${length}]`).toContain(error.code);
        }
      }
    });

    it('decodes a message that is a view into a larger buffer (byteOffset != 0)', () => {
      for (const fixture of GOLDEN_FIXTURES.filter((f) => f.direction !== 'client')) {
        const bytes = fromHex(fixture.hex);
        const backing = Buffer.alloc(bytes.length + 64, 0xee);
        backing.set(bytes, 29);
        expect(decodeServerMessage(backing.subarray(29, 29 + bytes.length))).toStrictEqual(fixture.message);
      }
    });

    it('rejects a batch whose count overruns the frame, before allocating for it', () => {
      // count 2^53-1 in an 11-byte frame, and 2^32 - 1: both refused by the count check, not by reading.
      expect(server('03 00 00 ffffffffffffff0f 00 00').code).toBe('TW_ERR_COUNT_OVERRUN');
      expect(server('03 00 00 ffffffff0f').code).toBe('TW_ERR_COUNT_OVERRUN');
      // 2 updates need at least 18 bytes; 17 are left.
      expect(server(`03 00 00 02 ${'00'.repeat(17)}`).code).toBe('TW_ERR_COUNT_OVERRUN');
    });

    it('rejects overrunning counts in snapshot, instruments and status', () => {
      expect(server('04 01 00 01 01 00 00 ffffffff0f').code).toBe('TW_ERR_COUNT_OVERRUN');
      expect(server(`02 03 ${'00'.repeat(20)}`).code).toBe('TW_ERR_COUNT_OVERRUN');
      expect(server(`08 03 ${'00'.repeat(8)}`).code).toBe('TW_ERR_COUNT_OVERRUN');
    });

    it('rejects flags bytes with undefined bits set', () => {
      expect(server('03 02 00 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('04 01 80 01 01 00 00 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('02 01 01 00 00 00 00 00 02').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects unknown update kinds with TW_ERR_UNKNOWN_UPDATE_KIND', () => {
      expect(server(batchOf('00 01 01 00 00 00 00 00 00')).code).toBe('TW_ERR_UNKNOWN_UPDATE_KIND');
      expect(server(batchOf('05 01 01 00 00 00 00 00 00')).code).toBe('TW_ERR_UNKNOWN_UPDATE_KIND');
    });

    it('accepts each side 0..2 and rejects side 3 and undefined trade flag bits', () => {
      for (const flags of ['00', '01', '02']) {
        const msg = decodeServerMessage(fromHex(batchOf(tradeWith(flags, '05')))) as BatchMessage;
        expect(msg.updates[0]).toMatchObject({ kind: 'trade', price: 1, size: 2, side: Number(flags), tradeId: 5 });
      }
      expect(server(batchOf(tradeWith('03', '05'))).code).toBe('TW_ERR_BAD_VALUE');
      expect(server(batchOf(tradeWith('08', '05'))).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('reads a string trade id when flag bit 2 is set', () => {
      const msg = decodeServerMessage(fromHex(batchOf(tradeWith('06', '02 4142')))) as BatchMessage;
      expect(msg.updates[0]).toMatchObject({ side: 2, tradeId: 'AB' });
    });

    it('rejects a bar interval outside BAR_INTERVALS', () => {
      const bar = (interval: string) => batchOf(`${BAR} ${interval} 00 00 00 00 00 00 00 00`);
      expect(decodeServerMessage(fromHex(bar('3c')))).toMatchObject({ updates: [{ kind: 'bar', interval: 60 }] });
      for (const interval of ['00', '02', '3d', 'ffffffff0f']) expect(server(bar(interval)).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('accepts a bar of every one of BAR_INTERVALS (4h, 1D and 1W included) and rejects their neighbours', () => {
      const bar = (interval: number) =>
        batchOf(`${BAR} ${Buffer.from(referenceUvarint(BigInt(interval))).toString('hex')} 00 00 00 00 00 00 00 00`);
      for (const interval of BAR_INTERVALS) {
        expect(decodeServerMessage(fromHex(bar(interval)))).toMatchObject({ updates: [{ kind: 'bar', interval }] });
        expect(server(bar(interval + 1)).code).toBe('TW_ERR_BAD_VALUE');
      }
      for (const interval of [7200, 43200, 2_592_000]) expect(server(bar(interval)).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('accepts interval 0 in a snapshot and rejects intervals outside BAR_INTERVALS', () => {
      expect(decodeServerMessage(fromHex('04 01 00 01 01 00 00 00'))).toMatchObject({ interval: 0 });
      expect(server('04 01 00 01 01 07 00 00').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects timestamps that fall outside 0 .. 2^53-1 after adding the base', () => {
      expect(server(batchOf(`02 01 01 01 00 00 00 00 00`)).code).toBe('TW_ERR_BAD_VALUE'); // event = 0 - 1
      expect(server(`03 00 ffffffffffffff0f 01 02 01 01 02 00 00 00 00 00`).code).toBe('TW_ERR_BAD_VALUE'); // event = 2^53-1 + 1
      expect(server(batchOf(`02 01 01 00 01 00 00 00 00`)).code).toBe('TW_ERR_BAD_VALUE'); // receive = event - 1
      expect(server(batchOf(`${BAR} 3c 01 00 00 00 00 00 00 00`)).code).toBe('TW_ERR_BAD_VALUE'); // openTimeUs = -1
    });

    it('rejects a quote whose ask leaves the safe integer range', () => {
      expect(server(batchOf(`${QUOTE} feffffffffffff1f 00 02 00`)).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects a bar whose high leaves the safe integer range', () => {
      expect(server(batchOf(`${BAR} 3c 00 feffffffffffff1f 02 00 00 00 00 00`)).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects instrument decimals above 18 and undefined asset classes', () => {
      expect(decodeServerMessage(fromHex('02 01 01 00 00 05 12 12 00'))).toMatchObject({ instruments: [{ priceDecimals: 18 }] });
      expect(server('02 01 01 00 00 05 13 00 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('02 01 01 00 00 05 00 13 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('02 01 01 00 00 06 00 00 00').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects undefined venue states and error codes', () => {
      expect(decodeServerMessage(fromHex('08 01 00 04 00'))).toStrictEqual({
        type: 'status',
        venues: [{ venue: '', state: 'upstream_lost', reason: '' }],
      });
      expect(server('08 01 00 05 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('06 01 00 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('06 01 06 00').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects invalid UTF-8 in a string field with TW_ERR_BAD_STRING', () => {
      expect(server('06 01 02 02 c328').code).toBe('TW_ERR_BAD_STRING');
    });

    it('decodes hello capabilities it does not know and any interval 1 .. 2^31-1', () => {
      const hello = decodeServerMessage(fromHex('01 02 00 00 00 00 02 07 686973746f7279 06 667574757265 02 01 ffffffff07'));
      expect(hello).toMatchObject({ type: 'hello', capabilities: ['history', 'future'], intervals: [1, 2 ** 31 - 1] });
    });

    it('rejects a hello interval of 0 or above 2^31-1', () => {
      expect(server('01 02 00 00 00 00 00 01 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(server('01 02 00 00 00 00 00 01 8080808008').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects hello capability and interval counts that overrun the frame, and a truncated list', () => {
      expect(server('01 02 00 00 00 00 03 00 00').code).toBe('TW_ERR_COUNT_OVERRUN');
      expect(server('01 02 00 00 00 00 00 03 01 05').code).toBe('TW_ERR_COUNT_OVERRUN');
      expect(server('01 02 00 00 00 00 01 05 6869 00').code).toBe('TW_ERR_TRUNCATED');
      expect(server('01 02 00 00 00 00 00 02 01 ac').code).toBe('TW_ERR_TRUNCATED');
    });

    it('rejects a capability string over 1024 UTF-8 bytes', () => {
      expect(server(`01 02 00 00 00 00 01 8108 ${'61'.repeat(1025)} 00`).code).toBe('TW_ERR_STRING_TOO_LONG');
    });

    it('rejects every undefined type byte, reserved ones included, with the code a v2 client skips', () => {
      const defined = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x20, 0x21, 0x22, 0x30, 0x31]);
      for (let type = 0; type < 256; type++) {
        if (defined.has(type)) continue;
        expect(server(type.toString(16).padStart(2, '0')).code, `type 0x${type.toString(16)}`).toBe('TW_ERR_UNKNOWN_MESSAGE_TYPE');
        expect(client(type.toString(16).padStart(2, '0')).code, `type 0x${type.toString(16)}`).toBe('TW_ERR_UNKNOWN_MESSAGE_TYPE');
      }
    });

    it('decodes a batch of thousands of updates', () => {
      const updates = Array.from({ length: 5000 }, (_, i) => ({
        kind: 'quote' as const,
        instrumentId: i % 100,
        seq: i,
        eventTimeUs: 1_732_230_000_000_000 + i,
        receiveTimeUs: 1_732_230_000_000_100 + i,
        bid: 100_000 + i,
        bidSize: i,
        ask: 100_002 + i,
        askSize: i * 2,
      }));
      const msg: BatchMessage = { type: 'batch', conflated: false, updates };
      expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
    });
  });

  describe('#decodeClientMessage', () => {
    it('rejects server-to-client types with TW_ERR_WRONG_DIRECTION (1002)', () => {
      for (const fixture of GOLDEN_FIXTURES.filter((f) => f.direction === 'server')) {
        const error = client(fixture.hex);
        expect([error.code, error.closeCode]).toStrictEqual(['TW_ERR_WRONG_DIRECTION', 1002]);
      }
    });

    it('rejects undefined message types with TW_ERR_UNKNOWN_MESSAGE_TYPE', () => {
      expect(client('23').code).toBe('TW_ERR_UNKNOWN_MESSAGE_TYPE');
    });

    it('rejects a message over 16 KiB with TW_ERR_MESSAGE_TOO_BIG (1009)', () => {
      const big = new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1);
      big[0] = 0x30;
      const error = rejection(() => decodeClientMessage(big));
      expect([error.code, error.closeCode]).toStrictEqual(['TW_ERR_MESSAGE_TOO_BIG', 1009]);
    });

    it('accepts any request interval up to 2^31-1 s and rejects a larger one or undefined flag bits', () => {
      expect(decodeClientMessage(fromHex('20 01 00 02 00 00'))).toMatchObject({ type: 'subscribe', interval: 2 });
      expect(client('20 01 00 8080808008 00 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(client('21 01 00 8080808008 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(client('20 01 02 00 00 00').code).toBe('TW_ERR_BAD_VALUE');
      expect(decodeClientMessage(fromHex('20 01 00 ffffffff07 00 00'))).toMatchObject({ type: 'subscribe', interval: 2 ** 31 - 1 });
      expect(decodeClientMessage(fromHex('21 01 00 ffffffff07 00'))).toMatchObject({ type: 'unsubscribe', interval: 2 ** 31 - 1 });
      expect(client('21 01 02 00 00').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('reads the interval of an unsubscribe, 0 meaning the no-bars pair', () => {
      expect(decodeClientMessage(fromHex('21 07 00 00 01 01 58'))).toStrictEqual({
        type: 'unsubscribe',
        requestId: 7,
        all: false,
        interval: 0,
        symbols: ['X'],
      });
      expect(decodeClientMessage(fromHex('21 07 01 ac02 00'))).toStrictEqual({
        type: 'unsubscribe',
        requestId: 7,
        all: true,
        interval: 300,
        symbols: [],
      });
      expect(client('21 07 00').code).toBe('TW_ERR_TRUNCATED');
    });

    it('rejects overrunning subscribe and unsubscribe counts before allocating', () => {
      expect(client('20 01 00 00 00 ffffffffffffff0f').code).toBe('TW_ERR_COUNT_OVERRUN');
      expect(client('21 01 00 00 05 00 00 00 00').code).toBe('TW_ERR_COUNT_OVERRUN');
    });

    it('rejects trailing bytes', () => {
      expect(client(`${golden('unsubscribe').hex} 00`).code).toBe('TW_ERR_TRAILING_BYTES');
    });
  });
});
