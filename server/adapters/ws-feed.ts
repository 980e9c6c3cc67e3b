/**
 * One venue WebSocket kept alive for an exchange adapter: connects, reconnects after a drop with
 * jittered exponential backoff, declares a silent connection dead (no message and no ping for
 * `idleTimeoutMs`), and replaces a connection before it reaches `maxConnectionAgeMs` (Binance
 * closes every connection at 24 h) make-before-break: the new socket subscribes, and the old one
 * is closed once the new one delivers its first message, so nothing is missed (the adapter drops
 * the duplicates of the overlap by trade id / update id). Pings are answered by `ws` itself with
 * the ping's payload (RFC 6455 §5.5.3), as Binance requires.
 */
import WebSocket from 'ws';
import { backoffDelay } from '../../lib/net/backoff';
import type { AdapterState } from './types';

/** Options of {@link WsFeed}. */
export interface WsFeedOptions {
  /** Endpoint, ws:// or wss://. */
  readonly url: string;
  /** Called on every open (e.g. to send a subscribe message) with a sender for that socket. */
  readonly onOpen?: (send: (text: string) => void) => void;
  /** Every text message, in arrival order. */
  readonly onMessage: (text: string) => void;
  /** Connection state changes: connecting, down (with the reason and the retry delay). */
  readonly onState: (state: AdapterState, reason: string) => void;
  /** Any sign of life from the venue (a message or a ping). */
  readonly onAlive?: () => void;
  /** Smallest reconnect delay, ms. @defaultValue 500 */
  readonly minReconnectDelayMs?: number;
  /** Largest reconnect delay, ms. @defaultValue 30000 */
  readonly maxReconnectDelayMs?: number;
  /** No message or ping for this long means the connection is dead, ms. @defaultValue 60000 */
  readonly idleTimeoutMs?: number;
  /** Opening handshake must finish within this, ms. @defaultValue 10000 */
  readonly connectTimeoutMs?: number;
  /** Replace a connection this old, ms; 0 never. @defaultValue 0 */
  readonly maxConnectionAgeMs?: number;
  /** Random source in [0, 1) for jitter. @defaultValue Math.random */
  readonly random?: () => number;
}

/** Counters for the adapter's stats. */
export interface WsFeedStats {
  connects: number;
  reconnects: number;
  rotations: number;
  idleTimeouts: number;
}

interface Connection {
  readonly ws: WebSocket;
  receivedMessage: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  ageTimer: ReturnType<typeof setTimeout> | undefined;
}

/** A self-healing venue connection (see the file comment). */
export class WsFeed {
  readonly stats: WsFeedStats = { connects: 0, reconnects: 0, rotations: 0, idleTimeouts: 0 };
  private readonly o: Required<WsFeedOptions>;
  private primary: Connection | undefined;
  private standby: Connection | undefined;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;

  constructor(options: WsFeedOptions) {
    this.o = {
      onOpen: () => {},
      onAlive: () => {},
      minReconnectDelayMs: 500,
      maxReconnectDelayMs: 30_000,
      idleTimeoutMs: 60_000,
      connectTimeoutMs: 10_000,
      maxConnectionAgeMs: 0,
      random: Math.random,
      ...options,
    };
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.o.onState('connecting', '');
    this.primary = this.open();
  }

  /** Closes every socket and cancels every timer; resolves when the sockets are closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const closing = [this.primary, this.standby]
      .filter((c): c is Connection => c !== undefined)
      .map((c) => this.dispose(c, 1000, 'client stopping'));
    this.primary = this.standby = undefined;
    await Promise.all(closing);
  }

  /** Drops the current connection and reconnects after the backoff (e.g. after a venue error message). */
  reconnect(reason: string): void {
    if (this.stopped || this.primary === undefined) return;
    const old = this.primary;
    this.primary = undefined;
    void this.dispose(old, 1000, 'reconnecting');
    this.scheduleReconnect(reason);
  }

