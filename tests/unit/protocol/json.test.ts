import { describe, expect, it } from 'vitest';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  PROTOCOL_ERROR_CLOSE_CODES,
  ProtocolError,
  decodeJsonClientMessage,
  decodeJsonServerMessage,
} from '../../../lib/protocol';
import { GOLDEN_FIXTURES } from './fixtures/golden';

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

const server = (value: unknown) => rejection(() => decodeJsonServerMessage(typeof value === 'string' ? value : JSON.stringify(value)));
const client = (value: unknown) => rejection(() => decodeJsonClientMessage(typeof value === 'string' ? value : JSON.stringify(value)));

const BATCH = JSON.parse(GOLDEN_FIXTURES.find((f) => f.name === 'batch')!.json) as { updates: Record<string, unknown>[] };
const QUOTE = BATCH.updates[0]!;
const TRADE = BATCH.updates[1]!;
const BAR = BATCH.updates[2]!;
const batchWith = (update: Record<string, unknown>) => ({ type: 'batch', conflated: false, updates: [update] });

describe('JSON codec', () => {
  describe('#decodeJsonServerMessage', () => {
    it('rejects text that is not JSON, or not a JSON object, with TW_ERR_BAD_JSON', () => {
      for (const text of ['{', 'hello', '{"type":"ack",}', '[]', '42', 'null', '"ack"']) expect(server(text).code).toBe('TW_ERR_BAD_JSON');
    });

    it('rejects empty text with TW_ERR_EMPTY_MESSAGE', () => {
      expect(server('').code).toBe('TW_ERR_EMPTY_MESSAGE');
    });

    it('rejects an unknown or missing type with TW_ERR_UNKNOWN_MESSAGE_TYPE (1002)', () => {
      expect(server({ type: 'greeting' }).closeCode).toBe(1002);
      expect(server({ requestId: 1 }).code).toBe('TW_ERR_UNKNOWN_MESSAGE_TYPE');
    });

    it('rejects client message types with TW_ERR_WRONG_DIRECTION', () => {
      expect(server({ type: 'unsubscribe', requestId: 1, all: true, symbols: [] }).code).toBe('TW_ERR_WRONG_DIRECTION');
    });

    it('rejects missing fields, extra fields and fields of the wrong type', () => {
      expect(server({ type: 'ack' }).code).toBe('TW_ERR_BAD_VALUE');
      expect(server({ type: 'ack', requestId: 1, extra: true }).code).toBe('TW_ERR_BAD_VALUE');
      expect(server({ type: 'ack', requestId: '1' }).code).toBe('TW_ERR_BAD_VALUE');
      expect(server('{"type":"ack","requestId":1,"__proto__":{}}').code).toBe('TW_ERR_BAD_VALUE');
      const { size: _size, ...tradeWithoutSize } = TRADE;
      expect(server(batchWith(tradeWithoutSize)).code).toBe('TW_ERR_BAD_VALUE');
      expect(server(batchWith({ ...QUOTE, venue: 'SIM' })).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects numbers that are not safe integers in their range', () => {
      for (const price of [1.5, 9007199254740992, -9007199254740992, '1'])
        expect(server(batchWith({ ...TRADE, price })).code).toBe('TW_ERR_BAD_VALUE');
      expect(server(batchWith({ ...TRADE, size: -1 })).code).toBe('TW_ERR_BAD_VALUE');
      expect(server(batchWith({ ...TRADE, tradeId: 1.5 })).code).toBe('TW_ERR_BAD_VALUE');
      expect(server(batchWith({ ...TRADE, tradeId: null })).code).toBe('TW_ERR_BAD_VALUE');
      expect(server('{"type":"ack","requestId":1e400}').code).toBe('TW_ERR_BAD_VALUE');
    });

    it('accepts negative prices and rejects negative timestamps', () => {
      expect(decodeJsonServerMessage(JSON.stringify(batchWith({ ...QUOTE, bid: -5, ask: -3 })))).toMatchObject({
        updates: [{ bid: -5, ask: -3 }],
      });
      expect(server(batchWith({ ...QUOTE, eventTimeUs: -1 })).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects unknown update kinds, sides, intervals and enum values', () => {
      expect(server(batchWith({ ...TRADE, kind: 'print' })).code).toBe('TW_ERR_UNKNOWN_UPDATE_KIND');
      expect(server(batchWith({ ...TRADE, side: 3 })).code).toBe('TW_ERR_BAD_VALUE');
      expect(server(batchWith({ ...BAR, interval: 2 })).code).toBe('TW_ERR_BAD_VALUE');
      expect(server({ type: 'error', requestId: 1, code: 6, message: '' }).code).toBe('TW_ERR_BAD_VALUE');
      expect(server({ type: 'status', venues: [{ venue: 'SIM', state: 'up', reason: '' }] }).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('accepts the venue state upstream_lost and names every state when refusing another', () => {
      const lost = { type: 'status', venues: [{ venue: 'SIM', state: 'upstream_lost', reason: 'gateway lost NATS' }] };
      expect(decodeJsonServerMessage(JSON.stringify(lost))).toStrictEqual(lost);
      expect(server({ type: 'status', venues: [{ venue: 'SIM', state: 'lost', reason: '' }] }).message).toContain(
        'connecting, live, stale, down or upstream_lost',
      );
    });

    it('rejects deltas the binary layout could not carry, so both protocols accept the same messages', () => {
      expect(server(batchWith({ ...QUOTE, bid: -(2 ** 52), ask: 2 ** 52 })).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects strings over 1024 UTF-8 bytes and lone surrogates', () => {
      expect(server({ type: 'error', requestId: 1, code: 2, message: 'é'.repeat(513) }).code).toBe('TW_ERR_STRING_TOO_LONG');
      expect(server('{"type":"error","requestId":1,"code":2,"message":"\\ud800"}').code).toBe('TW_ERR_BAD_STRING');
    });

    it('accepts hello intervals 1 .. 2^31-1 and unknown capability names, and rejects other values', () => {
      const hello = JSON.parse(GOLDEN_FIXTURES.find((f) => f.name === 'hello')!.json) as Record<string, unknown>;
      expect(
        decodeJsonServerMessage(JSON.stringify({ ...hello, capabilities: ['history', 'future'], intervals: [1, 2 ** 31 - 1] })),
      ).toMatchObject({
        capabilities: ['history', 'future'],
        intervals: [1, 2 ** 31 - 1],
      });
      for (const interval of [0, -1, 1.5, 2 ** 31, '60', null]) {
        expect(server({ ...hello, intervals: [60, interval] }).code, String(interval)).toBe('TW_ERR_BAD_VALUE');
      }
      expect(server({ ...hello, capabilities: [1] }).code).toBe('TW_ERR_BAD_VALUE');
      expect(server({ ...hello, capabilities: 'history' }).code).toBe('TW_ERR_BAD_VALUE');
      expect(server({ ...hello, capabilities: ['x'.repeat(1025)] }).code).toBe('TW_ERR_STRING_TOO_LONG');
      const { intervals: _dropped, ...withoutIntervals } = hello;
      expect(server(withoutIntervals).code).toBe('TW_ERR_BAD_VALUE');
    });
  });

  describe('#decodeJsonClientMessage', () => {
    it('rejects server message types with TW_ERR_WRONG_DIRECTION', () => {
      expect(client({ type: 'ack', requestId: 1 }).code).toBe('TW_ERR_WRONG_DIRECTION');
    });

    it('rejects text over 16 KiB of UTF-8 with TW_ERR_MESSAGE_TOO_BIG (1009)', () => {
      const padding = '€'.repeat(Math.ceil(MAX_CLIENT_MESSAGE_BYTES / 3));
      const error = client(`{"type":"ping","nonce":1,"sentTimeUs":1,"pad":"${padding}"}`);
      expect([error.code, error.closeCode]).toStrictEqual(['TW_ERR_MESSAGE_TOO_BIG', 1009]);
    });

    it('reads request intervals 0 .. 2^31-1 in subscribe and unsubscribe and rejects others or a missing one', () => {
      const unsubscribe = { type: 'unsubscribe', requestId: 3, all: false, interval: 2 ** 31 - 1, symbols: ['SIM:BTC-USD'] };
      expect(decodeJsonClientMessage(JSON.stringify(unsubscribe))).toStrictEqual(unsubscribe);
      for (const interval of [-1, 2 ** 31, 1.5, '60', null]) {
        expect(client({ ...unsubscribe, interval }).code, String(interval)).toBe('TW_ERR_BAD_VALUE');
        expect(client({ type: 'subscribe', requestId: 1, all: true, interval, resumeEpoch: 0, symbols: [] }).code, String(interval)).toBe(
          'TW_ERR_BAD_VALUE',
        );
      }
      const { interval: _dropped, ...withoutInterval } = unsubscribe;
      expect(client(withoutInterval).code).toBe('TW_ERR_BAD_VALUE');
    });

    it('rejects a subscribe entry with the wrong fields', () => {
      expect(client({ type: 'subscribe', requestId: 1, all: false, interval: 60, resumeEpoch: 0, symbols: [{ symbol: 'A' }] }).code).toBe(
        'TW_ERR_BAD_VALUE',
      );
      expect(client({ type: 'subscribe', requestId: 1, all: false, interval: 60, resumeEpoch: 0, symbols: ['A'] }).code).toBe(
        'TW_ERR_BAD_VALUE',
      );
    });
  });
});
