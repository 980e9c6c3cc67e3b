/**
 * One feed connection shared by every embedded chart of a page (see hub-registry.ts for how a
 * page gets its hub): a reference-counted multiplexer. Charts `watch(symbol, interval, listener)`;
 * the hub resolves names against the instrument table and holds one subscription per
 * (instrument, interval) pair however many charts watch it (docs/protocol.md §2.3). Chart A
 * (BTC-USD, 1m) and chart B (BTC-USD, 5m) are two pairs on one socket, each with its own snapshot
 * and bars; when B goes, only its pair is dropped. Charts of one pair share its bars.
 *
 * Subscription changes made within {@link FeedHubOptions.syncDelayMs} go out together, new pairs
 * before dropped ones, so a chart switching interval never loses the instrument's ticks.
 */
import type { FeedClient, SnapshotEvent } from '../client';
import { ProtocolVersionError, RemoteCloseError, ServerRequestError } from '../client/errors';
import { SymbolIndex, bareSymbol } from '../market/symbols';
import type { BarInterval, Instrument, MarketUpdate } from '../market/types';
import { ErrorCode } from '../protocol/constants';
import { feedClosedText, protocolMismatchText, requestRefusedText, unknownInstrumentText } from '../text/feed-errors';
import { animationFrameScheduler, type FrameScheduler } from '../store/frame-scheduler';
import type { ConnectionState } from '../store/types';
import { ChartWatch, type EmbedChartListener, type HubFacts } from './chart-watch';
import type { EmbedProblem } from './embed-problem';
import { checkFeedOrigin, describeConnectFailure } from './feed-diagnosis';
import { DEFAULT_EMBED_MAX_BARS, IntervalBars } from './interval-bars';
import { OLDER_PAGE_BARS } from '../store/older-bars';

/** The part of {@link FeedClient} a hub uses (a FeedClient over a fake socket works in tests). */
export type HubClient = Pick<FeedClient, 'on' | 'subscribe' | 'unsubscribe' | 'connect' | 'close' | 'instruments' | 'state' | 'history'>;

/** Options of {@link FeedHub}. */
export interface FeedHubOptions {
  /** Subscription changes made within this time go out as one round of requests (ms). @defaultValue 20 */
  readonly syncDelayMs: number;
  /** Bars each pair keeps. @defaultValue 1000 */
  readonly maxBars: number;
  /** Schedules chart-state deliveries. @defaultValue next animation frame (timer fallback) */
  readonly scheduler: FrameScheduler;
  /** Explains a first connection that failed. @defaultValue asks the feed's GET /embed/check */
  readonly diagnose: (feedUrl: string) => Promise<EmbedProblem>;
}

