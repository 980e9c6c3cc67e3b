/**
 * Fuzzing the decoders: random frames and mutations of valid frames (bit flips, byte overwrites,
 * truncation, extension, splices between frames, deleted and duplicated ranges, oversized varints),
 * and mutated JSON (character edits and structural edits). Decoding must yield a message or a
 * ProtocolError with a known code; a yielded message must itself be valid (the encoder accepts it
 * and it round-trips). Deterministic: a seeded PRNG drives every choice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_ERROR_CLOSE_CODES,
  ProtocolError,
  decodeClientMessage,
  decodeJsonClientMessage,
  decodeJsonServerMessage,
  decodeServerMessage,
  encodeJsonMessage,
  encodeMessage,
  type AnyMessage,
} from '../../../lib/protocol';
import { anyMessage, clientMessage, serverMessage } from './fixtures/arbitraries';
import { GOLDEN_FIXTURES } from './fixtures/golden';

const BINARY_FRAMES = 120_000;
const JSON_TEXTS = 60_000;
const ALLOWED_CLOSE_CODES = new Set([1002, 1003, 1007, 1009]);
const TYPE_BYTES = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x20, 0x21, 0x22, 0x30, 0x31];
/** Reserved for later v2 features (docs/protocol.md §1.3): no decoder of this version accepts them. */
const RESERVED_TYPE_BYTES = [0x0a, 0x0b, 0x23, 0x24, 0x32, 0x3f];
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x3c, 0x7f, 0x80, 0x81, 0xc0, 0xed, 0xfe, 0xff];
const OVERSIZED_VARINTS = [
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
];

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

type Rng = ReturnType<typeof prng>;

const baseMessages: AnyMessage[] = [...GOLDEN_FIXTURES.map((f) => f.message), ...fc.sample(anyMessage, { numRuns: 400, seed: 20241121 })];
const baseFrames = baseMessages.map((m) => encodeMessage(m));
const baseTexts = baseMessages.map((m) => encodeJsonMessage(m));

const V2_FRAMES = 30_000;
const V2_TEXTS = 15_000;
/** The messages v2 changed: hello (capabilities, intervals) and the requests' intervals. */
const v2Messages: AnyMessage[] = [
  ...GOLDEN_FIXTURES.filter((f) => ['hello', 'subscribe', 'unsubscribe'].includes(f.message.type)).map((f) => f.message),
  ...fc.sample(
    fc.oneof(serverMessage, clientMessage).filter((m) => ['hello', 'subscribe', 'unsubscribe'].includes(m.type)),
    { numRuns: 200, seed: 2 },
  ),
];
const v2Frames = v2Messages.map((m) => encodeMessage(m));
const v2Texts = v2Messages.map((m) => encodeJsonMessage(m));
/** Varints of 0, 1, 2^31-1, 2^31, 2^32, 2^53-1 and a huge count: the edges of intervals and counts. */
const EDGE_VARINTS = [
  [0x00],
  [0x01],
  [0xff, 0xff, 0xff, 0xff, 0x07],
  [0x80, 0x80, 0x80, 0x80, 0x08],
  [0x80, 0x80, 0x80, 0x80, 0x10],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x7f],
  [0x80, 0x01],
];

function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  let bytes = [...input];
  const rounds = 1 + rng.int(4);
  for (let round = 0; round < rounds; round++) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(9)) {
      case 0:
        if (bytes.length > 0) bytes[at % bytes.length]! ^= 1 << rng.int(8);
        break;
      case 1:
        if (bytes.length > 0) bytes[at % bytes.length] = rng.next() < 0.5 ? rng.pick(INTERESTING_BYTES) : rng.int(256);
        break;
      case 2:
        bytes = bytes.slice(0, at);
        break;
      case 3:
        bytes.push(...Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)));
        break;
      case 4: {
        const other = rng.pick(baseFrames);
        const from = rng.int(other.length);
        bytes.splice(at, rng.int(8), ...other.subarray(from, from + 1 + rng.int(24)));
        break;
      }
      case 5:
        bytes.splice(at, 1 + rng.int(6));
        break;
      case 6:
        bytes.splice(at, 0, ...bytes.slice(at, at + 1 + rng.int(12)));
        break;
      case 7:
        if (bytes.length > 0)
          bytes[0] = rng.next() < 0.7 ? rng.pick(TYPE_BYTES) : rng.next() < 0.5 ? rng.pick(RESERVED_TYPE_BYTES) : rng.int(256);
        break;
      default:
        bytes.splice(at, rng.int(3), ...rng.pick(OVERSIZED_VARINTS));
    }
  }
  return new Uint8Array(bytes);
}

