/**
 * One feed connection shared by every embedded chart of a page (see hub-registry.ts for how a
 * page gets its hub). Charts `watch(symbol, interval, listener)`; the hub resolves names against
 * the instrument table, subscribes each instrument once, and routes snapshots and batches to the
 * charts of that instrument.
 *
 * The protocol carries one bar interval per instrument per connection (docs/protocol.md 2.2).
 * The hub subscribes an instrument at the interval of its first chart (the *wire* interval);
 * charts of that instrument at other intervals fold trades into their own bars
 * (interval-bars.ts) from a *seed*: the hub briefly subscribes the instrument at the chart's
 * interval, takes that snapshot, and subscribes it back at the wire interval, in one round of
 * requests. Seeds are gathered per round, never repeated for the same instrument and interval
 * within {@link FeedHubOptions.reseedSpacingMs}, so the gateway's request rate is never at risk.
 */
import type { FeedClient, SnapshotEvent } from '../client';
import { ProtocolVersionError, RemoteCloseError, ServerRequestError } from '../client/errors';
import { SymbolIndex, bareSymbol } from '../market/symbols';
import { BAR_INTERVALS, type BarInterval, type Instrument, type MarketUpdate } from '../market/types';
import { ErrorCode } from '../protocol/constants';
import { feedClosedText, protocolMismatchText, requestRefusedText, unknownInstrumentText } from '../text/feed-errors';
import { animationFrameScheduler, type FrameScheduler } from '../store/frame-scheduler';
import type { ConnectionState } from '../store/types';
import { ChartWatch, type EmbedChartListener, type HubFacts } from './chart-watch';
import type { EmbedProblem } from './embed-problem';
import { checkFeedOrigin, describeConnectFailure } from './feed-diagnosis';
import { DEFAULT_EMBED_MAX_BARS } from './interval-bars';

/** The part of {@link FeedClient} a hub uses (a FeedClient over a fake socket works in tests). */
export type HubClient = Pick<FeedClient, 'on' | 'subscribe' | 'unsubscribe' | 'connect' | 'close' | 'instruments' | 'state'>;

/** Options of {@link FeedHub}. */
export interface FeedHubOptions {
  /** Subscription changes made within this time go out as one round of requests (ms). @defaultValue 20 */
  readonly syncDelayMs: number;
  /** Least time between two seeds of the same instrument and interval (ms). @defaultValue 2000 */
  readonly reseedSpacingMs: number;
  /** Bars each chart keeps. @defaultValue 1000 */
  readonly maxBars: number;
  /** Schedules chart-state deliveries. @defaultValue next animation frame (timer fallback) */
  readonly scheduler: FrameScheduler;
  /** Explains a first connection that failed. @defaultValue asks the feed's GET /embed/check */
  readonly diagnose: (feedUrl: string) => Promise<EmbedProblem>;
  /** Clock (ms). @defaultValue Date.now */
  readonly now: () => number;
}

/** Defaults of {@link FeedHubOptions}. */
export const FEED_HUB_DEFAULTS: FeedHubOptions = {
  syncDelayMs: 20,
  reseedSpacingMs: 2000,
  maxBars: DEFAULT_EMBED_MAX_BARS,
  scheduler: animationFrameScheduler(),
  diagnose: defaultDiagnose,
  now: () => Date.now(),
};

/** The page's origin, where there is a page. */
export function pageOrigin(): string | undefined {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  return origin && origin !== 'null' ? origin : undefined;
}

async function defaultDiagnose(feedUrl: string): Promise<EmbedProblem> {
  const origin = pageOrigin();
  return describeConnectFailure(feedUrl, await checkFeedOrigin(feedUrl, origin), origin);
}

const ignore = (): void => {};

/** Shares one feed client among charts. */
export class FeedHub {
  readonly #client: HubClient;
  readonly #options: FeedHubOptions;
  readonly #watches = new Set<ChartWatch>();
  /** Full symbol -> bar interval the hub last subscribed it at (what the client's book holds). */
  readonly #subscribed = new Map<string, BarInterval>();
  /** Instrument id -> interval of its last snapshot (what the wire carries). */
  readonly #wireById = new Map<number, BarInterval | 0>();
  /** `symbol@interval` of subscribe requests whose snapshot has not arrived. */
  readonly #inFlight = new Set<string>();
  readonly #lastSeedAt = new Map<string, number>();
  readonly #offs: Array<() => void>;
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connection: ConnectionState;
  #tableSeen = false;
  #everConnected = false;
  #diagnosing = false;
  #problem: EmbedProblem | undefined;
  #closed = false;
  /** What every watch combines with its own state. */
  readonly #facts: () => HubFacts;

