import { describe, expect, it } from 'vitest';
import { ProtocolError, SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON, SUPPORTED_SUBPROTOCOLS, codecFor } from '../../../lib/protocol';
import { GOLDEN_FIXTURES } from './fixtures/golden';

const ping = GOLDEN_FIXTURES.find((f) => f.name === 'ping')!;

function frameError(decode: () => unknown): [string, number] {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return [(error as ProtocolError).code, (error as ProtocolError).closeCode];
  }
  throw new Error('expected a ProtocolError');
}

describe('codecFor', () => {
  it('returns a codec for every supported subprotocol and undefined otherwise', () => {
    for (const subprotocol of SUPPORTED_SUBPROTOCOLS) expect(codecFor(subprotocol)?.subprotocol).toBe(subprotocol);
    expect(codecFor('tickwire.v1')).toBeUndefined();
    expect(codecFor('tickwire.v1.json')).toBeUndefined();
    expect(codecFor('')).toBeUndefined();
  });

  describe('the tickwire.v2 codec', () => {
    const codec = codecFor(SUBPROTOCOL_BINARY)!;

    it('encodes to bytes that both directions decode', () => {
      expect(codec.binary).toBe(true);
      const bytes = codec.encode(ping.message);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(codec.decodeServer(bytes)).toStrictEqual(ping.message);
      expect(codec.decodeClient(bytes)).toStrictEqual(ping.message);
    });

    it('accepts an ArrayBuffer (a browser WebSocket with binaryType arraybuffer)', () => {
      const bytes = codec.encode(ping.message) as Uint8Array;
      expect(codec.decodeServer(bytes.slice().buffer)).toStrictEqual(ping.message);
    });

    it('rejects a text frame with TW_ERR_WRONG_FRAME_TYPE (1003)', () => {
      expect(frameError(() => codec.decodeServer(ping.json))).toStrictEqual(['TW_ERR_WRONG_FRAME_TYPE', 1003]);
      expect(frameError(() => codec.decodeClient(ping.json))).toStrictEqual(['TW_ERR_WRONG_FRAME_TYPE', 1003]);
    });
  });

  describe('the tickwire.v2.json codec', () => {
    const codec = codecFor(SUBPROTOCOL_JSON)!;

    it('encodes to text that both directions decode', () => {
      expect(codec.binary).toBe(false);
      expect(codec.encode(ping.message)).toBe(ping.json);
      expect(codec.decodeServer(ping.json)).toStrictEqual(ping.message);
      expect(codec.decodeClient(ping.json)).toStrictEqual(ping.message);
    });

    it('rejects a binary frame with TW_ERR_WRONG_FRAME_TYPE (1003)', () => {
      const bytes = new TextEncoder().encode(ping.json);
      expect(frameError(() => codec.decodeServer(bytes))).toStrictEqual(['TW_ERR_WRONG_FRAME_TYPE', 1003]);
      expect(frameError(() => codec.decodeClient(bytes.buffer))).toStrictEqual(['TW_ERR_WRONG_FRAME_TYPE', 1003]);
    });
  });
});
