/**
 * One client connection: its codec, subscriptions, request rate, slow-consumer state and liveness.
 * The gateway owns fan-out; a session only decides what it wants and how to send it.
 */
import type { WebSocket } from 'ws';
import type { BarInterval } from '../../lib/market/types';
import type { Codec } from '../../lib/protocol';
import type { AnyMessage } from '../../lib/protocol/messages';
import { fitCloseReason } from './close-reason';
import { TokenBucket } from './rate-limit';

/** Slow-consumer state of a session (docs/protocol.md, "Slow consumers"). */
export enum ConsumerState {
  /** Gets every batch as flushed. */
  Normal = 'normal',
  /** Its socket is backed up: it gets nothing until it drains, then one conflated batch. */
  Conflating = 'conflating',
}

let nextSessionId = 1;

export class Session {
  readonly id = nextSessionId++;
  /** Instruments subscribed by id, each with the bar interval asked (0 = no bars). */
  readonly subscriptions = new Map<number, BarInterval | 0>();
  /** Subscribed to every instrument (including ones added later), with this bar interval. */
  all: { interval: BarInterval | 0 } | undefined;
  /**
   * Identifies what this session receives, so sessions with the same subscriptions share the very
   * same encoded batch bytes. Recomputed when subscriptions change.
   */
  key = '';
  consumerState = ConsumerState.Normal;
  /** When conflation started (ms). */
  conflatingSinceMs = 0;
  /** Instruments with updates this session has not been sent while conflating. */
  readonly dirty = new Set<number>();
  /** When the socket went past the hard buffer limit (ms), or undefined when under it. */
  hardLimitSinceMs: number | undefined;
  /** Last time anything was sent (ms). */
  lastSentMs: number;
  /** False after a ws ping until its pong arrives. */
  alive = true;
  /** Which of the gateway's ping slots this session is pinged in (see ping-schedule.ts). */
  pingSlot = 0;
  /** Round-trip time from the last app-level ping (ms). */
  rttMs: number | undefined;
  /** Nonce of the last app-level ping. */
  pingNonce = 0;
  /**
   * When the last app-level ping was sent (µs, server clock), until its pong arrives. RTT is
   * measured from this, not from the `sentTimeUs` the client echoes, which it could forge.
   */
  pingSentUs: number | undefined;
  readonly requests: TokenBucket;
  closing = false;
  sentBytes = 0;
  sentMessages = 0;

  constructor(
    readonly ws: WebSocket,
    readonly codec: Codec,
    readonly remote: string,
    nowMs: number,
    requestBurst: number,
    requestRatePerSec: number,
  ) {
    this.lastSentMs = nowMs;
    this.requests = new TokenBucket(requestBurst, requestRatePerSec, nowMs);
  }

  /** Bar interval this session wants for an instrument, or undefined when not subscribed. */
  intervalFor(instrumentId: number): BarInterval | 0 | undefined {
    const explicit = this.subscriptions.get(instrumentId);
    if (explicit !== undefined) return explicit;
    return this.all?.interval;
  }

  /** True when updates for the instrument go to this session. */
  wants(instrumentId: number): boolean {
    return this.all !== undefined || this.subscriptions.has(instrumentId);
  }

  /** Subscription count as limited by `maxSubscriptionsPerConnection`. */
  subscriptionCount(): number {
    return this.subscriptions.size + (this.all ? 1 : 0);
  }

  /** Recomputes {@link key} after a subscription change. */
  rekey(): void {
    const parts: string[] = [this.codec.subprotocol, this.all ? `*${this.all.interval}` : '-'];
    const ids = [...this.subscriptions.entries()].sort((a, b) => a[0] - b[0]);
    for (const [id, interval] of ids) parts.push(`${id}:${interval}`);
    this.key = parts.join('|');
  }

  /** Bytes queued in user space and the socket, not yet handed to the kernel. */
  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends pre-encoded bytes or text (shared by all sessions with the same key). */
  sendEncoded(data: Uint8Array | string, nowMs: number): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(data, { binary: typeof data !== 'string' });
    this.lastSentMs = nowMs;
    this.sentMessages++;
    this.sentBytes += typeof data === 'string' ? data.length : data.byteLength;
  }

  /** Encodes a message with this session's codec and sends it. */
  send(message: AnyMessage, nowMs: number): void {
    this.sendEncoded(this.codec.encode(message), nowMs);
  }

  /** Closes with a WebSocket close code (RFC 6455 §7.4.1) and a short reason. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    // Close reasons are limited to 123 UTF-8 bytes (RFC 6455 §5.5); ws throws on longer ones, and
    // a reason may quote non-ASCII text the client sent.
    this.ws.close(code, fitCloseReason(reason));
  }
}
