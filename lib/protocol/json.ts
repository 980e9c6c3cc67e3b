/**
 * JSON codec for `tickwire.v2.json`: the message objects of messages.ts as `JSON.stringify` text,
 * one per text frame (docs/protocol.md §7). Meant for debugging with any WebSocket tool, so it is
 * as strict as the binary codec: every field is validated, unknown or missing fields are errors.
 */
import { MAX_CLIENT_MESSAGE_BYTES } from './constants';
import { canonicalMessage, type CanonicalOptions } from './canonical';
import { protocolError } from './errors';
import type { AnyMessage, ClientMessage, ServerMessage } from './messages';
import { utf8ByteLength } from './validation';

const DECODE: CanonicalOptions = {
  fail: (code, message) => {
    throw protocolError(code, message);
  },
  rejectExtraFields: true,
};

const ENCODE: CanonicalOptions = {
  fail: (_code, message, wrongType) => {
    throw wrongType ? new TypeError(message) : new RangeError(message);
  },
  rejectExtraFields: false,
};

/**
 * Encodes a message as JSON text. The message is validated like {@link encodeMessage} does (TypeError /
 * RangeError naming the field) and written with exactly the model's fields: extra properties on the
 * objects are dropped, so the receiving decoder (which rejects unknown fields) accepts the output.
 */
export function encodeJsonMessage(msg: AnyMessage): string {
  return JSON.stringify(canonicalMessage(msg, 'any', ENCODE));
}

/** Decodes a JSON text message received by a client. Throws {@link ProtocolError} only. */
export function decodeJsonServerMessage(text: string): ServerMessage {
  return canonicalMessage(parse(text), 'server', DECODE);
}

/**
 * Decodes a JSON text message received by a server. Throws {@link ProtocolError} only; text above
 * {@link MAX_CLIENT_MESSAGE_BYTES} UTF-8 bytes is `TW_ERR_MESSAGE_TOO_BIG` (close 1009).
 */
export function decodeJsonClientMessage(text: string): ClientMessage {
  if (typeof text === 'string' && exceedsClientLimit(text)) {
    throw protocolError('TW_ERR_MESSAGE_TOO_BIG', `client message exceeds ${MAX_CLIENT_MESSAGE_BYTES} bytes`);
  }
  return canonicalMessage(parse(text), 'client', DECODE);
}

function exceedsClientLimit(text: string): boolean {
  // UTF-16 length <= UTF-8 length <= 3 x UTF-16 length: count bytes only when it can matter.
  if (text.length > MAX_CLIENT_MESSAGE_BYTES) return true;
  return text.length * 3 > MAX_CLIENT_MESSAGE_BYTES && utf8ByteLength(text) > MAX_CLIENT_MESSAGE_BYTES;
}

function parse(text: string): unknown {
  if (typeof text !== 'string') throw protocolError('TW_ERR_WRONG_FRAME_TYPE', 'JSON decoder given something other than text');
  if (text.length === 0) throw protocolError('TW_ERR_EMPTY_MESSAGE', 'empty message');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw protocolError('TW_ERR_BAD_JSON', 'message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw protocolError('TW_ERR_BAD_JSON', 'message is not a JSON object');
  }
  return value;
}
