/**
 * An in-memory WebSocketLike for FeedClient unit tests: the test plays the server, delivering
 * messages through the real codec and reading what the client sent.
 */
import { BINARY_CODEC, type Codec, codecFor } from '../../../lib/protocol';
import type { ClientMessage, ServerMessage } from '../../../lib/protocol/messages';
import type { WebSocketFactory, WebSocketLike } from '../../../lib/client/transport';
import { AssetClass, type BarInterval, type MarketUpdate } from '../../../lib/market/types';
import { ErrorCode } from '../../../lib/protocol/constants';

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
  socket.deliver({
    type: 'hello',
    protocolVersion,
    serverId: 'gw-test',
    epoch,
    heartbeatIntervalMs,
    serverTimeUs: 1_700_000_000_000_000,
    capabilities: [],
    intervals: [1, 5, 60, 300, 900, 3600],
  });
  socket.deliver({
    type: 'instruments',
    instruments: [
      { ...BTC, removed: false },
      { ...ETH, removed: false },
    ],
  });
  socket.deliver({ type: 'status', venues: [{ venue: 'SIM', state: 'live', reason: '' }] });
}

const T0 = 1_700_000_000_000_000;

export function trade(instrumentId: number, seq: number, price = 6_000_012): MarketUpdate {
  return {
    kind: 'trade',
    instrumentId,
    seq,
    eventTimeUs: T0 + seq,
    receiveTimeUs: T0 + seq + 5,
    price,
    size: 1_500_000,
    side: 1,
    tradeId: seq,
  };
}

export function quote(instrumentId: number, seq: number): MarketUpdate {
  return {
    kind: 'quote',
    instrumentId,
    seq,
    eventTimeUs: T0 + seq,
    receiveTimeUs: T0 + seq + 5,
    bid: 100,
    bidSize: 1,
    ask: 101,
    askSize: 2,
  };
}

export function bar(instrumentId: number, seq: number, interval: BarInterval = 60): MarketUpdate {
  return {
    kind: 'bar',
    instrumentId,
    seq,
    eventTimeUs: T0 + seq,
    receiveTimeUs: T0 + seq,
    interval,
    openTimeUs: 1_699_999_200_000_000,
    open: 1,
    high: 2,
    low: 1,
    close: 2,
    volume: 10,
    tradeCount: 3,
    vwap: 2,
  };
}

/**
 * Plays a v2 gateway on one fake socket (docs/protocol.md §2.3): it holds (instrument, interval)
 * pairs and (all, interval) pairs, answers each subscribe with an ack and one snapshot per pair
 * (bars only when the instrument's ticks already flow on this connection), drops pairs on
 * unsubscribe, and publishes an instrument's ticks once followed by a bar for each interval held.
 */
export class FakeGateway {
  /** Last sequence number per instrument (shared by every connection of one test's "feed"). */
  readonly seq: Map<number, number>;
  readonly #pairs = new Map<number, Set<number>>();
  readonly #all = new Set<number>();
  #handled = 0;

  constructor(
    readonly socket: FakeSocket,
    readonly epoch = 7,
    seq?: Map<number, number>,
    readonly instruments: ReadonlyArray<{ id: number; symbol: string; venue: string }> = [BTC, ETH],
  ) {
    this.seq = seq ?? new Map(instruments.map((i) => [i.id, 10]));
  }

  /** Greets (hello, instruments, status) and answers what the client sends on hello. */
  greet(): this {
    greet(this.socket, this.epoch);
    this.answer();
    return this;
  }

