/**
 * The WebSocket surface the client needs, so one client runs on the browser's `WebSocket` and on
 * Node's `ws` alike (both implement the `onX` handler API and `binaryType = 'arraybuffer'`).
 */
import { MAX_CLOSE_REASON_BYTES } from '../protocol/constants';
import { fitUtf8 } from '../text/fit-utf8';

/** `readyState` value of an open socket (WHATWG WebSockets standard). */
export const WS_OPEN = 1;

/**
 * Minimal browser `WebSocket` surface. Handlers are typed loosely (`any` event) because the DOM
 * and `ws` declare different event classes; the client only reads `data`, `code` and `reason`.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  /** Subprotocol the server selected (Sec-WebSocket-Protocol), '' when none. */
  readonly protocol: string;
  /** Bytes queued by `send` but not yet on the wire. */
  readonly bufferedAmount: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection at once, without a closing handshake. */
  terminate?(): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onopen: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onmessage: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onclose: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onerror: ((event: any) => void) | null;
}

/**
 * Opens a socket to `url` offering `protocols` (Sec-WebSocket-Protocol). Browser:
 * `(u, p) => new WebSocket(u, p)`; Node: the same with `WebSocket` from 'ws'.
 */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/**
 * A factory over `globalThis.WebSocket` (browsers, Deno, Node >= 22), or `undefined` when the
 * runtime has none (Node 20: pass `ws` explicitly).
 */
export function globalWebSocketFactory(): WebSocketFactory | undefined {
  const Ctor = (globalThis as { WebSocket?: new (url: string, protocols: string[]) => WebSocketLike }).WebSocket;
  if (typeof Ctor !== 'function') return undefined;
  return (url, protocols) => new Ctor(url, protocols);
}

/**
 * Normalises a received `event.data` to bytes or text. `ArrayBuffer` (binaryType 'arraybuffer'),
 * any typed array (e.g. a Node Buffer) and strings are accepted; anything else (a `Blob`, when
 * binaryType was not honoured) returns `undefined`.
 */
export function messageData(data: unknown): Uint8Array | string | undefined {
  if (typeof data === 'string') return data;
  // toString covers ArrayBuffers from another realm (iframe, test DOM), where instanceof fails.
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new Uint8Array(data as ArrayBuffer);
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * Closes a socket whose handlers are already detached. `graceful` sends a close frame with
 * `code` (a browser refuses codes outside 1000 and 3000-4999: then a plain `close()` is sent);
 * otherwise `terminate()` drops the TCP connection at once where available (`ws`). Never throws.
 */
export function closeSocketQuietly(socket: WebSocketLike, code: number, reason: string, graceful: boolean): void {
  // Closing a socket that is still connecting makes `ws` emit an 'error' event on the next tick
  // ("WebSocket was closed before the connection was established"). With the handlers detached,
  // Node would throw that as an uncaught exception; browsers never throw for error events.
  socket.onerror = ignoreError;
  try {
    if (!graceful && typeof socket.terminate === 'function') socket.terminate();
    else socket.close(code, fitUtf8(reason, MAX_CLOSE_REASON_BYTES));
  } catch {
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
}

function ignoreError(): void {
  // The socket is being closed on purpose; its error is expected and not news.
}
