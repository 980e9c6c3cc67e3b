/**
 * One client connection: its codec, subscriptions, request rate, slow-consumer state and liveness.
 * The connection owns that state and changes it only through its methods; the gateway owns fan-out
 * and asks. ("Session" means the trading day only, as in lib/market/session.ts.)
 */
import type { WebSocket } from 'ws';
import type { BarInterval } from '../../lib/market/types';
import type { Codec } from '../../lib/protocol';
import type { AnyMessage } from '../../lib/protocol/messages';
import { fitCloseReason } from './close-reason';
import { TokenBucket } from './rate-limit';
import {
  ConsumerState,
  INITIAL_SLOW_CONSUMER_STATE,
  decideSlowConsumer,
  type SlowConsumerAction,
  type SlowConsumerLimits,
  type SlowConsumerState,
} from './slow-consumer-policy';

/** The socket calls a connection makes (a `ws` WebSocket; tests may pass a fake of this shape). */
export type ConnectionSocket = Pick<WebSocket, 'send' | 'ping' | 'close' | 'terminate' | 'once' | 'bufferedAmount' | 'readyState' | 'OPEN' | 'CLOSED'>;

/** The request rate a connection is allowed (server/gateway/options.ts). */
export interface ConnectionLimits {
  readonly requestBurst: number;
  readonly requestRatePerSec: number;
}

let nextConnectionId = 1;

export class Connection {
  /** Numbers connections in this process, for logs. */
  readonly id = nextConnectionId++;
  /** Instruments subscribed by id, each with the bar interval asked (0 = no bars). */
  private readonly subscriptions = new Map<number, BarInterval | 0>();
  /** Subscribed to every instrument (including ones added later), with this bar interval. */
  private all: { interval: BarInterval | 0 } | undefined;
  private subscriptionKey = '';
  private slowConsumer: SlowConsumerState = INITIAL_SLOW_CONSUMER_STATE;
  /** Instruments with updates this connection has not been sent while conflating. */
  private readonly dirty = new Set<number>();
  private lastSent: number;
  /** False after a ws ping until its pong arrives. */
  private alive = true;
  private rtt: number | undefined;
  /** Nonce of the last app-level ping. */
  private pingNonce = 0;
  /**
   * When the last app-level ping was sent (µs, server clock), until its pong arrives. RTT is
   * measured from this, not from the `sentTimeUs` the client echoes, which it could forge.
   */
  private pingSentUs: number | undefined;
  private readonly requests: TokenBucket;
  private closed = false;
  private bytesSent = 0;
  private messagesSent = 0;

  constructor(
    readonly ws: ConnectionSocket,
    readonly codec: Codec,
    /** "address:port" of the peer, for logs. */
    readonly remote: string,
    /** Which of the gateway's ping slots this connection is pinged in (see ping-schedule.ts). */
    readonly pingSlot: number,
    nowMs: number,
    limits: ConnectionLimits,
  ) {
    this.lastSent = nowMs;
    this.requests = new TokenBucket(limits.requestBurst, limits.requestRatePerSec, nowMs);
    this.rekey();
  }

  /**
   * Identifies what this connection receives, so connections with the same subscriptions share the
   * very same encoded batch bytes (flush-frame.ts).
   */
  get key(): string {
    return this.subscriptionKey;
  }

  /** True once {@link close} was called: nothing more is sent or handled. */
  get closing(): boolean {
    return this.closed;
  }

  /** Slow-consumer mode (slow-consumer-policy.ts). */
  get consumerState(): ConsumerState {
    return this.slowConsumer.mode;
  }

  /** Round-trip time from the last answered app-level ping (ms), undefined before one. */
  get rttMs(): number | undefined {
    return this.rtt;
  }

  /** Last time anything was sent (ms). */
  get lastSentMs(): number {
    return this.lastSent;
  }

  /** Messages sent so far. */
  get sentMessages(): number {
    return this.messagesSent;
  }

  /** Bytes (binary) or UTF-16 units (text) sent so far. */
  get sentBytes(): number {
    return this.bytesSent;
  }

  // ── subscriptions ─────────────────────────────────────────────────────────

  /** True while subscribed to every instrument. */
  get subscribesAll(): boolean {
    return this.all !== undefined;
  }

  /** Ids of the instruments subscribed by name (not through `all`). */
  subscribedIds(): IterableIterator<number> {
    return this.subscriptions.keys();
  }

  /** Bar interval this connection wants for an instrument, or undefined when not subscribed. */
  intervalFor(instrumentId: number): BarInterval | 0 | undefined {
    const explicit = this.subscriptions.get(instrumentId);
    if (explicit !== undefined) return explicit;
    return this.all?.interval;
  }

  /** True when updates for the instrument go to this connection. */
  wants(instrumentId: number): boolean {
    return this.all !== undefined || this.subscriptions.has(instrumentId);
  }

  /** Subscription count as limited by `maxSubscriptionsPerConnection` (`all` counts one). */
  subscriptionCount(): number {
    return this.subscriptions.size + (this.all ? 1 : 0);
  }