function randomFrame(rng: Rng): Uint8Array {
  const bytes = Array.from({ length: rng.int(48) }, () => (rng.next() < 0.3 ? rng.pick(INTERESTING_BYTES) : rng.int(256)));
  if (bytes.length > 0 && rng.next() < 0.6) bytes[0] = rng.pick(TYPE_BYTES);
  return new Uint8Array(bytes);
}

/** Half the time, hand the decoder a view into a larger buffer, as `ws` does. */
function maybeView(rng: Rng, bytes: Uint8Array): Uint8Array {
  if (rng.next() < 0.5) return bytes;
  const offset = 1 + rng.int(16);
  const backing = Buffer.alloc(offset + bytes.length + rng.int(16), rng.int(256));
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}

const JSON_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  1e308,
  '',
  'x',
  'é'.repeat(600),
  '\ud800',
  [],
  {},
  [1],
  { a: 1 },
  'trade',
  'quote',
  'bar',
  'ack',
  'subscribe',
  'unsubscribe',
  'hello',
  60,
  3,
  300,
  2 ** 31 - 1,
  2 ** 31,
  [0],
  [2 ** 31],
  ['history'],
  [60, 300],
];
const JSON_SNIPPETS = ['{', '}', '[', ']', '"', ',', ':', '-', '0', '9', 'e', '\\', '\\u', 'null', 'true', ' ', '1e999', '"type"'];

function mutateJson(rng: Rng, text: string): string {
  if (rng.next() < 0.5) return mutateJsonStructure(rng, JSON.parse(text) as unknown);
  let out = text;
  const rounds = 1 + rng.int(3);
  for (let round = 0; round < rounds; round++) {
    const at = rng.int(out.length + 1);
    const choice = rng.int(4);
    if (choice === 0) out = out.slice(0, at);
    else if (choice === 1) out = out.slice(0, at) + out.slice(at + 1 + rng.int(5));
    else if (choice === 2) out = out.slice(0, at) + rng.pick(JSON_SNIPPETS) + out.slice(at);
    else out = out.slice(0, at) + String.fromCharCode(rng.int(0x80)) + out.slice(at + 1);
  }
  return out;
}

/** Replaces, deletes or adds one field somewhere in the parsed message, then re-serialises. */
function mutateJsonStructure(rng: Rng, root: unknown): string {
  let node = root as Record<string, unknown> | unknown[];
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const child = (node as Record<string, unknown>)[rng.pick(keys)];
    if (typeof child !== 'object' || child === null || rng.next() < 0.35) break;
    node = child as Record<string, unknown> | unknown[];
  }
  const keys = Object.keys(node);
  const target = node as Record<string, unknown>;
  const action = rng.int(3);
  if (action === 0 && keys.length > 0) target[rng.pick(keys)] = rng.pick(JSON_VALUES);
  else if (action === 1 && keys.length > 0 && !Array.isArray(node)) delete target[rng.pick(keys)];
  else if (!Array.isArray(node)) target[rng.next() < 0.5 ? 'extra' : rng.pick(['type', 'kind', 'seq', 'updates'])] = rng.pick(JSON_VALUES);
  return JSON.stringify(root);
}

/** Runs one decode; returns 'ok' or 'rejected', and fails the test on anything but a well-formed ProtocolError. */
function check(decode: () => AnyMessage, reencode: (msg: AnyMessage) => AnyMessage): 'ok' | 'rejected' {
  let msg: AnyMessage;
  try {
    msg = decode();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`decoder threw a non-ProtocolError: ${String(error)}`, { cause: error });
    if (!(error.code in PROTOCOL_ERROR_CLOSE_CODES)) throw new Error(`unknown ProtocolError code ${error.code}`, { cause: error });
    if (error.closeCode !== PROTOCOL_ERROR_CLOSE_CODES[error.code] || !ALLOWED_CLOSE_CODES.has(error.closeCode)) {
      throw new Error(`bad close code ${error.closeCode} for ${error.code}`, { cause: error });
    }
    return 'rejected';
  }
  // Whatever a decoder yields must be a valid message: it encodes and comes back the same.
  expect(reencode(msg)).toStrictEqual(msg);
  return 'ok';
}

