/**
 * One client connection: its codec, subscriptions, request rate, slow-consumer state and liveness.
 * The connection owns that state and changes it only through its methods; the gateway owns fan-out
 * and asks. ("Session" means the trading day only, as in lib/market/session.ts.)
 */
import type { WebSocket } from 'ws';
import { isBarInterval, type BarInterval } from '../../lib/market/types';
import type { Codec } from '../../lib/protocol';
import type { AnyMessage } from '../../lib/protocol/messages';
import { fitCloseReason } from './close-reason';
import { TokenBucket } from './rate-limit';
import {
  type ConsumerState,
  INITIAL_SLOW_CONSUMER_STATE,
  decideSlowConsumer,
  type SlowConsumerAction,
  type SlowConsumerLimits,
  type SlowConsumerState,
} from './slow-consumer-policy';

/** The socket calls a connection makes (a `ws` WebSocket; tests may pass a fake of this shape). */
export type ConnectionSocket = Pick<
  WebSocket,
  'send' | 'ping' | 'close' | 'terminate' | 'once' | 'bufferedAmount' | 'readyState' | 'OPEN' | 'CLOSED'
>;

/** The request rate a connection is allowed (server/gateway/options.ts). */
export interface ConnectionLimits {
  readonly requestBurst: number;
  readonly requestRatePerSec: number;
}

let nextConnectionId = 1;

export class Connection {
  /** Numbers connections in this process, for logs. */
  readonly id = nextConnectionId++;
  /** Pairs held by name: instrument id -> the intervals held for it (0 = ticks, no bars). */
  private readonly pairs = new Map<number, Set<BarInterval | 0>>();
  /** Intervals of the (all, interval) pairs held. */
  private readonly allIntervals = new Set<BarInterval | 0>();
  /** `allIntervals` without 0, ascending (kept by rekey). */
  private allBarIntervals: readonly BarInterval[] = [];
  /** Per instrument held by name, its bar intervals and the `all` ones, ascending (kept by rekey; read every flush). */
  private readonly barIntervals = new Map<number, readonly BarInterval[]>();
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
  //
  // A subscription is a pair (instrument, interval), interval 0 = ticks without bars; `all` is a
  // pseudo-instrument, so (all, interval) pairs cover every instrument, ones added later included.
  // An instrument's ticks go out once however many of its pairs are held, then the bars of every
  // interval held for it (docs/protocol.md §2.3).

  /** True while some (all, interval) pair is held. */
  get subscribesAll(): boolean {
    return this.allIntervals.size > 0;
  }

  /** Ids of the instruments with a pair held by name (not through `all`). */
  subscribedIds(): IterableIterator<number> {
    return this.pairs.keys();
  }

  /** True when the pair (instrument, interval) is held by name. */
  holdsPair(instrumentId: number, interval: BarInterval | 0): boolean {
    return this.pairs.get(instrumentId)?.has(interval) ?? false;
  }

  /** True when the pair (all, interval) is held. */
  holdsAll(interval: BarInterval | 0): boolean {
    return this.allIntervals.has(interval);
  }

  /**
   * True when a pair covering the instrument is held other than `pair` ((instrument, interval) by
   * name, or (all, interval) when `pair.all`): its ticks flow already, so a snapshot for `pair`
   * carries only that interval's bars.
   */
  holdsOtherPair(instrumentId: number, pair: { readonly all: boolean; readonly interval: BarInterval | 0 }): boolean {
    const held = this.pairs.get(instrumentId);
    if (pair.all) return (held !== undefined && held.size > 0) || this.allIntervals.size > (this.allIntervals.has(pair.interval) ? 1 : 0);
    // A pair by name under an `all` subscription still gets a full snapshot: `all` snapshots are
    // light (one trade), and a chart opened on the instrument wants its recent trades.
    return held !== undefined && held.size > (held.has(pair.interval) ? 1 : 0);
  }

  /** True when updates for the instrument go to this connection. */
  wants(instrumentId: number): boolean {
    return this.allIntervals.size > 0 || this.pairs.has(instrumentId);
  }

  /**
   * The bar intervals held for an instrument (its pairs by name and every `all` interval, 0 left
   * out), ascending; empty when only ticks are held; undefined when the instrument is not wanted.
   */
  barIntervalsFor(instrumentId: number): readonly BarInterval[] | undefined {
    return this.barIntervals.get(instrumentId) ?? (this.allIntervals.size > 0 ? this.allBarIntervals : undefined);
  }

  /** Pairs held, as limited by `maxSubscriptionsPerConnection`; each (all, interval) counts one. */
  subscriptionCount(): number {
    let count = this.allIntervals.size;
    for (const held of this.pairs.values()) count += held.size;
    return count;
  }

  /** Adds the pairs (id, interval) for each id; holding one already is fine. */
  subscribePairs(instrumentIds: Iterable<number>, interval: BarInterval | 0): void {
    for (const id of instrumentIds) {
      const held = this.pairs.get(id);
      if (held) held.add(interval);
      else this.pairs.set(id, new Set([interval]));
    }
    this.rekey();
  }

  /** Adds the pair (all, interval). */
  subscribeAll(interval: BarInterval | 0): void {
    this.allIntervals.add(interval);
    this.rekey();
  }

  /** Drops the pairs (id, interval) for each id; a pair not held is fine. */
  unsubscribePairs(instrumentIds: Iterable<number>, interval: BarInterval | 0): void {
    for (const id of instrumentIds) {
      const held = this.pairs.get(id);
      if (!held) continue;
      held.delete(interval);
      if (held.size === 0) this.pairs.delete(id);
    }
    this.dropUnwantedDirty();
    this.rekey();
  }

  /** Drops the pair (all, interval) only; pairs held by name stay. */
  unsubscribeAll(interval: BarInterval | 0): void {
    this.allIntervals.delete(interval);
    this.dropUnwantedDirty();
    this.rekey();
  }

  /**
   * Forgets what is owed while conflating for instruments whose full snapshot was just sent: it
   * supersedes the conflated update.
   */
  snapshotSent(instrumentIds: Iterable<number>): void {
    for (const id of instrumentIds) this.dirty.delete(id);
  }

  private dropUnwantedDirty(): void {
    for (const id of this.dirty) if (!this.wants(id)) this.dirty.delete(id);
  }

  private rekey(): void {
    this.allBarIntervals = [...this.allIntervals].filter(isBarInterval).sort(ascending);
    this.barIntervals.clear();
    for (const [id, held] of this.pairs) {
      this.barIntervals.set(id, [...new Set([...held, ...this.allBarIntervals])].filter(isBarInterval).sort(ascending));
    }
    const parts: string[] = [this.codec.subprotocol, `*${[...this.allIntervals].sort(ascending).join(',')}`];
    const ids = [...this.pairs.keys()].sort(ascending);
    for (const id of ids) parts.push(`${id}:${[...this.pairs.get(id)!].sort(ascending).join(',')}`);
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

  /** Takes a subscribe/unsubscribe/history token; false when the request rate is exceeded. */
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

const ascending = (a: number, b: number): number => a - b;
