/**
 * The `history` request and its `historyPage` answer (capability `history`, docs/protocol.md §2.12):
 * wire ranges, strictness of the page, hostile bytes and JSON, and the encoders' refusals.
 */
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../lib/market/types';
import {
  ErrorCode,
  MAX_HISTORY_PAGE_BARS,
  PROTOCOL_ERROR_CLOSE_CODES,
  ProtocolError,
  RESERVED_ERROR_CODES,
  RESERVED_MESSAGE_TYPES,
  decodeClientMessage,
  decodeJsonClientMessage,
  decodeJsonServerMessage,
  decodeServerMessage,
  encodeJsonMessage,
  encodeMessage,
  isHistoryCount,
  type HistoryPageMessage,
  type HistoryRequestMessage,
} from '../../../lib/protocol';
import { GOLDEN_FIXTURES } from './fixtures/golden';

const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const golden = (name: string) => GOLDEN_FIXTURES.find((f) => f.name === name)!;

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

const PAGE = golden('historyPage').message as HistoryPageMessage;
const REQUEST = golden('history').message as HistoryRequestMessage;

function bar(openTimeUs: number, overrides: Partial<Bar> = {}): Bar {
  return {
    kind: 'bar',
    instrumentId: 1,
    seq: 0,
    eventTimeUs: openTimeUs + 1_000_000,
    receiveTimeUs: openTimeUs + 1_000_000,
    interval: 60,
    openTimeUs,
    open: 100,
    high: 110,
    low: 90,
    close: 105,
    volume: 7,
    tradeCount: 3,
    vwap: 101,
    ...overrides,
  };
}

function page(bars: readonly Bar[], overrides: Partial<HistoryPageMessage> = {}): HistoryPageMessage {
  return { type: 'historyPage', requestId: 1, instrumentId: 1, interval: 60, bars, more: false, ...overrides };
}

const T0 = 1_732_230_000_000_000;

