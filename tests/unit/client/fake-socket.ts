/**
 * An in-memory WebSocketLike for FeedClient unit tests: the test plays the server, delivering
 * messages through the real codec and reading what the client sent.
 */
import { BINARY_CODEC, type Codec, codecFor } from '../../../lib/protocol';
import type { ClientMessage, ServerMessage } from '../../../lib/protocol/messages';
import type { WebSocketFactory, WebSocketLike } from '../../../lib/client/transport';
import { AssetClass, type MarketUpdate } from '../../../lib/market/types';

export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  protocol = '';
  bufferedAmount = 0;
  closedWith: { code?: number; reason?: string } | undefined;
  terminated = false;
  readonly sent: ClientMessage[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly codec: Codec;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    this.codec = codecFor(protocols[0] ?? '') ?? BINARY_CODEC;
  }

  send(data: Uint8Array | string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(this.codec.decodeClient(data));
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }

  // ---- the test's side (the "server") ----
  open(): void {
    this.readyState = 1;
    this.protocol = this.protocols[0] ?? '';
    this.onopen?.({});
  }
  deliver(message: ServerMessage): void {
    const data = this.codec.encode(message);
    // Binary arrives as an ArrayBuffer, as with binaryType 'arraybuffer'.
    const payload = typeof data === 'string' ? data : data.slice().buffer;
    this.onmessage?.({ data: payload });
  }
  deliverRaw(data: unknown): void {
    this.onmessage?.({ data });
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  fail(): void {
    this.onerror?.({ message: 'connect ECONNREFUSED' });
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  /** Client messages of one type sent so far. */
  sentOf<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ClientMessage, { type: T }> => m.type === type);
  }
}

/** A transport that records every socket it opens. */
export function fakeTransport(): { factory: WebSocketFactory; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    last: () => {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error('no socket opened');
      return socket;
    },
  };
}

export const BTC = { id: 1, symbol: 'BTC-USD', venue: 'SIM', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 8 };
export const ETH = { id: 2, symbol: 'ETH-USD', venue: 'SIM', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 6 };

/** The greeting a gateway sends on connect. */
export function greet(socket: FakeSocket, epoch = 7, heartbeatIntervalMs = 1000, protocolVersion = 2): void {
  socket.open();
  socket.deliver({ type: 'hello', protocolVersion, serverId: 'gw-test', epoch, heartbeatIntervalMs, serverTimeUs: 1_700_000_000_000_000, capabilities: [], intervals: [1, 5, 60, 300, 900, 3600] });
  socket.deliver({ type: 'instruments', instruments: [{ ...BTC, removed: false }, { ...ETH, removed: false }] });
  socket.deliver({ type: 'status', venues: [{ venue: 'SIM', state: 'live', reason: '' }] });
}

const T0 = 1_700_000_000_000_000;

export function trade(instrumentId: number, seq: number, price = 6_000_012): MarketUpdate {
  return { kind: 'trade', instrumentId, seq, eventTimeUs: T0 + seq, receiveTimeUs: T0 + seq + 5, price, size: 1_500_000, side: 1, tradeId: seq };
}

export function quote(instrumentId: number, seq: number): MarketUpdate {
  return { kind: 'quote', instrumentId, seq, eventTimeUs: T0 + seq, receiveTimeUs: T0 + seq + 5, bid: 100, bidSize: 1, ask: 101, askSize: 2 };
}

export function bar(instrumentId: number, seq: number, interval: 1 | 60 | 300 = 60): MarketUpdate {
  return {
    kind: 'bar', instrumentId, seq, eventTimeUs: T0 + seq, receiveTimeUs: T0 + seq, interval,
    openTimeUs: 1_699_999_200_000_000, open: 1, high: 2, low: 1, close: 2, volume: 10, tradeCount: 3, vwap: 2,
  };
}
