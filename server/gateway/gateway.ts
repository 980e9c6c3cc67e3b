/**
 * The WebSocket gateway: accepts clients (Origin + subprotocol checks), answers their requests
 * from history, and fans live updates out on a fixed flush interval, encoding each flush once.
 * Slow consumers are conflated, then closed 1013; misbehaving clients are closed with the code
 * their error carries. No client can disturb another: every per-client failure stays in its session.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SymbolIndex } from '../../lib/market/symbols';
import { BAR_INTERVALS, type Instrument, type MarketUpdate } from '../../lib/market/types';
import { CloseCode, PROTOCOL_VERSION, ProtocolError, codecFor } from '../../lib/protocol';
import type { InstrumentsMessage } from '../../lib/protocol/messages';
import type { Bus, Tick, Unsubscribe } from '../bus/types';
import type { HistoryStore } from '../history/types';
import type { Logger } from '../log';
import { FlushFrame } from './flush-frame';
import { checkUpgrade, selectSubprotocol } from './handshake';
import { resolveGatewayOptions, type GatewayOptions } from './options';
import { pingSchedule } from './ping-schedule';
import { handleClientMessage, type RequestContext } from './requests';
import { ConsumerState, Session } from './session';

export interface GatewayDeps {
  readonly bus: Bus;
  readonly history: HistoryStore;
  readonly logger: Logger;
  /** Wall clock in ms (tests may inject). @defaultValue Date.now */
  readonly nowMs?: () => number;
}

/** Counters for /healthz and benchmarks. */
export interface GatewayStats {
  readonly clients: number;
  readonly conflating: number;
  readonly flushes: number;
  readonly segmentsEncoded: number;
  readonly batchesAssembled: number;
  readonly batchesSent: number;
  readonly closedSlow: number;
  readonly closedProtocol: number;
  readonly rttMsAvg: number | undefined;
}