describe('history and historyPage', () => {
  it('are no longer reserved: real type numbers, and error code 9 is real', () => {
    expect(Object.keys(RESERVED_MESSAGE_TYPES)).not.toContain('HistoryPage');
    expect(Object.keys(RESERVED_MESSAGE_TYPES)).not.toContain('HistoryRequest');
    expect(Object.keys(RESERVED_ERROR_CODES)).not.toContain('HistoryUnavailable');
    expect(encodeMessage(PAGE)[0]).toBe(0x09);
    expect(encodeMessage(REQUEST)[0]).toBe(0x22);
    expect(
      decodeServerMessage(encodeMessage({ type: 'error', requestId: 1, code: ErrorCode.HistoryUnavailable, message: 'x' })),
    ).toMatchObject({
      code: 9,
    });
  });

  describe('#decodeClientMessage (history)', () => {
    it('decodes any count and end time on the wire: the gateway, not the codec, answers a count outside 1..1000', () => {
      for (const count of [0, 1, 1000, 1001, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
        const msg: HistoryRequestMessage = { ...REQUEST, count };
        expect(decodeClientMessage(encodeMessage(msg))).toStrictEqual(msg);
        expect(decodeJsonClientMessage(encodeJsonMessage(msg))).toStrictEqual(msg);
      }
      for (const endTimeUs of [0, 1, Number.MAX_SAFE_INTEGER]) {
        const msg: HistoryRequestMessage = { ...REQUEST, endTimeUs };
        expect(decodeClientMessage(encodeMessage(msg))).toStrictEqual(msg);
      }
    });

    it('rejects an end time of 2^53 (varint overflow) and a negative or fractional one in JSON', () => {
      // 22 id=1 symbol "X" interval 60, endTimeUs = 2^53 (8-byte varint 80 80 80 80 80 80 80 10), count 1
      expect(rejection(() => decodeClientMessage(fromHex('22 01 01 58 3c 8080808080808010 01'))).code).toBe('TW_ERR_VARINT_OVERFLOW');
      const json = (endTimeUs: unknown) => JSON.stringify({ ...REQUEST, endTimeUs });
      expect(rejection(() => decodeJsonClientMessage(json(-1))).message).toBe(
        'history.endTimeUs must be a non-negative safe integer, got -1',
      );
      expect(rejection(() => decodeJsonClientMessage(json(2 ** 53))).code).toBe('TW_ERR_BAD_VALUE');
      expect(rejection(() => decodeJsonClientMessage(json(1.5))).code).toBe('TW_ERR_BAD_VALUE');
      expect(rejection(() => decodeJsonClientMessage(JSON.stringify({ ...REQUEST, count: -1 }))).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects an interval above 2^31-1, a truncated request and trailing bytes', () => {
      expect(rejection(() => decodeClientMessage(fromHex('22 01 01 58 8080808008 00 01'))).message).toBe(
        'history interval 2147483648 is above 2^31-1 seconds',
      );
      const hex = golden('history').hex.replace(/\s+/g, '');
      for (let cut = 1; cut < hex.length / 2; cut++) {
        expect(rejection(() => decodeClientMessage(fromHex(hex.slice(0, cut * 2)))).code).toMatch(/TW_ERR_TRUNCATED|TW_ERR_COUNT_OVERRUN/);
      }
      expect(rejection(() => decodeClientMessage(fromHex(`${hex} 00`))).code).toBe('TW_ERR_TRAILING_BYTES');
    });

    it('rejects a symbol over 1024 bytes, missing or extra JSON fields, and a historyPage from a client', () => {
      expect(rejection(() => decodeClientMessage(fromHex(`22 01 8108 ${'41'.repeat(1025)} 3c 00 01`))).code).toBe('TW_ERR_STRING_TOO_LONG');
      const { count: _count, ...missing } = REQUEST;
      expect(rejection(() => decodeJsonClientMessage(JSON.stringify(missing))).code).toBe('TW_ERR_BAD_VALUE');
      expect(rejection(() => decodeJsonClientMessage(JSON.stringify({ ...REQUEST, limit: 5 }))).message).toBe(
        'history has an unexpected field "limit"',
      );
      expect(rejection(() => decodeClientMessage(fromHex(golden('historyPage').hex))).code).toBe('TW_ERR_WRONG_DIRECTION');
      expect(rejection(() => decodeJsonClientMessage(golden('historyPage').json)).code).toBe('TW_ERR_WRONG_DIRECTION');
      expect(rejection(() => decodeServerMessage(fromHex(golden('history').hex))).code).toBe('TW_ERR_WRONG_DIRECTION');
      expect(rejection(() => decodeJsonServerMessage(golden('history').json)).code).toBe('TW_ERR_WRONG_DIRECTION');
    });
  });

  describe('#decodeServerMessage (historyPage)', () => {
    it('round-trips a full page of 1000 bars through both codecs', () => {
      const bars = Array.from({ length: MAX_HISTORY_PAGE_BARS }, (_, i) => bar(T0 + i * 60_000_000, { seq: i % 3 === 0 ? 0 : i }));
      const msg = page(bars, { more: true });
      expect(decodeServerMessage(encodeMessage(msg))).toStrictEqual(msg);
      expect(decodeJsonServerMessage(encodeJsonMessage(msg))).toStrictEqual(msg);
    });

    it('rejects a page claiming more than 1000 bars before allocating for them', () => {
      // 09 id=1 flags=0 instrument=1 interval=60 base=0 count=1001 (e9 07), no bars
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 3c 00 e907'))).message).toBe(
        `historyPage holds 1001 bars, more than ${MAX_HISTORY_PAGE_BARS}`,
      );
      // A count that would overrun the frame is refused the same way, whatever its size.
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 3c 00 ffffffffffffff0f'))).code).toBe('TW_ERR_BAD_VALUE');
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 3c 00 05'))).code).toBe('TW_ERR_COUNT_OVERRUN');
      const tooMany = {
        ...JSON.parse(golden('historyPage (start of data)').json),
        bars: new Array(1001).fill(JSON.parse(golden('historyPage').json).bars[0]),
      };
      expect(rejection(() => decodeJsonServerMessage(JSON.stringify(tooMany))).message).toBe('historyPage holds 1001 bars, more than 1000');
    });

    it('rejects updates that are not bars of the page, and bars out of order', () => {
      const cases: [Bar[] | unknown[], string][] = [
        [[bar(T0), bar(T0)], 'historyPage bars[1] opens at 1732230000000000, not after the bar before it'],
        [[bar(T0 + 60_000_000), bar(T0)], 'historyPage bars[1] opens at 1732230000000000, not after the bar before it'],
        [[bar(T0, { instrumentId: 2 })], 'historyPage bars[0] is of instrument 2, not 1'],
        [[bar(T0, { interval: 300 })], 'historyPage bars[0] has interval 300, not 60'],
      ];
      for (const [bars, message] of cases) {
        // Encoders refuse such a page (a bug in the caller); decoders refuse it as bad data.
        expect(() => encodeMessage(page(bars as Bar[]))).toThrow(RangeError);
        const bytes = encodeMessage({
          type: 'snapshot',
          requestId: 1,
          instrumentId: 1,
          recovered: false,
          barsOnly: false,
          seq: 0,
          interval: 60,
          updates: bars as Bar[],
        });
        // Same layout after the header: swap a snapshot's header for a page's.
        const header = encodeMessage({
          type: 'snapshot',
          requestId: 1,
          instrumentId: 1,
          recovered: false,
          barsOnly: false,
          seq: 0,
          interval: 60,
          updates: [],
        });
        const body = bytes.subarray(header.length - 2); // base time and count onwards
        const pageBytes = new Uint8Array([0x09, 0x01, 0x00, 0x01, 0x3c, ...body]);
        expect(rejection(() => decodeServerMessage(pageBytes)).message).toBe(message);
        expect(rejection(() => decodeJsonServerMessage(JSON.stringify(page(bars as Bar[])))).message).toBe(message);
      }
      const trade = JSON.parse(golden('batch').json).updates[1];
      expect(rejection(() => decodeJsonServerMessage(JSON.stringify({ ...page([]), bars: [trade] }))).message).toBe(
        'historyPage bars[0] is a trade, not a bar',
      );
      // A quote (kind 02) inside a binary page.
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 3c 00 01 02 01 01 00 00 02 02 02 02'))).message).toBe(
        'historyPage bars[0] is a quote, not a bar',
      );
    });

    it('rejects a page interval outside BAR_INTERVALS, undefined flag bits and trailing bytes', () => {
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 00 00 00'))).message).toBe(
        'historyPage interval 0 is not one of BAR_INTERVALS',
      );
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 02 00 00'))).code).toBe('TW_ERR_BAD_VALUE');
      expect(rejection(() => decodeServerMessage(fromHex('09 01 02 01 3c 00 00'))).message).toBe(
        'historyPage flags 0x02 set undefined bits',
      );
      expect(rejection(() => decodeServerMessage(fromHex('09 01 00 01 3c 00 00 00'))).code).toBe('TW_ERR_TRAILING_BYTES');
      expect(rejection(() => decodeJsonServerMessage(JSON.stringify({ ...page([]), interval: 0 }))).code).toBe('TW_ERR_BAD_VALUE');
      expect(rejection(() => decodeJsonServerMessage(JSON.stringify({ ...page([]), more: 1 }))).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects every proper prefix of the golden page', () => {
      const hex = golden('historyPage').hex.replace(/\s+/g, '');
      for (let cut = 1; cut < hex.length / 2; cut++) {
        expect(rejection(() => decodeServerMessage(fromHex(hex.slice(0, cut * 2)))).code).toMatch(/TW_ERR_TRUNCATED|TW_ERR_COUNT_OVERRUN/);
      }
    });
  });

  describe('encoders', () => {
    it('name the field of a bad request or page', () => {
      expect(() => encodeMessage({ ...REQUEST, count: -1 })).toThrow('history.count must be a non-negative safe integer, got -1');
      expect(() => encodeMessage({ ...REQUEST, endTimeUs: 1.5 })).toThrow('history.endTimeUs must be a non-negative safe integer, got 1.5');
      expect(() => encodeMessage({ ...REQUEST, interval: 2 ** 31 })).toThrow(RangeError);
      expect(() => encodeMessage({ ...PAGE, interval: 120 as 60 })).toThrow(
        'historyPage.interval must be one of BAR_INTERVALS (seconds), got 120',
      );
      expect(() => encodeJsonMessage({ ...PAGE, more: 'yes' as unknown as boolean })).toThrow(TypeError);
    });
  });

  it('isHistoryCount accepts 1 .. MAX_HISTORY_PAGE_BARS only', () => {
    expect([0, 1, 1000, 1001, 2 ** 31, 1.5, -1, '5'].map(isHistoryCount)).toStrictEqual([
      false,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
