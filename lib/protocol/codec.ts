/**
 * One object per negotiated subprotocol, so the gateway and the client pick a codec once at the
 * handshake and never branch on the protocol again.
 */
import { SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON } from './constants';
import { decodeClientMessage, decodeServerMessage } from './decoder';
import { encodeMessage } from './encoder';
import { protocolError } from './errors';
import { decodeJsonClientMessage, decodeJsonServerMessage, encodeJsonMessage } from './json';
import type { AnyMessage, ClientMessage, ServerMessage } from './messages';

/** Encoder and decoders of one subprotocol. Decoders throw {@link ProtocolError} only. */
export interface Codec {
  /** The `Sec-WebSocket-Protocol` value this codec speaks. */
  readonly subprotocol: string;
  /** True: messages travel as binary frames (`Uint8Array`); false: as text frames (`string`). */
  readonly binary: boolean;
  encode(msg: AnyMessage): Uint8Array | string;
  /**
   * Decodes what a client received. A frame of the wrong kind (text for a binary codec, bytes for
   * the JSON codec) is `TW_ERR_WRONG_FRAME_TYPE` (close 1003). An `ArrayBuffer` (a browser
   * WebSocket with `binaryType = 'arraybuffer'`) is accepted as bytes.
   */
  decodeServer(data: Uint8Array | ArrayBuffer | string): ServerMessage;
  /** Decodes what a server received; same frame rules as {@link Codec.decodeServer}. */
  decodeClient(data: Uint8Array | ArrayBuffer | string): ClientMessage;
}

function asBytes(data: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw protocolError('TW_ERR_WRONG_FRAME_TYPE', `text frame on the ${SUBPROTOCOL_BINARY} protocol (binary frames only)`);
}

function asText(data: Uint8Array | ArrayBuffer | string): string {
  if (typeof data === 'string') return data;
  throw protocolError('TW_ERR_WRONG_FRAME_TYPE', `binary frame on the ${SUBPROTOCOL_JSON} protocol (text frames only)`);
}

/** The `tickwire.v2` codec: binary frames. */
export const BINARY_CODEC: Codec = Object.freeze({
  subprotocol: SUBPROTOCOL_BINARY,
  binary: true,
  encode: encodeMessage,
  decodeServer: (data: Uint8Array | ArrayBuffer | string) => decodeServerMessage(asBytes(data)),
  decodeClient: (data: Uint8Array | ArrayBuffer | string) => decodeClientMessage(asBytes(data)),
});

/** The `tickwire.v2.json` codec: JSON text frames. */
export const JSON_CODEC: Codec = Object.freeze({
  subprotocol: SUBPROTOCOL_JSON,
  binary: false,
  encode: encodeJsonMessage,
  decodeServer: (data: Uint8Array | ArrayBuffer | string) => decodeJsonServerMessage(asText(data)),
  decodeClient: (data: Uint8Array | ArrayBuffer | string) => decodeJsonClientMessage(asText(data)),
});

/** The codec for a negotiated subprotocol, or `undefined` when Tickwire does not speak it. */
export function codecFor(subprotocol: string): Codec | undefined {
  if (subprotocol === SUBPROTOCOL_BINARY) return BINARY_CODEC;
  if (subprotocol === SUBPROTOCOL_JSON) return JSON_CODEC;
  return undefined;
}