  /** Starts a make-before-break replacement now (e.g. the venue announced a shutdown). */
  rotate(): void {
    if (this.stopped || this.standby !== undefined || this.primary === undefined) return;
    this.standby = this.open();
  }

  private open(): Connection {
    const ws = new WebSocket(this.o.url, { handshakeTimeout: this.o.connectTimeoutMs, perMessageDeflate: false });
    const conn: Connection = { ws, receivedMessage: false, idleTimer: undefined, ageTimer: undefined };
    const touch = (): void => {
      clearTimeout(conn.idleTimer);
      conn.idleTimer = setTimeout(() => {
        this.stats.idleTimeouts += 1;
        ws.terminate(); // 'close' follows and reconnects
      }, this.o.idleTimeoutMs);
    };
    ws.on('open', () => {
      this.stats.connects += 1;
      touch();
      if (this.o.maxConnectionAgeMs > 0) conn.ageTimer = setTimeout(() => this.ageOut(conn), this.o.maxConnectionAgeMs);
      this.o.onOpen((text) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      });
    });
    ws.on('ping', () => {
      touch();
      this.o.onAlive();
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      touch();
      if (!conn.receivedMessage) {
        conn.receivedMessage = true;
        this.firstMessage(conn);
      }
      if (conn === this.standby) return; // the old connection still delivers until the switch
      this.o.onAlive();
      this.o.onMessage(isBinary ? '' : data.toString());
    });
    ws.on('error', () => {
      // 'close' always follows; the reason is reported there.
    });
    ws.on('close', (code: number, reason: Buffer) => this.closed(conn, code, reason.toString()));
    return conn;
  }

  private firstMessage(conn: Connection): void {
    this.attempts = 0;
    if (conn !== this.standby) return;
    // The replacement is live: switch over and retire the old connection. If the old one already
    // dropped, a reconnect is pending; the replacement is that reconnect, so cancel it (else it
    // would open a second connection and orphan this one, delivering every message twice).
    clearTimeout(this.retryTimer);
    const old = this.primary;
    this.primary = conn;
    this.standby = undefined;
    this.stats.rotations += 1;
    if (old !== undefined) void this.dispose(old, 1000, 'replaced by a new connection');
  }

  private ageOut(conn: Connection): void {
    if (conn === this.primary) this.rotate();
  }

  private closed(conn: Connection, code: number, reason: string): void {
    clearTimeout(conn.idleTimer);
    clearTimeout(conn.ageTimer);
    if (this.stopped) return;
    if (conn === this.standby) {
      // A failed replacement: keep the current connection and try again at its next age-out.
      this.standby = undefined;
      if (this.primary !== undefined && this.o.maxConnectionAgeMs > 0) {
        const primary = this.primary;
        primary.ageTimer = setTimeout(() => this.ageOut(primary), this.backoff());
      }
      return;
    }
    if (conn !== this.primary) return; // already replaced or disposed
    this.primary = undefined;
    if (this.standby !== undefined && this.standby.ws.readyState === WebSocket.OPEN) {
      this.primary = this.standby;
      this.standby = undefined;
      return;
    }
    this.scheduleReconnect(`connection closed (code ${code}${reason ? `: ${reason}` : ''})`);
  }

  private backoff(): number {
    return backoffDelay(this.attempts, { minDelayMs: this.o.minReconnectDelayMs, maxDelayMs: this.o.maxReconnectDelayMs }, this.o.random);
  }

  private scheduleReconnect(reason: string): void {
    const delay = this.backoff();
    this.attempts += 1;
    this.o.onState('down', `${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.stats.reconnects += 1;
      this.o.onState('connecting', `reconnecting (attempt ${this.attempts})`);
      this.primary = this.open();
    }, delay);
  }

  /** Closes a connection, forcefully if its close handshake does not finish within a second. */
  private dispose(conn: Connection, code: number, reason: string): Promise<void> {
    clearTimeout(conn.idleTimer);
    clearTimeout(conn.ageTimer);
    const { ws } = conn;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const force = setTimeout(() => ws.terminate(), 1000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    });
  }
}