  /** True when the instrument is subscribed by name. */
  subscribesTo(instrumentId: number): boolean {
    return this.subscriptions.has(instrumentId);
  }

  /**
   * Subscribes to instruments by id with a bar interval (replacing an interval held before). What
   * was pending for them while conflating is dropped: the snapshot that follows supersedes it.
   */
  subscribe(instrumentIds: Iterable<number>, interval: BarInterval | 0): void {
    for (const id of instrumentIds) {
      this.subscriptions.set(id, interval);
      this.dirty.delete(id);
    }
    this.rekey();
  }

  /** Subscribes to every instrument with a bar interval; pending conflated updates are dropped. */
  subscribeAll(interval: BarInterval | 0): void {
    this.all = { interval };
    this.dirty.clear();
    this.rekey();
  }

  /** Drops subscriptions by id (an id not held is fine). */
  unsubscribe(instrumentIds: Iterable<number>): void {
    for (const id of instrumentIds) {
      this.subscriptions.delete(id);
      if (!this.wants(id)) this.dirty.delete(id);
    }
    this.rekey();
  }

  /** Drops every subscription, `all` included. */
  unsubscribeAll(): void {
    this.all = undefined;
    this.subscriptions.clear();
    this.dirty.clear();
    this.rekey();
  }

  private rekey(): void {
    const parts: string[] = [this.codec.subprotocol, this.all ? `*${this.all.interval}` : '-'];
    const ids = [...this.subscriptions.entries()].sort((a, b) => a[0] - b[0]);
    for (const [id, interval] of ids) parts.push(`${id}:${interval}`);
    this.subscriptionKey = parts.join('|');
  }

  // ── slow consumer ─────────────────────────────────────────────────────────

  /** Bytes queued in user space and the socket, not yet handed to the kernel. */
  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Runs the slow-consumer policy for this flush on this connection's buffer and keeps its next state. */
  checkBuffer(nowMs: number, limits: SlowConsumerLimits): SlowConsumerAction {
    const decision = decideSlowConsumer(this.slowConsumer, this.bufferedBytes(), nowMs, limits);
    this.slowConsumer = decision.state;
    return decision.action;
  }

  /** Remembers, while conflating, which of these changed instruments it was not sent. */
  markDirty(instrumentIds: Iterable<number>): void {
    for (const id of instrumentIds) if (this.wants(id)) this.dirty.add(id);
  }

  /** True when the instrument changed while this connection was conflated and is still owed. */
  isDirty(instrumentId: number): boolean {
    return this.dirty.has(instrumentId);
  }

  /** The instruments owed a conflated update, emptying the set. */
  takeDirty(): number[] {
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids;
  }

  /** Takes a subscribe/unsubscribe token; false when the request rate is exceeded. */
  takeRequestToken(nowMs: number): boolean {
    return this.requests.take(nowMs);
  }

  // ── liveness ──────────────────────────────────────────────────────────────

  /** A WebSocket pong arrived: the peer is alive. */
  markAlive(): void {
    this.alive = true;
  }

  /**
   * Pings the peer: a WebSocket ping (RFC 6455 §5.5.2), whose pong marks it alive, and an app
   * `ping` for round-trip time. Returns false without pinging when the previous WebSocket ping was
   * never answered: the peer is gone.
   */
  ping(nowMs: number): boolean {
    if (!this.alive) return false;
    this.alive = false;
    this.ws.ping();
    this.pingNonce = (this.pingNonce % 0x7fffffff) + 1;
    this.pingSentUs = nowMs * 1000;
    this.send({ type: 'ping', nonce: this.pingNonce, sentTimeUs: this.pingSentUs }, nowMs);
    return true;
  }

  /**
   * An app `pong` arrived: only the first answer to the latest ping counts, timed by the server's
   * own clock (`nowUs`, µs).
   */
  markPongReceived(nonce: number, nowUs: number): void {
    if (this.pingSentUs === undefined || nonce !== this.pingNonce) return;
    this.rtt = Math.max(0, (nowUs - this.pingSentUs) / 1000);
    this.pingSentUs = undefined;
  }

  // ── sending and closing ───────────────────────────────────────────────────

  /** Sends pre-encoded bytes or text (shared by all connections with the same key). */
  sendEncoded(data: Uint8Array | string, nowMs: number): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(data, { binary: typeof data !== 'string' });
    this.lastSent = nowMs;
    this.messagesSent++;
    this.bytesSent += typeof data === 'string' ? data.length : data.byteLength;
  }

  /** Encodes a message with this connection's codec and sends it. */
  send(message: AnyMessage, nowMs: number): void {
    this.sendEncoded(this.codec.encode(message), nowMs);
  }

  /** Closes with a WebSocket close code (RFC 6455 §7.4.1) and a short reason. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    // Close reasons are limited to 123 UTF-8 bytes (RFC 6455 §5.5); ws throws on longer ones, and
    // a reason may quote non-ASCII text the client sent.
    this.ws.close(code, fitCloseReason(reason));
  }

  /** Drops the socket at once, without a closing handshake. */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