describe('Decoder fuzzing', () => {
  it(`survives ${BINARY_FRAMES} random and mutated binary frames through both decoders`, () => {
    const rng = prng(0x7ec1c);
    const outcomes = { ok: 0, rejected: 0 };
    for (let i = 0; i < BINARY_FRAMES; i++) {
      const frame = maybeView(rng, i % 5 === 0 ? randomFrame(rng) : mutateBytes(rng, rng.pick(baseFrames)));
      outcomes[
        check(
          () => decodeServerMessage(frame),
          (m) => decodeServerMessage(encodeMessage(m)),
        )
      ]++;
      outcomes[
        check(
          () => decodeClientMessage(frame),
          (m) => decodeClientMessage(encodeMessage(m)),
        )
      ]++;
    }
    // Both outcomes must be well represented, or the mutations are too timid (or too destructive).
    expect(outcomes.ok).toBeGreaterThan(BINARY_FRAMES / 50);
    expect(outcomes.rejected).toBeGreaterThan(BINARY_FRAMES / 2);
  });

  it(`survives ${JSON_TEXTS} mutated JSON texts through both JSON decoders`, () => {
    const rng = prng(0x15011);
    const outcomes = { ok: 0, rejected: 0 };
    for (let i = 0; i < JSON_TEXTS; i++) {
      const text = mutateJson(rng, rng.pick(baseTexts));
      outcomes[
        check(
          () => decodeJsonServerMessage(text),
          (m) => decodeJsonServerMessage(encodeJsonMessage(m)),
        )
      ]++;
      outcomes[
        check(
          () => decodeJsonClientMessage(text),
          (m) => decodeJsonClientMessage(encodeJsonMessage(m)),
        )
      ]++;
    }
    expect(outcomes.ok).toBeGreaterThan(JSON_TEXTS / 100);
    expect(outcomes.rejected).toBeGreaterThan(JSON_TEXTS / 2);
  });

  it(`survives ${V2_FRAMES} frames of the v2 surface with counts and intervals overwritten by edge varints`, () => {
    const rng = prng(0x2b2);
    const outcomes = { ok: 0, rejected: 0 };
    for (let i = 0; i < V2_FRAMES; i++) {
      const base = rng.pick(v2Frames);
      // Overwrite one varint-sized run (a count, an interval, a length) with an edge value, then
      // maybe mutate further; hello's two lists and the requests' intervals are where v2 added bytes.
      const bytes = [...base];
      const at = 1 + rng.int(Math.max(1, bytes.length - 1));
      bytes.splice(at, 1 + rng.int(5), ...rng.pick(EDGE_VARINTS));
      const frame = rng.next() < 0.5 ? new Uint8Array(bytes) : mutateBytes(rng, new Uint8Array(bytes));
      outcomes[
        check(
          () => decodeServerMessage(frame),
          (m) => decodeServerMessage(encodeMessage(m)),
        )
      ]++;
      outcomes[
        check(
          () => decodeClientMessage(frame),
          (m) => decodeClientMessage(encodeMessage(m)),
        )
      ]++;
    }
    expect(outcomes.ok).toBeGreaterThan(V2_FRAMES / 50);
    expect(outcomes.rejected).toBeGreaterThan(V2_FRAMES / 2);
  });

  it(`survives ${V2_TEXTS} structural edits of the v2 JSON messages`, () => {
    const rng = prng(0x2b3);
    const outcomes = { ok: 0, rejected: 0 };
    for (let i = 0; i < V2_TEXTS; i++) {
      const text = mutateJsonStructure(rng, JSON.parse(rng.pick(v2Texts)) as unknown);
      outcomes[
        check(
          () => decodeJsonServerMessage(text),
          (m) => decodeJsonServerMessage(encodeJsonMessage(m)),
        )
      ]++;
      outcomes[
        check(
          () => decodeJsonClientMessage(text),
          (m) => decodeJsonClientMessage(encodeJsonMessage(m)),
        )
      ]++;
    }
    expect(outcomes.ok).toBeGreaterThan(V2_TEXTS / 100);
    expect(outcomes.rejected).toBeGreaterThan(V2_TEXTS / 2);
  });

  it('rejects a frame claiming a huge count in a tiny buffer before allocating for it', () => {
    const huge = 'ffffffffffffff0f'; // 2^53-1
    const frames: Array<[string, (b: Uint8Array) => unknown]> = [
      [`0300 00 ${huge}`, decodeServerMessage],
      [`04 01 00 01 01 00 00 ${huge}`, decodeServerMessage],
      [`02 ${huge}`, decodeServerMessage],
      [`08 ${huge}`, decodeServerMessage],
      [`20 01 00 00 00 ${huge}`, decodeClientMessage],
      [`21 01 00 00 ${huge}`, decodeClientMessage],
      [`01 02 00 00 00 00 ${huge}`, decodeServerMessage],
      [`01 02 00 00 00 00 00 ${huge}`, decodeServerMessage],
    ];
    for (const [hex, decode] of frames) {
      const bytes = new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
      const started = performance.now();
      expect(() => decode(bytes)).toThrow(expect.objectContaining({ code: 'TW_ERR_COUNT_OVERRUN' }));
      expect(performance.now() - started).toBeLessThan(50);
    }
  });
});