  /** @throws TypeError naming an invalid option. */
  constructor(
    /** The feed's WebSocket URL (for messages). */
    readonly feedUrl: string,
    client: HubClient,
    options: Partial<FeedHubOptions> = {},
  ) {
    this.#options = { ...FEED_HUB_DEFAULTS, ...options };
    validate(this.#options);
    this.#client = client;
    this.#connection = client.state;
    this.#facts = () => ({ connection: this.#connection, problem: this.#problem });
    this.#offs = [
      client.on('state', (change) => this.#onState(change.newState)),
      client.on('instruments', () => {
        this.#tableSeen = true;
        this.#resolveAll();
        this.#scheduleSync();
      }),
      client.on('epoch', () => this.#onEpoch()),
      client.on('snapshot', (snapshot) => this.#onSnapshot(snapshot)),
      client.on('batch', (batch) => this.#onBatch(batch.updates, batch.conflated)),
      client.on('error', (error) => this.#onError(error)),
    ];
    if (client.instruments.size > 0) this.#tableSeen = true;
  }

  /** Charts watching through this hub. */
  get watchCount(): number {
    return this.#watches.size;
  }

  /** Connection state of the shared client. */
  get connection(): ConnectionState {
    return this.#connection;
  }

  /**
   * Starts delivering `symbol` (full or bare name) at `interval` (seconds) to `listener`, at most
   * once per animation frame. Returns the function that stops it.
   */
  watch(symbol: string, interval: BarInterval, listener: EmbedChartListener): () => void {
    if (this.#closed) throw new Error('FeedHub is closed');
    const watch = new ChartWatch(symbol, interval, listener, this.#options.scheduler, this.#facts, this.#options.maxBars);
    this.#watches.add(watch);
    // A client the server stopped for good (policy close, version mismatch) gets a new try.
    if (this.#client.state === 'closed') this.#client.connect();
    if (this.#tableSeen) this.#resolve(watch);
    watch.notify();
    this.#scheduleSync();
    return () => {
      if (!this.#watches.delete(watch)) return;
      watch.close();
      if (!this.#closed) this.#scheduleSync();
    };
  }

  /** Stops every chart and closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    clearTimeout(this.#retryTimer);
    for (const off of this.#offs) off();
    for (const watch of this.#watches) watch.close();
    this.#watches.clear();
    this.#client.close();
    this.#connection = 'closed';
  }

  // ---- client events ---------------------------------------------------------------------------

  #onState(state: ConnectionState): void {
    this.#connection = state;
    if (state === 'connected') {
      this.#everConnected = true;
      this.#problem = undefined;
    } else {
      this.#inFlight.clear(); // answers to requests on the old socket will not come
      if ((state === 'reconnecting' || state === 'closed') && !this.#everConnected) this.#diagnose();
    }
    this.#notifyAll();
  }

  #onEpoch(): void {
    // Instrument ids and sequence numbers restarted: everything built on them is void. The new
    // instrument table (next message) resolves the names again; the client resubscribes.
    this.#tableSeen = false;
    this.#wireById.clear();
    this.#inFlight.clear();
    for (const watch of this.#watches) {
      watch.instrument = undefined;
      watch.bars.reset(undefined);
      watch.notify();
    }
  }

  #onSnapshot(snapshot: SnapshotEvent): void {
    this.#wireById.set(snapshot.instrumentId, snapshot.interval);
    if (snapshot.instrument) this.#inFlight.delete(`${snapshot.instrument.symbol}@${snapshot.interval}`);
    let seedWanted = false;
    for (const watch of this.#watches) {
      if (watch.bars.instrumentId !== snapshot.instrumentId) continue;
      watch.bars.snapshot(snapshot);
      if (watch.problem?.kind === 'refused') watch.problem = undefined;
      watch.notify();
      if (watch.bars.needsSeed) seedWanted = true;
    }
    if (seedWanted) this.#scheduleSync();
  }

  #onBatch(updates: readonly MarketUpdate[], conflated: boolean): void {
    let seedWanted = false;
    for (const watch of this.#watches) {
      if (watch.bars.instrumentId === undefined) continue;
      watch.bars.batch(updates, conflated);
      if (watch.bars.changed) watch.notify();
      if (watch.bars.needsSeed) seedWanted = true;
    }
    if (seedWanted) this.#scheduleSync();
  }

  #onError(error: unknown): void {
    if (error instanceof ServerRequestError) {
      for (const symbol of error.symbols) for (const interval of BAR_INTERVALS) this.#inFlight.delete(`${symbol}@${interval}`);
      for (const watch of this.#watches) {
        const named = error.symbols.includes(watch.name) || (watch.instrument !== undefined && error.symbols.includes(watch.instrument.symbol));
        if (!named) continue;
        watch.problem =
          error.code === ErrorCode.UnknownInstrument
            ? unknownSymbol(watch.name, [])
            : { kind: 'refused', message: requestRefusedText(watch.name, error.serverMessage), hint: 'Check the symbol, or ask the feed operator about its limits.' };
        watch.notify();
      }
      return;
    }
    if (error instanceof ProtocolVersionError) {
      this.#problem = {
        kind: 'protocol-mismatch',
        message: protocolMismatchText(this.feedUrl, error.serverVersion, error.clientVersion, 'chart'),
        hint: 'Load the chart script (or package) from the same Tickwire release as the feed.',
      };
      this.#notifyAll();
      return;
    }
    if (error instanceof RemoteCloseError && error.kind === 'policy') {
      const origin = pageOrigin();
      this.#problem = {
        kind: 'refused',
        message: feedClosedText(this.feedUrl, error.reason, error.closeCode),
        hint: origin ? `If this site is not allowed, ask the operator to run the feed with --allow-origin ${origin}.` : 'Ask the feed operator why.',
      };
      this.#notifyAll();
    }
  }

  // ---- resolution and requests -----------------------------------------------------------------

  #resolveAll(): void {
    const index = this.#index();
    for (const watch of this.#watches) this.#resolve(watch, index);
  }

  /** Name lookup over the client's table (bare names resolve while one venue lists them). */
  #index(): SymbolIndex<Instrument> {
    return new SymbolIndex(this.#client.instruments.byId.values());
  }

  #resolve(watch: ChartWatch, index = this.#index()): void {
    const resolution = index.resolve(watch.name);
    if (resolution.kind === 'found') {
      const instrument = resolution.instrument;
      if (watch.bars.instrumentId !== instrument.id) watch.bars.reset(instrument.id, this.#wireById.get(instrument.id));
      watch.instrument = instrument;
      if (watch.problem?.kind === 'unknown-symbol' || watch.problem?.kind === 'ambiguous-symbol') watch.problem = undefined;
    } else {
      if (watch.bars.instrumentId !== undefined) watch.bars.reset(undefined);
      watch.instrument = undefined;
      watch.problem =
        resolution.kind === 'ambiguous'
          ? {
              kind: 'ambiguous-symbol',
              message: `"${watch.name}" is listed by several venues: ${resolution.candidates.map((c) => c.symbol).join(', ')}.`,
              hint: `Name the venue, e.g. symbol="${resolution.candidates[0]?.symbol ?? ''}".`,
            }
          : unknownSymbol(watch.name, [...this.#client.instruments.byId.values()].map((i) => i.symbol));
    }
    watch.notify();
  }

  #scheduleSync(delayMs = this.#options.syncDelayMs): void {
    if (this.#closed || this.#syncTimer !== undefined) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      this.#sync();
    }, delayMs);
  }

  /** Brings the client's subscriptions in line with the watches; sends seeds charts need. */
  #sync(): void {
    if (this.#closed) return;
    if (this.#tableSeen) this.#resolveAll();
    const desired = new Map<string, BarInterval[]>();
    for (const watch of this.#watches) {
      if (!watch.instrument) continue;
      const intervals = desired.get(watch.instrument.symbol) ?? [];
      if (!intervals.includes(watch.interval)) intervals.push(watch.interval);
      desired.set(watch.instrument.symbol, intervals);
    }
    const gone = [...this.#subscribed.keys()].filter((symbol) => !desired.has(symbol));
    if (gone.length > 0) {
      for (const symbol of gone) {
        this.#subscribed.delete(symbol);
        // A snapshot still on its way for it will not be delivered (the client drops snapshots of
        // what it no longer subscribes): left in flight, it would block that seed for good.
        for (const interval of BAR_INTERVALS) this.#inFlight.delete(`${symbol}@${interval}`);
      }
      this.#client.unsubscribe(gone).catch(ignore);
    }
    const connected = this.#connection === 'connected';
    const now = this.#options.now();
    const seeds = new Map<BarInterval, string[]>();
    const finals = new Map<BarInterval, string[]>();
    let retryInMs: number | undefined;
    /** True when a seed of `key` may go now; else notes when it may. */
    const mayRequest = (key: string): boolean => {
      if (this.#inFlight.has(key)) return false;
      const last = this.#lastSeedAt.get(key);
      if (last !== undefined && now - last < this.#options.reseedSpacingMs) {
        retryInMs = Math.min(retryInMs ?? Infinity, this.#options.reseedSpacingMs - (now - last));
        return false;
      }
      return true;
    };
    for (const [symbol, intervals] of desired) {
      const current = this.#subscribed.get(symbol);
      const wire = current !== undefined && intervals.includes(current) ? current : (intervals[0] as BarInterval);
      let final = wire !== current;
      if (connected) {
        for (const watch of this.#watches) {
          if (watch.instrument?.symbol !== symbol || !watch.bars.needsSeed) continue;
          const key = `${symbol}@${watch.interval}`;
          if (watch.interval === wire ? final || !mayRequest(key) : !mayRequest(key)) continue;
          this.#lastSeedAt.set(key, now);
          this.#inFlight.add(key);
          // A seed moves the instrument to the seed's interval: the round ends back at the wire's.
          final = true;
          if (watch.interval !== wire) push(seeds, watch.interval, symbol);
        }
      }
      if (final) {
        push(finals, wire, symbol);
        this.#subscribed.set(symbol, wire);
        if (connected) this.#inFlight.add(`${symbol}@${wire}`);
      }
    }
    // Seeds first, then the wire interval: the connection ends at the wire interval.
    for (const [interval, symbols] of seeds) this.#client.subscribe(symbols, interval).catch(ignore);
    for (const [interval, symbols] of finals) this.#client.subscribe(symbols, interval).catch(ignore);
    if (retryInMs !== undefined && this.#retryTimer === undefined) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#scheduleSync(0);
      }, retryInMs);
    }
  }

  #diagnose(): void {
    if (this.#diagnosing || this.#closed) return;
    this.#diagnosing = true;
    this.#options.diagnose(this.feedUrl).then(
      (problem) => {
        this.#diagnosing = false;
        if (this.#closed || this.#connection === 'connected') return;
        this.#problem = problem;
        this.#notifyAll();
      },
      () => {
        this.#diagnosing = false;
      },
    );
  }

  #notifyAll(): void {
    for (const watch of this.#watches) watch.notify();
  }
}

/** Most instrument names an unknown-symbol hint lists. */
export const UNKNOWN_SYMBOL_SUGGESTIONS = 8;

function unknownSymbol(name: string, known: readonly string[]): EmbedProblem {
  const listed = known.slice(0, UNKNOWN_SYMBOL_SUGGESTIONS).map(bareSymbol).join(', ');
  return {
    kind: 'unknown-symbol',
    message: unknownInstrumentText(name),
    hint: known.length === 0 ? 'Check the symbol.' : `It lists ${listed}${known.length > UNKNOWN_SYMBOL_SUGGESTIONS ? ', …' : '.'}`,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function validate(options: FeedHubOptions): void {
  for (const key of ['syncDelayMs', 'reseedSpacingMs'] as const) {
    if (typeof options[key] !== 'number' || !Number.isFinite(options[key]) || options[key] < 0) {
      throw new TypeError(`FeedHub option "${key}" must be a non-negative number (ms), got ${String(options[key])}`);
    }
  }
  if (!Number.isSafeInteger(options.maxBars) || options.maxBars < 1) {
    throw new TypeError(`FeedHub option "maxBars" must be a positive integer, got ${String(options.maxBars)}`);
  }
  for (const key of ['scheduler', 'diagnose', 'now'] as const) {
    if (typeof options[key] !== 'function') throw new TypeError(`FeedHub option "${key}" must be a function`);
  }
}
