/**
 * The WebSocket gateway: accepts clients (Origin + subprotocol checks), answers their requests
 * from history, and fans live updates out on a fixed flush interval, encoding each flush once.
 * Slow consumers are conflated, then closed 1013; misbehaving clients are closed with the code
 * their error carries. No client can disturb another: every per-client failure stays in its connection.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Instrument } from '../../lib/market/types';
import { CloseCode, PROTOCOL_VERSION, ProtocolError, codecFor } from '../../lib/protocol';
import type { ClientMessage, SubscribeMessage } from '../../lib/protocol/messages';
import type { Bus, Tick, Unsubscribe } from '../bus/types';
import type { HistoryPages, HistoryStore } from '../history/types';
import type { Logger } from '../log';
import { buildConflatedUpdates } from './conflated-batch';
import { Connection } from './connection';
import { FlushFrame } from './flush-frame';
import { checkUpgrade, refuseUpgrade, selectSubprotocol } from './handshake';
import { InstrumentTable } from './instrument-table';
import { resolveGatewayOptions, type GatewayOptions } from './options';
import { PingRota } from './ping-schedule';
import { handleHistoryRequest, type HistoryRequestContext } from './history-requests';
import { handleClientMessage } from './requests';
import { ConsumerState, refusesSubscribe } from './slow-consumer-policy';
import type { OlderBarsLookup } from './snapshot';
import type { GatewayUpstream } from './upstream';

export interface GatewayDeps {
  readonly bus: Bus;
  readonly history: HistoryStore;
  /** Older bars than `history` holds, for fresh snapshots (the all-in-one feed's store). */
  readonly olderBars?: OlderBarsLookup;
  readonly logger: Logger;
  /**
   * Set when the bus feeds only wanted instruments (a scaled deployment's gateway): subscribes wait
   * for their instruments to warm, and resyncs and epoch changes close the clients concerned with 1012.
   */
  readonly upstream?: GatewayUpstream;
  /**
   * Source of `history` pages (docs/protocol.md §2.12). Given: `hello.capabilities` lists `history`.
   * Absent: `[]`, and a `history` request gets `error HistoryUnavailable`.
   */
  readonly historyPages?: HistoryPages;
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
  private readonly connections = new Set<Connection>();
  private readonly instruments: InstrumentTable;
  private pending: Tick[] = [];
  private readonly unsubscribes: Unsubscribe[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private interestTimer: NodeJS.Timeout | undefined;
  /** Per connection, the requests waiting behind async work: a subscribe whose instruments are warming, a history page. */
  private readonly queued = new Map<Connection, Promise<void>>();
  /** The slots connections are dealt into for pings (see ping-schedule.ts). */
  private readonly pings: PingRota;
  private readonly nowMs: () => number;
  private readonly ctx: HistoryRequestContext;
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
    const instruments = new InstrumentTable(deps.bus.instruments());
    this.instruments = instruments;
    const bus = deps.bus;
    this.ctx = {
      options: this.options,
      history: deps.history,
      olderBars: deps.olderBars,
      get epoch() {
        return bus.epoch;
      },
      symbols: instruments.symbols,
      instrumentIds: () => instruments.ids(),
      intervals: [...deps.history.intervals].sort((a, b) => a - b),
      nowMs: this.nowMs,
      nowUs,
      historyPages: deps.historyPages,
    };
    this.unsubscribes.push(
      deps.bus.onTicks((ticks) => {
        for (const tick of ticks) this.pending.push(tick);
      }),
      deps.bus.onInstruments((instruments) => this.onInstruments(instruments)),
      deps.bus.onStatus((venues) => this.broadcast({ type: 'status', venues })),
    );
    const upstream = deps.upstream;
    if (upstream !== undefined) {
      this.unsubscribes.push(
        upstream.onResync((ids) => this.closeHolders(ids)),
        upstream.onEpochChange(() => {
          this.pending = [];
          for (const connection of this.connections) connection.close(CloseCode.ServiceRestart, 'upstream epoch changed');
        }),
      );
      this.interestTimer = setInterval(() => upstream.setInterest(this.interest()), INTEREST_SWEEP_MS);
    }
    this.flushTimer = setInterval(() => this.flush(), this.options.flushIntervalMs);
    this.pings = new PingRota(this.options.wsPingIntervalMs);
    this.pingTimer = setInterval(() => this.pingSlot(this.pings.nextSlot()), this.pings.tickMs);
  }

  /** Routes an HTTP server's upgrade requests to this gateway. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Handles one upgrade request: refuses it with a readable HTTP error or opens a connection. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.closed) {
      refuseUpgrade(socket, 503, 'Tickwire feed is shutting down; retry shortly.\n');
      return;
    }
    const check = checkUpgrade(req, this.options.allowedOrigins, this.options.allowLocalhostOrigins);
    if (!check.ok) {
      this.deps.logger.info('handshake refused', {
        status: check.refusal.status,
        origin: req.headers.origin,
        remote: req.socket.remoteAddress,
      });
      refuseUpgrade(socket, check.refusal.status, check.refusal.body);
      return;
    }
    const codec = codecFor(check.protocol);
    if (!codec) {
      refuseUpgrade(socket, 500, 'Internal error: no codec for the negotiated protocol.\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, codec, req));
  }

  private open(ws: WebSocket, codec: NonNullable<ReturnType<typeof codecFor>>, req: IncomingMessage): void {
    const now = this.nowMs();
    const connection = new Connection(
      ws,
      codec,
      `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      this.pings.assignSlot(),
      now,
      this.options,
    );
    this.connections.add(connection);
    const log = this.deps.logger.child({ connection: connection.id, remote: connection.remote });
    log.debug('client connected', { protocol: codec.subprotocol, origin: req.headers.origin });

    ws.on('pong', () => connection.markAlive());
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(connection, data, isBinary, log));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws reports bad frames (1002/1007/1009) here, with a WS_ERR_ code, and closes with the
      // matching code itself. It also reports a failed send (EPIPE, ECONNRESET): the peer went away,
      // which is no protocol error of the client's.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') log.info('client message too big', { error: err.message });
      else log.info('client socket error', { error: err.message, code: err.code });
      if (err.code?.startsWith('WS_ERR_')) this.counters.closedProtocol++;
    });
    ws.on('close', (code: number) => {
      this.connections.delete(connection);
      log.debug('client disconnected', { code });
    });

    connection.send(
      {
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        serverId: this.options.serverId,
        epoch: this.deps.bus.epoch,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        serverTimeUs: now * 1000,
        capabilities: this.deps.historyPages === undefined ? [] : ['history'],
        intervals: this.ctx.intervals,
      },
      now,
    );
    connection.send(this.instruments.message(), now);
    connection.send({ type: 'status', venues: this.deps.bus.status() }, now);
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean, log: Logger): void {
    if (connection.closing) return;
    try {
      const bytes = toBytes(data);
      const payload: Uint8Array | string = isBinary ? bytes : utf8.decode(bytes);
      const message = connection.codec.decodeClient(payload);
      if (
        (message.type === 'subscribe' || message.type === 'unsubscribe' || message.type === 'history') &&
        !connection.takeRequestToken(this.nowMs())
      ) {
        log.info('client closed: request rate exceeded');
        connection.close(CloseCode.PolicyViolation, 'request rate limit exceeded');
        return;
      }
      if (message.type === 'subscribe' && refusesSubscribe(connection.bufferedBytes(), this.options)) {
        this.closeSlow(
          connection,
          CloseCode.TryAgainLater,
          `slow consumer: subscribe with ${connection.bufferedBytes()} bytes buffered past the hard limit`,
        );
        return;
      }
      this.dispatch(connection, message, log);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.counters.closedProtocol++;
        log.info('client closed: protocol error', { code: err.code, closeCode: err.closeCode, error: err.message });
        connection.close(err.closeCode, err.message);
      } else {
        log.error('internal error handling a client message', { error: String(err) });
        connection.close(CloseCode.InternalError, 'internal error');
      }
    }
  }

  /**
   * Handles a request now, or after the requests queued before it and the warming its subscribe
   * needs: a connection's requests are answered in order. A `history` request is async (its page
   * comes from the history source): the requests after it wait for its answer.
   */
  private dispatch(connection: Connection, message: ClientMessage, log: Logger): void {
    const warming = message.type === 'subscribe' ? this.deps.upstream?.want(this.targetsOf(message)) : undefined;
    const before = this.queued.get(connection);
    if (before === undefined && warming === undefined && message.type !== 'history') {
      handleClientMessage(connection, message, this.ctx);
      return;
    }
    const run = (before ?? Promise.resolve())
      .then(() => warming)
      .then(async () => {
        if (connection.closing) return;
        try {
          if (message.type === 'history') await handleHistoryRequest(connection, message, this.ctx);
          else handleClientMessage(connection, message, this.ctx);
        } catch (err) {
          log.error('internal error handling a client message', { error: String(err) });
          connection.close(CloseCode.InternalError, 'internal error');
        }
      });
    this.queued.set(connection, run);
    void run.finally(() => {
      if (this.queued.get(connection) === run) this.queued.delete(connection);
    });
  }

  /** Instruments a subscribe would take snapshots of (names that do not resolve are left to the handler). */
  private targetsOf(message: SubscribeMessage): number[] {
    if (message.all) return [...this.instruments.ids()];
    const ids: number[] = [];
    for (const entry of message.symbols) {
      const found = this.instruments.symbols.resolve(entry.symbol);
      if (found.kind === 'found') ids.push(found.instrument.id);
    }
    return ids;
  }

  /** Every instrument some connection holds (all of them when one holds an `all` pair). */
  private interest(): Set<number> {
    const ids = new Set<number>();
    for (const connection of this.connections) {
      if (connection.subscribesAll) return new Set(this.instruments.ids());
      for (const id of connection.subscribedIds()) ids.add(id);
    }
    return ids;
  }

  /** Closes (1012) every connection holding one of the instruments: they reconnect and resume. */
  private closeHolders(instrumentIds: readonly number[]): void {
    for (const connection of this.connections) {
      if (instrumentIds.some((id) => connection.wants(id))) {
        connection.close(CloseCode.ServiceRestart, 'upstream resynchronised; reconnect to resume');
      }
    }
  }

  /** One flush: apply pending ticks to history, encode once, send to every connection that wants them. */
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
    for (const connection of this.connections) {
      try {
        this.flushConnection(connection, frame, nowMs);
      } catch (err) {
        this.deps.logger.error('internal error flushing to a client', { connection: connection.id, error: String(err) });
        connection.close(CloseCode.InternalError, 'internal error');
      }
    }
    if (frame) {
      this.counters.segmentsEncoded += frame.segmentsEncoded;
      this.counters.batchesAssembled += frame.batchesAssembled;
    }
  }

  /** One connection's flush, as the slow-consumer policy decides (slow-consumer-policy.ts). */
  private flushConnection(connection: Connection, frame: FlushFrame | undefined, nowMs: number): void {
    if (connection.closing) return;
    const action = connection.checkBuffer(nowMs, this.options);
    switch (action.kind) {
      case 'close':
        this.closeSlow(connection, action.code, action.reason);
        return;
      case 'hold':
        if (action.entered)
          this.deps.logger.info('client conflated: socket backed up', { connection: connection.id, buffered: connection.bufferedBytes() });
        if (frame) connection.markDirty(frame.instrumentIds());
        return;
      case 'send-conflated': {
        // This flush's instruments too: the conflated batch replaces its batch, so an instrument
        // that changed only now would otherwise skip these ticks (a gap on the next batch).
        if (frame) connection.markDirty(frame.instrumentIds());
        const updates = buildConflatedUpdates(this.deps.history, connection.takeDirty(), (id) => connection.barIntervalsFor(id));
        connection.send({ type: 'batch', conflated: true, updates }, nowMs);
        return;
      }
      case 'send': {
        const batch = frame?.batchFor(connection);
        if (batch) {
          connection.sendEncoded(batch, nowMs);
          this.counters.batchesSent++;
        } else if (nowMs - connection.lastSentMs >= this.options.heartbeatIntervalMs) {
          connection.send({ type: 'heartbeat', serverTimeUs: nowMs * 1000 }, nowMs);
        }
        return;
      }
    }
  }

  private closeSlow(connection: Connection, code: number, reason: string): void {
    this.counters.closedSlow++;
    this.deps.logger.info('client closed: slow consumer', { connection: connection.id, reason });
    connection.close(code, reason);
    // The close frame queues behind what is buffered: give a peer that resumes reading time to
    // reach it, then drop the connection so its memory is released whatever the peer does.
    setTimeout(() => connection.terminate(), this.options.slowCloseTimeoutMs).unref();
  }

  /**
   * Pings the connections of one slot (Connection.ping); one that has not answered its previous
   * ping, one interval ago, is dropped.
   */
  private pingSlot(slot: number): void {
    const nowMs = this.nowMs();
    for (const connection of this.connections) {
      if (connection.pingSlot !== slot) continue;
      if (!connection.ping(nowMs)) {
        this.deps.logger.info('client dropped: no pong', { connection: connection.id });
        connection.terminate();
      }
    }
  }

  private onInstruments(instruments: readonly Instrument[]): void {
    const removed = this.instruments.replace(instruments);
    for (const r of removed) this.deps.history.forget(r.id);
    this.broadcast(this.instruments.message(removed));
  }

  /** Sends one message to every connection, encoded once per protocol. */
  private broadcast(message: Parameters<Connection['send']>[0]): void {
    const nowMs = this.nowMs();
    const encoded = new Map<string, Uint8Array | string>();
    for (const connection of this.connections) {
      const data = encoded.get(connection.codec.subprotocol) ?? connection.codec.encode(message);
      encoded.set(connection.codec.subprotocol, data);
      connection.sendEncoded(data, nowMs);
    }
  }

  stats(): GatewayStats {
    let conflating = 0;
    let rttSum = 0;
    let rttCount = 0;
    for (const s of this.connections) {
      if (s.consumerState === ConsumerState.Conflating) conflating++;
      if (s.rttMs !== undefined) {
        rttSum += s.rttMs;
        rttCount++;
      }
    }
    return { clients: this.connections.size, conflating, ...this.counters, rttMsAvg: rttCount ? rttSum / rttCount : undefined };
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
    clearInterval(this.interestTimer);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    const closing = [...this.connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.ws.readyState === connection.ws.CLOSED) return resolve();
          const timer = setTimeout(() => {
            connection.terminate();
            resolve();
          }, 2000);
          connection.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          connection.close(code, reason);
        }),
    );
    await Promise.all(closing);
    this.wss.close();
  }
}

const utf8 = new TextDecoder();
/** How often the instruments clients hold are reported to the upstream, ms. */
const INTEREST_SWEEP_MS = 1000;

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
