/**
 * The framework-free Tickwire feed client: one WebSocket (browser or `ws`), reconnect with
 * backoff and failover across gateway URLs, resubscribe with resume positions, per-instrument
 * gap detection and resync, heartbeat watchdog, ping RTT, and typed events. It never throws into
 * the application from a socket callback: failures arrive on the `error` event.
 *
 * ```ts
 * const client = new FeedClient({ url: 'ws://localhost:8080' });
 * client.on('batch', (b) => store.push(b));
 * client.connect();
 * await client.subscribe(['BTC-USD'], 60);
 * ```
 */
import { codecFor, type Codec } from '../protocol';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_HISTORY_PAGE_BARS,
  PROTOCOL_VERSION,
  SUBPROTOCOL_BINARY,
  SUBPROTOCOL_JSON,
} from '../protocol/constants';
import { ProtocolError } from '../protocol/errors';
import { isHistoryCount, isRequestInterval, isSafeUint } from '../protocol/validation';
import type { ClientMessage, HelloMessage, ServerMessage, StatusMessage } from '../protocol/messages';
import { backoffDelay } from '../net/backoff';
import { closePolicy, describeClose } from './close-policy';
import { Emitter, type Listener } from './emitter';
import { ClientClosedError, type FeedClientError, ProtocolVersionError, RemoteCloseError, TransportError } from './errors';
import type { FeedClientEvents } from './events';
import { DEFAULT_HISTORY_COUNT, HistoryRequests, type HistoryPage } from './history-requests';
import { InstrumentTable } from './instrument-table';
import { resolveFeedClientOptions, type FeedClientOptions, type ResolvedFeedClientOptions } from './options';
import { RequestRouter } from './request-router';
import { encodedByteLength } from './request-size';
import { SequenceTracker } from './sequence-tracker';
import { ClientState, type StateChange } from './states';
import { type FeedClientStats, StatsCollector } from './stats';
import { SubscriptionBook, assertInterval, assertSymbols, type IntervalOrNone } from './subscription-book';
import { WS_OPEN, closeSocketQuietly, messageData, type WebSocketLike } from './transport';
import { UpdateGate } from './update-gate';
import { Liveness } from './liveness';

/** A connection that lasted at least this long (ms) resets the backoff to its first step. */
export const STABLE_CONNECTION_MS = 10_000;
/** Close code the client sends when it gives up on a silent connection (application range 4000-4999). */
export const CLOSE_HEARTBEAT_TIMEOUT = 4000;
/** Close code the client sends when it cannot use what the server sent (version, subprotocol). */
export const CLOSE_CLIENT_PROTOCOL_ERROR = 4002;

/** Read-only view of the instrument table, for lookups and exact price formatting. */
export type InstrumentLookup = Pick<InstrumentTable, 'get' | 'bySymbol' | 'resolve' | 'byId' | 'size' | 'formatPrice' | 'formatSize'>;

