import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeJsonClientMessage,
  decodeJsonServerMessage,
  decodeServerMessage,
  encodeJsonMessage,
  encodeMessage,
} from '../../../lib/protocol';
import { GOLDEN_FIXTURES, type GoldenFixture } from './fixtures/golden';

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

function decodeBinary(f: GoldenFixture, bytes: Uint8Array) {
  return f.direction === 'client' ? decodeClientMessage(bytes) : decodeServerMessage(bytes);
}

function decodeJson(f: GoldenFixture, text: string) {
  return f.direction === 'client' ? decodeJsonClientMessage(text) : decodeJsonServerMessage(text);
}

describe('Golden fixtures', () => {
  describe.each(GOLDEN_FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    it('encodes to exactly the fixture bytes', () => {
      expect(toHex(encodeMessage(fixture.message))).toBe(fixture.hex.replace(/\s+/g, ''));
    });

    it('decodes the fixture bytes to exactly the message', () => {
      expect(decodeBinary(fixture, fromHex(fixture.hex))).toStrictEqual(fixture.message);
    });

    it('encodes to exactly the fixture JSON, which is JSON.stringify of the message', () => {
      expect(encodeJsonMessage(fixture.message)).toBe(fixture.json);
      expect(JSON.parse(fixture.json)).toStrictEqual(fixture.message);
    });

    it('decodes the fixture JSON to exactly the message', () => {
      expect(decodeJson(fixture, fixture.json)).toStrictEqual(fixture.message);
    });

    if (fixture.direction === 'both') {
      it('is accepted by both the server and the client decoders', () => {
        expect(decodeClientMessage(fromHex(fixture.hex))).toStrictEqual(fixture.message);
        expect(decodeServerMessage(fromHex(fixture.hex))).toStrictEqual(fixture.message);
      });
    }
  });

  it('covers every message type', () => {
    const types = new Set(GOLDEN_FIXTURES.map((f) => f.message.type));
    expect([...types].sort()).toStrictEqual([
      'ack',
      'batch',
      'error',
      'heartbeat',
      'hello',
      'history',
      'historyPage',
      'instruments',
      'ping',
      'pong',
      'snapshot',
      'status',
      'subscribe',
      'unsubscribe',
    ]);
  });

  it('appear byte for byte in docs/protocol.md', () => {
    const spec = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    for (const fixture of GOLDEN_FIXTURES) {
      expect(spec, fixture.name).toContain(fixture.hex);
      expect(spec, fixture.name).toContain(fixture.json);
    }
  });
});
