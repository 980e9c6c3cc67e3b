/**
 * A bare protocol client for integration tests: a real `ws` socket, the real codec, and a log of
 * every decoded message so tests can wait for what a user would notice.
 */
import WebSocket from 'ws';
import { SUBPROTOCOL_BINARY, codecFor, type Codec } from '../../lib/protocol';
import type { ClientMessage, ServerMessage } from '../../lib/protocol/messages';

export interface RawClientOptions {
  readonly protocol?: string;
  readonly origin?: string;
}

export class RawClient {
  readonly messages: ServerMessage[] = [];
  /** The raw frame of each message, parallel to `messages` (bytes for binary, text for JSON). */
  readonly frames: (Uint8Array | string)[] = [];
  /** Receive time (ms) of each message, parallel to `messages`. */
  readonly receivedAtMs: number[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];
  readonly codec: Codec;

  private constructor(readonly ws: WebSocket) {
    const codec = codecFor(ws.protocol);
    if (!codec) throw new Error(`server chose unexpected protocol "${ws.protocol}"`);
    this.codec = codec;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? new Uint8Array(data) : data.toString('utf8');
      this.frames.push(frame);
      this.messages.push(this.codec.decodeServer(frame));
      this.receivedAtMs.push(Date.now());
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.notify();
        resolve(code);
      });
    });
    ws.on('error', () => undefined);
  }

  static connect(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options.protocol ?? SUBPROTOCOL_BINARY, options.origin ? { origin: options.origin } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  send(message: ClientMessage): void {
    this.ws.send(this.codec.encode(message));
  }

  sendRaw(data: Uint8Array | string, binary = true): void {
    this.ws.send(data, { binary });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first message (from index `from`) matching `predicate`. */
  async waitFor<T extends ServerMessage>(predicate: (m: ServerMessage) => m is T, timeoutMs = 5000, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.messages.length; i++) {
        const m = this.messages[i]!;
        if (predicate(m)) return m;
      }
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before the message arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `condition()` holds, re-checking on every message and every 20 ms. */
  async until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.ws.close(1000);
  }

  /** Stops reading from the socket, as a stuck browser tab would. */
  pauseReading(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resumeReading(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }
}

export const isType =
  <K extends ServerMessage['type']>(type: K) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: K }> =>
    m.type === type;