/** The feed client. See the module comment for an example. */
export class FeedClient {
  readonly #options: ResolvedFeedClientOptions;
  readonly #codec: Codec;
  readonly #events = new Emitter<FeedClientEvents>();
  readonly #table = new InstrumentTable();
  readonly #tracker = new SequenceTracker();
  readonly #book = new SubscriptionBook();
  readonly #stats: StatsCollector;
  readonly #router: RequestRouter;
  readonly #gate: UpdateGate;
  readonly #history: HistoryRequests;
  #state: ClientState = ClientState.Idle;
  #socket: WebSocketLike | undefined;
  #url = '';
  #urlIndex = 0;
  #attempt = 0;
  #ready = false;
  #everConnected = false;
  #connectedAt: number | undefined;
  #epoch: number | undefined;
  #hello: HelloMessage | undefined;
  #status: StatusMessage | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Bumped by every `close()`/stop and `connect()`. An event handler may close (or close and
   * reconnect) the client while the client is emitting; code that emits and then carries on
   * compares this before and after, so it never reconnects or delivers for a run that ended.
   */
  #run = 0;
  readonly #liveness: Liveness;

  /** @throws TypeError naming the first invalid option. */
  constructor(options: FeedClientOptions) {
    this.#options = resolveFeedClientOptions(options);
    const subprotocol = this.#options.protocol === 'json' ? SUBPROTOCOL_JSON : SUBPROTOCOL_BINARY;
    const codec = codecFor(subprotocol);
    if (!codec) throw new TypeError(`option "protocol": no codec for ${subprotocol}`);
    this.#codec = codec;
    this.#stats = new StatsCollector(this.#options.now());
    this.#router = new RequestRouter({
      book: this.#book,
      tracker: this.#tracker,
      table: this.#table,
      send: (message) => this.#send(message),
      emitError: (error) => this.#events.emit('error', error),
      now: this.#options.now,
      messageBytes: (message) => encodedByteLength(codec.encode(message)),
      maxMessageBytes: MAX_CLIENT_MESSAGE_BYTES,
    });
    this.#history = new HistoryRequests({
      send: (message) => this.#send(message),
      nextRequestId: () => this.#router.nextRequestId(),
      instrument: (id) => this.#table.get(id),
      now: this.#options.now,
    });
    this.#liveness = new Liveness({
      now: this.#options.now,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      heartbeatTimeoutFactor: this.#options.heartbeatTimeoutFactor,
      pingIntervalMs: this.#options.pingIntervalMs,
      sendPing: (nonce, sentTimeUs) => this.#send({ type: 'ping', nonce, sentTimeUs }),
      onDead: (reason) => this.#dropAndReconnect(`${this.#url}: ${reason}`, CLOSE_HEARTBEAT_TIMEOUT, false),
      onRtt: (ms) => this.#stats.rtt(ms),
    });
    this.#gate = new UpdateGate({
      table: this.#table,
      tracker: this.#tracker,
      book: this.#book,
      stats: this.#stats,
      events: this.#events,
      router: this.#router,
      live: () => this.#ready,
    });
  }

  // ---- public API -------------------------------------------------------------------------

  /** Adds an event handler; returns a function that removes it. */
  on<K extends keyof FeedClientEvents>(event: K, handler: Listener<FeedClientEvents[K]>): () => void {
    return this.#events.on(event, handler);
  }

  /** Current connection state. */
  get state(): ClientState {
    return this.#state;
  }

  /** Gateway URL of the current (or last) connection attempt; '' before the first. */
  get url(): string {
    return this.#url;
  }

  /** Epoch from the last accepted `hello`. */
  get epoch(): number | undefined {
    return this.#epoch;
  }

  /** The last accepted `hello`. */
  get hello(): HelloMessage | undefined {
    return this.#hello;
  }

  /** The last venue status message. */
  get status(): StatusMessage | undefined {
    return this.#status;
  }

  /** The instrument table (updated in place as `instruments` messages arrive). */
  get instruments(): InstrumentLookup {
    return this.#table;
  }

  /** Last contiguous sequence number the client holds for an instrument. */
  position(instrumentId: number): number | undefined {
    return this.#tracker.position(instrumentId);
  }

  /**
   * What is subscribed: the intervals of the (all, interval) pairs, and each explicit symbol with
   * the intervals of its pairs (copies).
   */
  subscriptions(): { all: ReadonlySet<IntervalOrNone>; symbols: ReadonlyMap<string, ReadonlySet<IntervalOrNone>> } {
    const symbols = new Map<string, ReadonlySet<IntervalOrNone>>();
    for (const [symbol, intervals] of this.#book.symbols) symbols.set(symbol, new Set(intervals));
    return { all: new Set(this.#book.allIntervals), symbols };
  }

  /** Opens the connection (no-op unless idle or closed). Subscriptions made earlier are sent once connected. */
  connect(): void {
    if (this.#state !== ClientState.Idle && this.#state !== ClientState.Closed) return;
    this.#attempt = 0;
    this.#run++;
    this.#setState(ClientState.Connecting, { reason: 'connect() called' });
    this.#open();
  }

  /**
   * Deliberate close (1000): no reconnect, every timer cleared, pending requests rejected with
   * {@link ClientClosedError}. Subscriptions are kept; `connect()` resumes them.
   */
  close(): void {
    if (this.#state === ClientState.Closed) return;
    this.#stop('closed by the application', { error: new ClientClosedError() });
  }

  /**
   * Adds the subscriptions (symbol, interval) for each symbol, or (all, interval) for every
   * instrument; `interval` is a bar interval in seconds, 0 = ticks without bars. A pair never
   * replaces another interval of the same instrument: a chart at 1m and one at 5m of one
   * instrument hold two pairs, each with its own snapshot and bars, while the instrument's trades
   * and quotes arrive once. Adding a pair already held asks for its snapshot again.
   *
   * Resolves on the server's ack; rejects with a `ServerRequestError` (e.g. code
   * `ErrorCode.UnknownInstrument`) when refused, in which case the pairs it added are dropped.
   * Made before connecting (or cut off by a disconnect), it is sent with the next connection's
   * resubscribe and still settles by its own symbols. Snapshots arrive as `snapshot` events.
   * More symbols than fit in one message (16 KiB, about 800 names) go as several requests, each
   * refused or accepted on its own.
   * @throws TypeError for malformed arguments.
   */
  subscribe(symbols: readonly string[] | 'all', interval: IntervalOrNone = 0): Promise<void> {
    assertSymbols(symbols);
    assertInterval(interval);
    const change = this.#book.add(symbols, interval);
    this.#router.noteAdded(change);
    if (!this.#ready) return this.#router.parked(symbols);
    return this.#router.subscribe({ symbols, interval, change });
  }

  /**
   * Drops the subscriptions (symbol, interval), or (all, interval) for 'all' (pairs held by name
   * stay; so do the other intervals of each instrument). An instrument keeps flowing while any of
   * its pairs, or an "all" pair, is held. A pair not held is fine. Resolves on ack (at once when
   * not connected).
   * @throws TypeError for malformed arguments.
   */
  unsubscribe(symbols: readonly string[] | 'all', interval: IntervalOrNone): Promise<void> {
    assertSymbols(symbols);
    assertInterval(interval);
    this.#book.remove(symbols, interval);
    this.#router.forget(symbols, interval);
    if (!this.#ready) return Promise.resolve();
    return this.#router.unsubscribe(symbols, interval);
  }

  /**
   * Asks for a page of bars of (`symbol`, `interval`) (capability `history`, docs/protocol.md
   * §2.12): the newest `count` (default 300, at most 1000) that open before `endTimeUs` (µs;
   * default 0 = now, the forming bar included). Page back by passing the first bar's `openTimeUs` as
   * the next `endTimeUs` while `more` is true. Needs no subscription.
   *
   * Resolves with the page (bars ascending, some with seq 0: they never touch sequence positions),
   * once the client holds the instrument table. Rejects with a `ServerRequestError` when refused
   * (`UnknownInstrument`, `BadInterval`, `BadRequest`, `HistoryUnavailable` when the server serves no
   * history or its source failed), and with `ClientClosedError` on `close()`; a refusal is reported
   * only by the rejection, not on the `error` event. Made while not connected, or cut off by a
   * disconnect, it is sent on the next connection. Requests are paced (a burst of 5, then 5 per second)
   * so a burst of calls stays within the gateway's request budget.
   * @throws TypeError or RangeError for malformed arguments.
   */
  history(symbol: string, interval: number, options: { readonly endTimeUs?: number; readonly count?: number } = {}): Promise<HistoryPage> {
    if (typeof symbol !== 'string' || symbol === '')
      throw new TypeError(`history symbol must be a non-empty string, got ${String(symbol)}`);
    if (!isRequestInterval(interval) || interval === 0) {
      throw new RangeError(`history interval must be a bar interval in seconds (1 .. 2^31-1), got ${String(interval)}`);
    }
    const endTimeUs = options.endTimeUs ?? 0;
    const count = options.count ?? DEFAULT_HISTORY_COUNT;
    if (!isSafeUint(endTimeUs))
      throw new RangeError(`history endTimeUs must be 0 or a time in µs since the Unix epoch, got ${String(endTimeUs)}`);
    if (!isHistoryCount(count))
      throw new RangeError(`history count must be an integer 1 .. ${MAX_HISTORY_PAGE_BARS}, got ${String(count)}`);
    return this.#history.request(symbol, interval, endTimeUs, count);
  }

  /** Current figures (cheap: call it a few times a second for a status badge). */
  stats(): FeedClientStats {
    return this.#stats.snapshot(this.#options.now());
  }

  // ---- connection lifecycle ---------------------------------------------------------------

  #setState(newState: ClientState, details: Omit<StateChange, 'newState' | 'oldState'> = {}): void {
    const oldState = this.#state;
    if (oldState === newState && newState !== ClientState.Reconnecting) return;
    this.#state = newState;
    this.#events.emit('state', { newState, oldState, ...details });
  }

  #open(): void {
    this.#retryTimer = undefined;
    const urls = this.#options.urls;
    const url = urls[this.#urlIndex % urls.length] ?? urls[0] ?? '';
    this.#urlIndex = (this.#urlIndex + 1) % urls.length;
    this.#url = url;
    let socket: WebSocketLike;
    try {
      socket = this.#options.transport(url, [this.#codec.subprotocol]);
      socket.binaryType = 'arraybuffer';
    } catch (error) {
      const run = this.#run;
      this.#events.emit('error', new TransportError(`cannot open ${url}: ${errorText(error)}`, url));
      if (run === this.#run) this.#scheduleReconnect(`cannot open ${url}`, undefined);
      return;
    }
    this.#socket = socket;
    let reportedError = false;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      if (socket.protocol && socket.protocol !== this.#codec.subprotocol) {
        this.#failLocally(`server selected subprotocol "${socket.protocol}", expected "${this.#codec.subprotocol}"`);
      }
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (this.#socket === socket) this.#onData(event.data);
    };
    socket.onerror = (event: { message?: unknown; error?: unknown }) => {
      if (this.#socket !== socket || reportedError) return;
      reportedError = true;
      const detail = typeof event?.message === 'string' && event.message ? `: ${event.message}` : '';
      this.#events.emit('error', new TransportError(`WebSocket error on ${url}${detail}`, url));
    };
    socket.onclose = (event: { code?: number; reason?: string }) => {
      if (this.#socket !== socket) return;
      this.#onSocketClose(typeof event?.code === 'number' ? event.code : 1006, event?.reason ?? '');
    };
    this.#liveness.start();
  }

  #onSocketClose(code: number, reason: string): void {
    const url = this.#url;
    const policy = closePolicy(code);
    const why = describeClose(code, reason);
    this.#detach();
    const run = this.#run;
    if (policy.kind === 'protocol' || policy.kind === 'policy') {
      this.#events.emit('error', new RemoteCloseError(code, reason, policy.kind, url, `${url}: ${why}`));
      if (run !== this.#run) return; // a handler closed the client
    }
    if (policy.reconnect) this.#scheduleReconnect(why, code);
    else this.#stop(why, { closeCode: code });
  }

  /**
   * Gives up on the current socket and reconnects. `graceful` sends a close frame with
   * `closeCode` (the peer is alive but sent nonsense); otherwise the socket is dropped at once
   * (it is silent: a closing handshake would only wait).
   */
  #dropAndReconnect(reason: string, closeCode: number, graceful: boolean): void {
    this.#closeSocket(closeCode, reason, graceful);
    this.#scheduleReconnect(reason, undefined);
  }

  /** Something the server sent makes this connection unusable for good (wrong version/subprotocol). */
  #failLocally(reason: string, error?: FeedClientError): void {
    const err = error ?? new TransportError(reason, this.#url);
    this.#events.emit('error', err);
    this.#stop(reason, { error: err, closeCode: CLOSE_CLIENT_PROTOCOL_ERROR });
  }

  #closeSocket(code: number, reason: string, graceful: boolean): void {
    const socket = this.#socket;
    this.#detach();
    if (socket) closeSocketQuietly(socket, code, reason, graceful);
  }

  /** Forgets the current socket: handlers off, connection timers cleared, in-flight requests moved. */
  #detach(): void {
    const socket = this.#socket;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      this.#socket = undefined;
    }
    this.#liveness.stop();
    this.#ready = false;
    if (this.#connectedAt !== undefined && this.#options.now() - this.#connectedAt >= STABLE_CONNECTION_MS) {
      this.#attempt = 0;
    }
    this.#connectedAt = undefined;
    this.#router.disconnect();
    this.#history.disconnect();
  }

  #scheduleReconnect(reason: string, closeCode: number | undefined): void {
    const delay = backoffDelay(this.#attempt++, this.#options.reconnect, this.#options.random);
    const retryAt = this.#options.now() + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#open(), delay);
    this.#setState(ClientState.Reconnecting, { reason, closeCode, retryInMs: delay, retryAt });
  }

  #stop(reason: string, details: { error?: Error; closeCode?: number }): void {
    this.#run++;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#closeSocket(1000, reason, true);
    const error = details.error ?? new ClientClosedError(reason);
    this.#router.rejectAll(error);
    this.#history.rejectAll(error);
    this.#setState(ClientState.Closed, { reason, closeCode: details.closeCode });
  }

  #send(message: ClientMessage): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WS_OPEN) return false;
    try {
      socket.send(this.#codec.encode(message));
      return true;
    } catch (error) {
      this.#events.emit('error', new TransportError(`send failed on ${this.#url}: ${errorText(error)}`, this.#url));
      return false;
    }
  }

  // ---- incoming messages ------------------------------------------------------------------

  #onData(data: unknown): void {
    const payload = messageData(data);
    const now = this.#options.now();
    if (payload === undefined) {
      this.#events.emit('error', new TransportError(`unusable message data from ${this.#url} (binaryType not "arraybuffer"?)`, this.#url));
      return;
    }
    this.#liveness.message(now);
    this.#stats.message(typeof payload === 'string' ? payload.length : payload.byteLength, now);
    let message: ServerMessage;
    try {
      message = this.#codec.decodeServer(payload);
    } catch (error) {
      // A message type this client does not know is a later addition to v2 (docs/protocol.md §1.3):
      // skipped, not a reason to drop the connection.
      if (error instanceof ProtocolError && error.code === 'TW_ERR_UNKNOWN_MESSAGE_TYPE') {
        this.#stats.unknownMessage();
        return;
      }
      const err = error instanceof ProtocolError ? error : new ProtocolError('TW_ERR_BAD_VALUE', `decoder failed: ${errorText(error)}`);
      const run = this.#run;
      this.#events.emit('error', err);
      if (run !== this.#run) return; // a handler closed the client
      this.#dropAndReconnect(`protocol error from ${this.#url}: ${err.message}`, err.closeCode, true);
      return;
    }
    this.#dispatch(message, now);
  }

  #dispatch(message: ServerMessage, now: number): void {
    switch (message.type) {
      case 'hello':
        this.#onHello(message, now);
        return;
      case 'instruments': {
        const removed = this.#table.apply(message.instruments);
        for (const id of removed) this.#tracker.forget(id);
        this.#events.emit('instruments', { ...message, table: this.#table.byId });
        return;
      }
      case 'status':
        this.#status = message;
        this.#events.emit('status', message);
        return;
      case 'heartbeat':
        this.#stats.serverTime(message.serverTimeUs, now);
        return;
      case 'ping':
        this.#send({ type: 'pong', nonce: message.nonce, sentTimeUs: message.sentTimeUs });
        return;
      case 'pong':
        this.#liveness.pong(message.nonce, now);
        return;
      default:
        break;
    }
    // Answers and data only make sense after hello on this connection.
    if (!this.#ready) return;
    switch (message.type) {
      case 'ack':
        this.#router.ack(message.requestId);
        return;
      case 'error':
        if (!this.#history.error(message)) this.#router.serverError(message);
        return;
      case 'historyPage':
        this.#history.page(message);
        return;
      case 'snapshot':
        this.#gate.snapshot(message, now);
        return;
      case 'batch':
        this.#gate.batch(message.conflated, message.updates, now);
        return;
    }
  }

  #onHello(hello: HelloMessage, now: number): void {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      this.#failLocally('protocol version mismatch', new ProtocolVersionError(hello.protocolVersion, PROTOCOL_VERSION, this.#url));
      return;
    }
    const previousEpoch = this.#epoch;
    const epochChanged = previousEpoch !== undefined && previousEpoch !== hello.epoch;
    if (epochChanged) {
      this.#tracker.clear();
      this.#table.clear();
      this.#stats.resetDataAge();
    }
    this.#epoch = hello.epoch;
    this.#hello = hello;
    this.#ready = true;
    this.#connectedAt = now;
    if (this.#everConnected) this.#stats.reconnects++;
    this.#everConnected = true;
    this.#stats.serverTime(hello.serverTimeUs, now);
    this.#liveness.hello(hello.heartbeatIntervalMs);
    // Handlers may close the client: stop as soon as this connection is no longer the live one.
    if (epochChanged) this.#events.emit('epoch', { previousEpoch, epoch: hello.epoch });
    if (this.#ready) this.#events.emit('hello', { ...hello, url: this.#url });
    if (this.#ready) this.#setState(ClientState.Connected, { reason: `connected to ${this.#url} (${hello.serverId})` });
    if (this.#ready) this.#router.resubscribeAll(this.#tracker.size > 0 ? hello.epoch : 0);
    if (this.#ready) this.#history.connected();
  }
}

/** Readable text of anything thrown. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