export class Gateway {
  readonly options: GatewayOptions;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly bySymbol = new Map<string, Instrument>();
  /** Full names and unambiguous bare symbols, for subscribe requests. */
  private readonly symbolIndex = new SymbolIndex<Instrument>();
  private readonly instrumentIds = new Set<number>();
  private pending: Tick[] = [];
  private readonly unsubscribes: Unsubscribe[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** Slots the sessions are dealt into for pings (see ping-schedule.ts). */
  private readonly pingSlots: number;
  /** Ticks of the ping timer so far; tick k pings slot k mod pingSlots. */
  private pingTick = 0;
  /** The slot the next session gets: dealt round-robin so slots stay even. */
  private nextPingSlot = 0;
  private readonly nowMs: () => number;
  private readonly ctx: RequestContext;
  private counters = { flushes: 0, segmentsEncoded: 0, batchesAssembled: 0, batchesSent: 0, closedSlow: 0, closedProtocol: 0 };
  private closed = false;
  /** The shutdown in progress or done, shared by every `close()` call. */
  private closing: Promise<void> | undefined;

  constructor(
    private readonly deps: GatewayDeps,
    options: Partial<GatewayOptions> = {},
  ) {
    this.options = resolveGatewayOptions(options);
    this.nowMs = deps.nowMs ?? Date.now;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxClientMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // The upgrade was already checked (checkUpgrade), so a supported protocol is on offer.
      handleProtocols: (protocols) => selectSubprotocol([...protocols]) ?? false,
    });
    const nowUs = (): number => this.nowMs() * 1000;
    this.ctx = {
      options: this.options,
      history: deps.history,
      epoch: deps.bus.epoch,
      symbols: this.symbolIndex,
      instrumentIds: () => this.instrumentIds,
      nowMs: this.nowMs,
      nowUs,
    };
    this.setInstruments(deps.bus.instruments());
    this.unsubscribes.push(
      deps.bus.onTicks((ticks) => {
        for (const tick of ticks) this.pending.push(tick);
      }),
      deps.bus.onInstruments((instruments) => this.onInstruments(instruments)),
      deps.bus.onStatus((venues) => this.broadcast({ type: 'status', venues })),
    );
    this.flushTimer = setInterval(() => this.flush(), this.options.flushIntervalMs);
    const pings = pingSchedule(this.options.wsPingIntervalMs);
    this.pingSlots = pings.slots;
    this.pingTimer = setInterval(() => this.pingSlot(this.pingTick++ % pings.slots), pings.tickMs);
  }

  /** Routes an HTTP server's upgrade requests to this gateway. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Handles one upgrade request: refuses it with a readable HTTP error or opens a session. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.closed) {
      refuse(socket, 503, 'Tickwire feed is shutting down; retry shortly.\n');
      return;
    }
    const check = checkUpgrade(req, this.options.allowedOrigins, this.options.allowLocalhostOrigins);
    if (!check.ok) {
      this.deps.logger.info('handshake refused', { status: check.refusal.status, origin: req.headers.origin, remote: req.socket.remoteAddress });
      refuse(socket, check.refusal.status, check.refusal.body);
      return;
    }
    const codec = codecFor(check.protocol);
    if (!codec) {
      refuse(socket, 500, 'Internal error: no codec for the negotiated protocol.\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, codec, req));
  }

  private open(ws: WebSocket, codec: NonNullable<ReturnType<typeof codecFor>>, req: IncomingMessage): void {
    const now = this.nowMs();
    const session = new Session(ws, codec, `${req.socket.remoteAddress}:${req.socket.remotePort}`, now, this.options.requestBurst, this.options.requestRatePerSec);
    session.rekey();
    session.pingSlot = this.nextPingSlot++ % this.pingSlots;
    this.sessions.add(session);
    const log = this.deps.logger.child({ session: session.id, remote: session.remote });
    log.debug('client connected', { protocol: codec.subprotocol, origin: req.headers.origin });

    ws.on('pong', () => {
      session.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(session, data, isBinary, log));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws reports bad frames (1002/1007/1009) here, with a WS_ERR_ code, and closes with the
      // matching code itself. It also reports a failed send (EPIPE, ECONNRESET): the peer went away,
      // which is no protocol error of the client's.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') log.info('client message too big', { error: err.message });
      else log.info('client socket error', { error: err.message, code: err.code });
      if (err.code?.startsWith('WS_ERR_')) this.counters.closedProtocol++;
    });
    ws.on('close', (code: number) => {
      this.sessions.delete(session);
      log.debug('client disconnected', { code });
    });

    session.send(
      {
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        serverId: this.options.serverId,
        epoch: this.deps.bus.epoch,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        serverTimeUs: now * 1000,
        capabilities: [],
        intervals: BAR_INTERVALS,
      },
      now,
    );
    session.send(this.instrumentsMessage(this.deps.bus.instruments(), []), now);
    session.send({ type: 'status', venues: this.deps.bus.status() }, now);
  }

  private onMessage(session: Session, data: RawData, isBinary: boolean, log: Logger): void {
    if (session.closing) return;
    try {
      const bytes = toBytes(data);
      const payload: Uint8Array | string = isBinary ? bytes : utf8.decode(bytes);
      const message = session.codec.decodeClient(payload);
      if ((message.type === 'subscribe' || message.type === 'unsubscribe') && !session.requests.take(this.nowMs())) {
        log.info('client closed: request rate exceeded');
        session.close(CloseCode.PolicyViolation, 'subscribe rate limit exceeded');
        return;
      }
      // A client past the hard limit is not reading; the snapshots a subscribe would queue (every
      // instrument's, for `all` with bars) would grow its buffer by up to the request rate times the
      // grace period before the flush closed it. It is closed now instead.
      if (message.type === 'subscribe' && session.bufferedBytes() >= this.options.hardBufferLimitBytes) {
        this.closeSlow(session, `slow consumer: subscribe with ${session.bufferedBytes()} bytes buffered past the hard limit`);
        return;
      }
      handleClientMessage(session, message, this.ctx);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.counters.closedProtocol++;
        log.info('client closed: protocol error', { code: err.code, closeCode: err.closeCode, error: err.message });
        session.close(err.closeCode, err.message);
      } else {
        log.error('internal error handling a client message', { error: String(err) });
        session.close(CloseCode.InternalError, 'internal error');
      }
    }
  }

  /** One flush: apply pending ticks to history, encode once, send to every session that wants them. */
  flush(): void {
    const nowMs = this.nowMs();
    const ticks = this.pending;
    this.pending = [];
    let frame: FlushFrame | undefined;
    if (ticks.length > 0) {
      const changedBars = this.deps.history.apply(ticks);
      frame = new FlushFrame(nowMs * 1000, ticks, changedBars);
    }
    this.counters.flushes++;
    for (const session of this.sessions) {
      try {
        this.flushSession(session, frame, nowMs);
      } catch (err) {
        this.deps.logger.error('internal error flushing to a client', { session: session.id, error: String(err) });
        session.close(CloseCode.InternalError, 'internal error');
      }
    }
    if (frame) {
      this.counters.segmentsEncoded += frame.segmentsEncoded;
      this.counters.batchesAssembled += frame.batchesAssembled;
    }
  }

  private flushSession(session: Session, frame: FlushFrame | undefined, nowMs: number): void {
    if (session.closing) return;
    const buffered = session.bufferedBytes();
    if (buffered >= this.options.hardBufferLimitBytes) {
      session.hardLimitSinceMs ??= nowMs;
      if (nowMs - session.hardLimitSinceMs >= this.options.hardLimitGraceMs) {
        this.closeSlow(session, `slow consumer: ${buffered} bytes buffered past the hard limit`);
        return;
      }
    } else {
      session.hardLimitSinceMs = undefined;
    }
    if (buffered >= this.options.softBufferLimitBytes) {
      if (session.consumerState === ConsumerState.Normal) {
        session.consumerState = ConsumerState.Conflating;
        session.conflatingSinceMs = nowMs;
        this.deps.logger.info('client conflated: socket backed up', { session: session.id, buffered });
      } else if (nowMs - session.conflatingSinceMs >= this.options.maxConflatedMs) {
        this.closeSlow(session, 'slow consumer: not reading');
        return;
      }
      if (frame) for (const id of frame.instrumentIds()) if (session.wants(id)) session.dirty.add(id);
      return;
    }
    if (session.consumerState === ConsumerState.Conflating) {
      session.consumerState = ConsumerState.Normal;
      // This flush's instruments too: the conflated batch replaces its batch, so an instrument
      // that changed only now would otherwise skip these ticks (a gap on the next batch).
      if (frame) for (const id of frame.instrumentIds()) if (session.wants(id)) session.dirty.add(id);
      this.sendConflated(session, nowMs);
      return;
    }
    const batch = frame?.batchFor(session);
    if (batch) {
      session.sendEncoded(batch, nowMs);
      this.counters.batchesSent++;
    } else if (nowMs - session.lastSentMs >= this.options.heartbeatIntervalMs) {
      session.send({ type: 'heartbeat', serverTimeUs: nowMs * 1000 }, nowMs);
    }
  }

  /**
   * After a backlog drains: the latest quote, the current bar (or last trade) and the session
   * figures per dirty instrument, plus the last trade when none of those carries the instrument's
   * last seq.
   */
  private sendConflated(session: Session, nowMs: number): void {
    const history = this.deps.history;
    const updates: MarketUpdate[] = [];
    for (const id of session.dirty) {
      // Unsubscribed since it changed: the client asked for nothing more about it.
      const interval = session.intervalFor(id);
      if (interval === undefined) continue;
      const own: MarketUpdate[] = [];
      const quote = history.lastQuote(id);
      if (quote) own.push(quote);
      if (interval !== 0) {
        const bar = history.currentBar(id, interval);
        if (bar) own.push(bar);
      } else {
        const last = history.recentTrades(id, 1)[0];
        if (last) own.push(last);
      }
      // The trades folded away above are still counted in the session's volume, high and low.
      const stats = history.session(id);
      if (stats) own.push(stats);
      // A late trade of the previous UTC day is in neither the current bar nor today's figures:
      // when it is the instrument's last tick, nothing above carries its seq, and the next live
      // batch would look like a gap to the client (a needless resync). It goes as itself.
      if (interval !== 0) {
        let highest = 0;
        for (const update of own) if (update.seq > highest) highest = update.seq;
        if (highest < history.lastSeq(id)) {
          const last = history.recentTrades(id, 1)[0];
          if (last && last.seq > highest) own.push(last);
        }
      }
      // In sequence order (stable: a trade or bar before the figures of the same seq), as a client
      // applies them: a quote ahead of an older trade would have the trade dropped as a duplicate,
      // and a late trade of the previous day ahead of the new day's figures would be counted
      // into yesterday's session, which then rejects the figures as older.
      own.sort((a, b) => a.seq - b.seq);
      updates.push(...own);
    }
    session.dirty.clear();
    session.send({ type: 'batch', conflated: true, updates }, nowMs);
  }

  private closeSlow(session: Session, reason: string): void {
    this.counters.closedSlow++;
    this.deps.logger.info('client closed: slow consumer', { session: session.id, reason });
    session.close(CloseCode.TryAgainLater, reason);
    // The close frame queues behind what is buffered: give a peer that resumes reading time to
    // reach it, then drop the connection so its memory is released whatever the peer does.
    setTimeout(() => session.ws.terminate(), this.options.slowCloseTimeoutMs).unref();
  }

  /**
   * Pings the sessions of one slot: a WebSocket ping, whose pong keeps the session alive, and an app
   * `ping` for round-trip time. A session that has not answered its previous ping, one interval ago,
   * is dropped.
   */
  private pingSlot(slot: number): void {
    const nowMs = this.nowMs();
    for (const session of this.sessions) {
      if (session.pingSlot !== slot) continue;
      if (!session.alive) {
        this.deps.logger.info('client dropped: no pong', { session: session.id });
        session.ws.terminate();
        continue;
      }
      session.alive = false;
      session.ws.ping();
      session.pingNonce = (session.pingNonce % 0x7fffffff) + 1;
      session.pingSentUs = nowMs * 1000;
      session.send({ type: 'ping', nonce: session.pingNonce, sentTimeUs: session.pingSentUs }, nowMs);
    }
  }

  private onInstruments(instruments: readonly Instrument[]): void {
    const previous = [...this.bySymbol.values()];
    this.setInstruments(instruments);
    const removed = previous.filter((p) => !this.instrumentIds.has(p.id));
    for (const r of removed) this.deps.history.forget(r.id);
    this.broadcast(this.instrumentsMessage(instruments, removed));
  }

  private setInstruments(instruments: readonly Instrument[]): void {
    this.bySymbol.clear();
    this.symbolIndex.clear();
    this.instrumentIds.clear();
    for (const instrument of instruments) {
      this.bySymbol.set(instrument.symbol, instrument);
      this.symbolIndex.add(instrument);
      this.instrumentIds.add(instrument.id);
    }
  }

  private instrumentsMessage(current: readonly Instrument[], removed: readonly Instrument[]): InstrumentsMessage {
    return {
      type: 'instruments',
      instruments: [...current.map((i) => ({ ...i, removed: false })), ...removed.map((i) => ({ ...i, removed: true }))],
    };
  }

  /** Sends one message to every session, encoded once per protocol. */
  private broadcast(message: Parameters<Session['send']>[0]): void {
    const nowMs = this.nowMs();
    const encoded = new Map<string, Uint8Array | string>();
    for (const session of this.sessions) {
      const data = encoded.get(session.codec.subprotocol) ?? session.codec.encode(message);
      encoded.set(session.codec.subprotocol, data);
      session.sendEncoded(data, nowMs);
    }
  }

  stats(): GatewayStats {
    let conflating = 0;
    let rttSum = 0;
    let rttCount = 0;
    for (const s of this.sessions) {
      if (s.consumerState === ConsumerState.Conflating) conflating++;
      if (s.rttMs !== undefined) {
        rttSum += s.rttMs;
        rttCount++;
      }
    }
    return { clients: this.sessions.size, conflating, ...this.counters, rttMsAvg: rttCount ? rttSum / rttCount : undefined };
  }

  /**
   * Closes every client (1001 by default, RFC 6455 §7.4.1 "going away") and stops timers. Calling it
   * again returns the first call's promise, which settles when every client is gone.
   */
  close(code: number = CloseCode.GoingAway, reason = 'server shutting down'): Promise<void> {
    this.closing ??= this.closeClients(code, reason);
    return this.closing;
  }

  private async closeClients(code: number, reason: string): Promise<void> {
    this.closed = true;
    clearInterval(this.flushTimer);
    clearInterval(this.pingTimer);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    const closing = [...this.sessions].map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.ws.readyState === session.ws.CLOSED) return resolve();
          const timer = setTimeout(() => {
            session.ws.terminate();
            resolve();
          }, 2000);
          session.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          session.close(code, reason);
        }),
    );
    await Promise.all(closing);
    this.wss.close();
  }
}

const utf8 = new TextDecoder();

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * Writes a plain HTTP error response on a socket that asked to upgrade, then closes it. The socket
 * is destroyed once the response is flushed (as ws's own abortHandshake does): ending it only
 * half-closes it, and a peer that never closes its side would hold it open for good, keeping the
 * HTTP server's close() from ever completing.
 */
function refuse(socket: Duplex, status: number, body: string): void {
  const reason = { 403: 'Forbidden', 426: 'Upgrade Required', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  const bytes = Buffer.byteLength(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${bytes}\r\n${status === 426 ? 'Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n' : ''}\r\n${body}`,
  );
}