  /** Intervals held for an instrument (by name or through "all"), ascending. */
  intervalsFor(id: number): number[] {
    return [...new Set([...(this.#pairs.get(id) ?? []), ...this.#all])].sort((a, b) => a - b);
  }

  /** Answers every request sent since the last call. */
  answer(): void {
    const requests = this.socket.sent.slice(this.#handled);
    this.#handled = this.socket.sent.length;
    for (const m of requests) {
      if (m.type === 'subscribe') this.#subscribe(m.requestId, m.all, m.interval, m.resumeEpoch, m.symbols);
      else if (m.type === 'unsubscribe') this.#unsubscribe(m.requestId, m.all, m.interval, m.symbols);
    }
  }

  /** One new trade of `id`, sent as a batch with a bar of each held interval. */
  publish(id: number, price = 6_000_012): number {
    const seq = (this.seq.get(id) ?? 0) + 1;
    this.seq.set(id, seq);
    if (!this.#wants(id)) return seq;
    const updates: MarketUpdate[] = [trade(id, seq, price)];
    for (const interval of this.intervalsFor(id)) if (interval !== 0) updates.push(bar(id, seq, interval as BarInterval));
    this.socket.deliver({ type: 'batch', conflated: false, updates });
    return seq;
  }

  #wants(id: number): boolean {
    return this.#all.size > 0 || this.#pairs.has(id);
  }

  #holdsOther(id: number, all: boolean, interval: number): boolean {
    const named = [...(this.#pairs.get(id) ?? [])];
    const alls = [...this.#all];
    return all ? named.length > 0 || alls.some((i) => i !== interval) : named.some((i) => i !== interval);
  }

  #resolve(name: string): number | undefined {
    return this.instruments.find((i) => i.symbol === name || `${i.venue}:${i.symbol}` === name)?.id;
  }

  #subscribe(
    requestId: number,
    all: boolean,
    interval: number,
    resumeEpoch: number,
    entries: ReadonlyArray<{ symbol: string; lastSeq: number }>,
  ): void {
    const resume = new Map<number, number>();
    const ids: number[] = [];
    for (const entry of entries) {
      const id = this.#resolve(entry.symbol);
      if (id === undefined) {
        if (all) continue;
        this.socket.deliver({
          type: 'error',
          requestId,
          code: ErrorCode.UnknownInstrument,
          message: `Unknown instrument(s): ${entry.symbol}`,
        });
        return;
      }
      if (entry.lastSeq > 0 && resumeEpoch === this.epoch) resume.set(id, entry.lastSeq);
      ids.push(id);
    }
    const targets = all ? this.instruments.map((i) => i.id) : [...new Set(ids)];
    // Decided before the pairs are added: ticks flow already when another pair covers the instrument.
    const barsOnly = new Set(targets.filter((id) => this.#holdsOther(id, all, interval)));
    if (all) this.#all.add(interval);
    else for (const id of targets) this.#pairs.set(id, new Set([...(this.#pairs.get(id) ?? []), interval]));
    this.socket.deliver({ type: 'ack', requestId });
    for (const id of targets) {
      const seq = this.seq.get(id) ?? 0;
      const from = resume.get(id);
      const recovered = from !== undefined && from <= seq;
      const updates: MarketUpdate[] = [];
      if (interval !== 0) updates.push(bar(id, seq, interval as BarInterval));
      if (!barsOnly.has(id)) {
        if (recovered) for (let s = from + 1; s <= seq; s++) updates.push(trade(id, s));
        else updates.push(trade(id, seq), quote(id, seq));
      }
      this.socket.deliver({
        type: 'snapshot',
        requestId,
        instrumentId: id,
        recovered,
        barsOnly: barsOnly.has(id),
        seq,
        interval: interval as BarInterval | 0,
        updates,
      });
    }
  }

  #unsubscribe(requestId: number, all: boolean, interval: number, symbols: readonly string[]): void {
    if (all) this.#all.delete(interval);
    for (const symbol of symbols) {
      const id = this.#resolve(symbol);
      const held = id === undefined ? undefined : this.#pairs.get(id);
      held?.delete(interval);
      if (id !== undefined && held?.size === 0) this.#pairs.delete(id);
    }
    this.socket.deliver({ type: 'ack', requestId });
  }
}