/** Defaults of {@link FeedHubOptions}. */
export const FEED_HUB_DEFAULTS: FeedHubOptions = {
  syncDelayMs: 20,
  maxBars: DEFAULT_EMBED_MAX_BARS,
  scheduler: animationFrameScheduler(),
  diagnose: defaultDiagnose,
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

/** One (instrument, interval) pair the hub holds for its charts. */
interface Pair {
  readonly symbol: string;
  readonly interval: BarInterval;
  readonly bars: IntervalBars;
  /** Charts watching it: the pair is held while this is not empty (checked at each sync). */
  readonly watches: Set<ChartWatch>;
}

/** Key of a pair: interval and full symbol. */
function pairKey(symbol: string, interval: BarInterval): string {
  return `${interval}@${symbol}`;
}

/** Shares one feed client among charts. */
export class FeedHub {
  readonly #client: HubClient;
  readonly #options: FeedHubOptions;
  readonly #watches = new Set<ChartWatch>();
  /** Pairs some chart watches (or watched until the next sync), by {@link pairKey}. */
  readonly #pairs = new Map<string, Pair>();
  /** Pairs the hub subscribed through the client (what the client's book holds for it). */
  readonly #subscribed = new Map<string, { symbol: string; interval: BarInterval }>();
  readonly #offs: Array<() => void>;
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
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
      client.on('batch', (batch) => this.#onBatch(batch.updates)),
      client.on('error', (error) => this.#onError(error)),
    ];
    if (client.instruments.size > 0) this.#tableSeen = true;
  }

  /** Charts watching through this hub. */
  get watchCount(): number {
    return this.#watches.size;
  }

  /** Pairs the hub holds on the connection, as `interval@symbol` (diagnostics and tests). */
  get pairs(): string[] {
    return [...this.#subscribed.keys()];
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
    const watch = new ChartWatch(symbol, interval, listener, this.#options.scheduler, this.#facts);
    this.#watches.add(watch);
    // A client the server stopped for good (policy close, version mismatch) gets a new try.
    if (this.#client.state === 'closed') this.#client.connect();
    if (this.#tableSeen) this.#resolve(watch);
    watch.notify();
    this.#scheduleSync();
    return () => {
      if (!this.#watches.delete(watch)) return;
      this.#attach(watch, undefined);
      watch.close();
      if (!this.#closed) this.#scheduleSync();
    };
  }

  /**
   * Scroll-back for the chart watching `symbol` (the name it gave) at `interval`: asks the feed for
   * the page before its pair's oldest bar (one request in flight per pair) and puts it in front of
   * the bars of every chart of the pair. Does nothing while a page is in flight, at the start of
   * data, before the snapshot, or shortly after a failure.
   */
  loadOlder(symbol: string, interval: BarInterval): void {
    if (this.#closed) return;
    let pair: Pair | undefined;
    for (const candidate of this.#pairs.values()) {
      if (candidate.interval !== interval) continue;
      for (const watch of candidate.watches) if (watch.name === symbol) pair = candidate;
    }
    if (!pair) return;
    const { bars, watches } = pair;
    const started = bars.beginOlder(Date.now());
    if (!started) return;
    const notify = (changed: boolean): void => {
      if (changed) for (const watch of watches) watch.notify();
    };
    notify(true);
    let page;
    try {
      page = this.#client.history(pair.symbol, interval, { endTimeUs: started.endTimeUs, count: OLDER_PAGE_BARS });
    } catch {
      notify(bars.olderFailed(started.token, Date.now()));
      return;
    }
    page.then(
      (answer) => notify(bars.olderLoaded(started.token, answer)),
      () => notify(bars.olderFailed(started.token, Date.now())),
    );
  }

  /** Stops every chart and closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    for (const off of this.#offs) off();
    for (const watch of this.#watches) watch.close();
    this.#watches.clear();
    this.#pairs.clear();
    this.#client.close();
    this.#connection = 'closed';
  }

  // ---- client events ---------------------------------------------------------------------------

  #onState(state: ConnectionState): void {
    this.#connection = state;
    if (state === 'connected') {
      this.#everConnected = true;
      this.#problem = undefined;
    } else if ((state === 'reconnecting' || state === 'closed') && !this.#everConnected) {
      this.#diagnose();
    }
    this.#notifyAll();
  }

  #onEpoch(): void {
    // Instrument ids and sequence numbers restarted: every pair's bars are void. The client keeps
    // its subscriptions (by name) and resubscribes them; the new instrument table, which comes
    // before their snapshots, resolves the names again and gives each pair new bars.
    this.#tableSeen = false;
    this.#pairs.clear();
    for (const watch of this.#watches) {
      watch.setBars(undefined);
      watch.instrument = undefined;
      watch.notify();
    }
  }

  #onSnapshot(snapshot: SnapshotEvent): void {
    if (!snapshot.instrument || snapshot.interval === 0) return;
    const pair = this.#pairs.get(pairKey(snapshot.instrument.symbol, snapshot.interval));
    if (!pair || pair.bars.instrumentId !== snapshot.instrumentId) return;
    pair.bars.snapshot(snapshot);
    for (const watch of pair.watches) {
      if (watch.problem?.kind === 'refused') watch.problem = undefined;
      watch.notify();
    }
  }

  #onBatch(updates: readonly MarketUpdate[]): void {
    for (const pair of this.#pairs.values()) {
      pair.bars.batch(updates);
      if (pair.bars.takeChanged()) for (const watch of pair.watches) watch.notify();
    }
  }

  #onError(error: unknown): void {
    if (error instanceof ServerRequestError) {
      // The client dropped the refused pairs from its book: a later sync may ask again.
      for (const [key, pair] of this.#subscribed) if (error.symbols.includes(pair.symbol)) this.#subscribed.delete(key);
      for (const watch of this.#watches) {
        const named =
          error.symbols.includes(watch.name) || (watch.instrument !== undefined && error.symbols.includes(watch.instrument.symbol));
        if (!named) continue;
        watch.problem =
          error.code === ErrorCode.UnknownInstrument
            ? unknownSymbol(watch.name, [])
            : {
                kind: 'refused',
                message: requestRefusedText(watch.name, error.serverMessage),
                hint: 'Check the symbol, or ask the feed operator about its limits.',
              };
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
        hint: origin
          ? `If this site is not allowed, ask the operator to run the feed with --allow-origin ${origin}.`
          : 'Ask the feed operator why.',
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
      watch.instrument = instrument;
      this.#attach(watch, instrument);
      if (watch.problem?.kind === 'unknown-symbol' || watch.problem?.kind === 'ambiguous-symbol') watch.problem = undefined;
    } else {
      this.#attach(watch, undefined);
      watch.instrument = undefined;
      watch.problem =
        resolution.kind === 'ambiguous'
          ? {
              kind: 'ambiguous-symbol',
              message: `"${watch.name}" is listed by several venues: ${resolution.candidates.map((c) => c.symbol).join(', ')}.`,
              hint: `Name the venue, e.g. symbol="${resolution.candidates[0]?.symbol ?? ''}".`,
            }
          : unknownSymbol(
              watch.name,
              [...this.#client.instruments.byId.values()].map((i) => i.symbol),
            );
    }
    watch.notify();
  }

  /**
   * Moves `watch` to the pair (instrument, its interval), or out of any pair. A pair left with no
   * chart keeps its bars until the next sync drops it, so a chart mounted again at once (React
   * StrictMode, an attribute edit) finds them.
   */
  #attach(watch: ChartWatch, instrument: Instrument | undefined): void {
    const current = watch.bars;
    if (instrument && current && current.instrumentId === instrument.id) return;
    if (current) {
      for (const pair of this.#pairs.values()) if (pair.bars === current) pair.watches.delete(watch);
    }
    if (!instrument) {
      watch.setBars(undefined);
      return;
    }
    const key = pairKey(instrument.symbol, watch.interval);
    let pair = this.#pairs.get(key);
    if (!pair || pair.bars.instrumentId !== instrument.id) {
      pair = {
        symbol: instrument.symbol,
        interval: watch.interval,
        bars: new IntervalBars(instrument.id, watch.interval, this.#options.maxBars),
        watches: new Set(),
      };
      this.#pairs.set(key, pair);
    }
    pair.watches.add(watch);
    watch.setBars(pair.bars);
  }

  #scheduleSync(): void {
    if (this.#closed || this.#syncTimer !== undefined) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      this.#sync();
    }, this.#options.syncDelayMs);
  }

  /**
   * Brings the client's subscriptions in line with the charts: pairs no chart watches are dropped,
   * new ones added (added first, so an instrument's ticks never stop in between).
   */
  #sync(): void {
    if (this.#closed) return;
    const adds = new Map<BarInterval, string[]>();
    const drops = new Map<BarInterval, string[]>();
    for (const [key, pair] of this.#pairs) {
      if (pair.watches.size === 0) {
        this.#pairs.delete(key);
        continue;
      }
      if (this.#subscribed.has(key)) continue;
      this.#subscribed.set(key, { symbol: pair.symbol, interval: pair.interval });
      push(adds, pair.interval, pair.symbol);
    }
    for (const [key, held] of this.#subscribed) {
      if (this.#pairs.has(key)) continue;
      this.#subscribed.delete(key);
      push(drops, held.interval, held.symbol);
    }
    for (const [interval, symbols] of adds) this.#client.subscribe(symbols, interval).catch(ignore);
    for (const [interval, symbols] of drops) this.#client.unsubscribe(symbols, interval).catch(ignore);
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
  for (const key of ['syncDelayMs'] as const) {
    if (typeof options[key] !== 'number' || !Number.isFinite(options[key]) || options[key] < 0) {
      throw new TypeError(`FeedHub option "${key}" must be a non-negative number (ms), got ${String(options[key])}`);
    }
  }
  if (!Number.isSafeInteger(options.maxBars) || options.maxBars < 1) {
    throw new TypeError(`FeedHub option "maxBars" must be a positive integer, got ${String(options.maxBars)}`);
  }
  for (const key of ['scheduler', 'diagnose'] as const) {
    if (typeof options[key] !== 'function') throw new TypeError(`FeedHub option "${key}" must be a function`);
  }
}
