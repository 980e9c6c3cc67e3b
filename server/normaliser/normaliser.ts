/**
 * The normaliser: the one place adapter output becomes canonical. It names instruments
 * `VENUE:SYMBOL` (after the symbol map) and interns them, validates every trade and quote (a bad
 * one is counted per adapter and reason and logged, never forwarded, never thrown), stamps receive
 * time and the per-instrument sequence number, and publishes ticks to the bus in batches, one per
 * event-loop turn, in acceptance order. Adapters reach it through sinks opened per adapter run
 * ({@link Normaliser.open}); the supervisor (server/adapters/supervisor.ts) opens a fresh sink for
 * every restart and closes the old one, so a zombie adapter can never emit into the stream.
 */
import type { Instrument, Quote, Trade } from '../../lib/market/types';
import { Side } from '../../lib/market/types';
import { VENUE_STATES } from '../../lib/protocol/constants';
import type { VenueStatus } from '../../lib/protocol/messages';
import type { AdapterSink, AdapterState, FeedAdapter } from '../adapters/types';
import type { Bus, Tick } from '../bus/types';
import type { Logger } from '../log';
import { InstrumentTable } from './instrument-table';
import type { AdapterSource, SinkHandle, SinkHooks } from './sources';
import type { RejectReason } from './reasons';
import { RejectLog, type RejectSource } from './reject-log';
import { qualifySymbol, VENUE_SEPARATOR } from '../../lib/market/symbols';
import { checkInstrument, checkQuote, checkTrade, checkVenue, isRecord, type QuoteDraft, type TradeDraft } from './validate';

/** Options of {@link Normaliser}. */
export interface NormaliserOptions {
  /** Where validated ticks, the instrument table and venue status are published. */
  readonly bus: Bus;
  readonly logger: Logger;
  /** Clock for receive times, µs since the Unix epoch. @defaultValue wall clock with sub-ms resolution */
  readonly now?: () => number;
  /** Most an event time may lead its receive time, µs. @defaultValue 5 s */
  readonly maxFutureSkewUs?: number;
  /** Most an event time may lag its receive time, µs. @defaultValue 24 h */
  readonly maxPastSkewUs?: number;
  /** Least time between two rejection summaries in the log, ms. @defaultValue 10 s */
  readonly rejectSummaryIntervalMs?: number;
  /** Ticks published per bus batch at most; a longer burst within one turn is split. @defaultValue 4096 */
  readonly maxBatchSize?: number;
  /** Instruments the table will hold at most, across adapters. @defaultValue 10 000 */
  readonly maxInstruments?: number;
  /**
   * Continue an epoch another normaliser started (an ingest taking over, docs/scaling.md): its
   * instrument table, whose ids are kept, and the last seq it assigned per instrument, which the
   * next tick follows.
   */
  readonly resume?: {
    readonly instruments: readonly Instrument[];
    readonly lastSeqs: ReadonlyMap<number, number>;
  };
}

/** Counters for /healthz. */
export interface NormaliserStats {
  /** Trades and quotes accepted and published. */
  readonly accepted: number;
  /** Rejections by {@link RejectReason} (only reasons seen). */
  readonly rejected: Record<string, number>;
  /** Rejections per source ("adapter@VENUE") and reason. */
  readonly rejectedBySource: Record<string, Record<string, number>>;
  /** Instruments in the table. */
  readonly instruments: number;
}

/** Defaults of the optional {@link NormaliserOptions}. */
export const NORMALISER_DEFAULTS = Object.freeze({
  maxFutureSkewUs: 5_000_000,
  maxPastSkewUs: 86_400_000_000,
  rejectSummaryIntervalMs: 10_000,
  maxBatchSize: 4096,
  maxInstruments: 10_000,
});

/** Longest status reason forwarded, in characters. */
export const MAX_STATUS_REASON_LENGTH = 200;
/**
 * Venue states only a gateway reports, never an adapter: `upstream_lost` says the gateway lost its
 * broker (docs/protocol.md §3.4), which no adapter can know. Typed as exactly the wire states that
 * are not {@link AdapterState}s, so a state added to one list and not the other fails to compile.
 */
const GATEWAY_ONLY_STATES: readonly Exclude<VenueStatus['state'], AdapterState>[] = ['upstream_lost'];
// The wire's venue states less the gateway's own are the states adapters may report.
const ADAPTER_STATES = new Set<unknown>(VENUE_STATES.filter((state) => !(GATEWAY_ONLY_STATES as readonly string[]).includes(state)));

/** Wall clock in µs with sub-millisecond resolution. */
function wallClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function requirePositive(name: string, value: unknown, integer: boolean): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new TypeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  }
  return value;
}

/** One opened sink: its source, what it declared, and whether it is still open. */
interface Binding extends RejectSource {
  readonly symbolMap: ReadonlyMap<string, string> | undefined;
  /** The symbol map keyed by upper-cased symbol, for entries typed in another case. */
  readonly foldedSymbolMap: ReadonlyMap<string, string> | undefined;
  readonly hooks: SinkHooks;
  /** Adapter symbol -> interned instrument, for the symbols this sink declared. */
  readonly instruments: Map<string, Instrument>;
  active: boolean;
}

/** An adapter attached with {@link Normaliser.attach} (no supervisor). */
interface Attached {
  readonly instance: FeedAdapter;
  readonly handle: SinkHandle;
}

const EMPTY_HOOKS: SinkHooks = Object.freeze({});

/** Validates, sequences and publishes what feed adapters emit. */
export class Normaliser {
  private readonly bus: Bus;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly limits: { readonly maxFutureSkewUs: number; readonly maxPastSkewUs: number };
  private readonly maxBatchSize: number;
  private readonly table: InstrumentTable;
  private readonly rejects: RejectLog;
  /** Last seq per instrument id (index = id). */
  private readonly seqs: number[] = [];
  private readonly venueStatus = new Map<string, VenueStatus>();
  /**
   * Interned name -> the adapter symbol (venue prefix dropped) it was first declared for. A symbol
   * map can give two of a venue's symbols one name (`BTCUSDT=BTC-USD`, `BTCUSDC=BTC-USD`); their
   * trades would then share one instrument and one sequence, two markets' prices in one series.
   */
  private readonly nameOwners = new Map<string, string>();
  private attached: Attached[] = [];
  private nextKey = 1;
  private pending: Tick[] = [];
  private flushScheduled = false;
  private accepted = 0;
  private readonly tradeDraft: TradeDraft = { eventTimeUs: 0, price: 0, size: 0, side: Side.Unknown, tradeId: '' };
  private readonly quoteDraft: QuoteDraft = { eventTimeUs: 0, bid: 0, bidSize: 0, ask: 0, askSize: 0 };

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(options: NormaliserOptions) {
    const config = { ...NORMALISER_DEFAULTS, ...options };
    if (!isRecord(config.bus) || typeof config.bus.publishTicks !== 'function') {
      throw new TypeError('bus must be a Bus');
    }
    if (!isRecord(config.logger) || typeof config.logger.warn !== 'function') {
      throw new TypeError('logger must be a Logger');
    }
    if (config.now !== undefined && typeof config.now !== 'function') throw new TypeError('now must be a function');
    this.bus = config.bus;
    this.logger = config.logger.child({ component: 'normaliser' });
    this.now = config.now ?? wallClockUs;
    this.limits = {
      maxFutureSkewUs: requirePositive('maxFutureSkewUs', config.maxFutureSkewUs, false),
      maxPastSkewUs: requirePositive('maxPastSkewUs', config.maxPastSkewUs, false),
    };
    this.maxBatchSize = requirePositive('maxBatchSize', config.maxBatchSize, true);
    this.table = new InstrumentTable(requirePositive('maxInstruments', config.maxInstruments, true));
    this.rejects = new RejectLog(this.logger, requirePositive('rejectSummaryIntervalMs', config.rejectSummaryIntervalMs, false));
    if (config.resume !== undefined) {
      this.table.restore(config.resume.instruments);
      for (const [id, seq] of config.resume.lastSeqs) this.seqs[id] = seq;
    }
  }

  /**
   * Opens a sink for one run of an adapter. Everything the adapter emits through it is validated;
   * instruments it declares are named `VENUE:SYMBOL`. Close the handle when the run ends.
   * @throws TypeError when the venue is not a valid venue name or the symbol map is not a Map.
   */
  open(source: AdapterSource, hooks: SinkHooks = EMPTY_HOOKS): SinkHandle {
    const venueProblem = checkVenue(source.venue);
    if (venueProblem !== undefined) throw new TypeError(`adapter venue ${JSON.stringify(source.venue)} ${venueProblem}`);
    if (source.symbolMap !== undefined && !(source.symbolMap instanceof Map)) throw new TypeError('symbolMap must be a Map');
    const binding: Binding = {
      key: source.key ?? this.nextKey++,
      adapter: typeof source.adapter === 'string' && source.adapter.length > 0 ? source.adapter : 'unnamed',
      venue: source.venue,
      symbolMap: source.symbolMap,
      foldedSymbolMap: source.symbolMap && new Map([...source.symbolMap].map(([symbol, name]) => [symbol.toUpperCase(), name])),
      hooks,
      instruments: new Map(),
      active: true,
    };
    if (binding.key >= this.nextKey) this.nextKey = binding.key + 1;
    const sink: AdapterSink = {
      // Arrow functions: adapters may pass the methods around unbound. Nothing escapes a sink call.
      instruments: (list) => this.guard(binding, list, () => this.declareInstruments(binding, list)),
      trade: (raw) => this.guard(binding, raw, () => this.acceptTrade(binding, raw)),
      quote: (raw) => this.guard(binding, raw, () => this.acceptQuote(binding, raw)),
      status: (state, reason) => this.guard(binding, state, () => this.acceptStatus(binding, state, reason)),
      heartbeat: () => this.guard(binding, undefined, () => binding.hooks.onActivity?.()),
    };
    return {
      key: binding.key,
      sink,
      get isOpen() {
        return binding.active;
      },
      close: () => {
        binding.active = false;
      },
    };
  }

  /**
   * Publishes `venue`'s state (the supervisor's verdict) with its reason to the bus, and logs the
   * change: `venue state` at info for `connecting` / `live`, at warn for `stale` / `down`. The
   * reason is kept in every state: with `live` it reports a non-fatal venue problem
   * (docs/adapters.md). Repeating the current state and reason changes and logs nothing.
   */
  setVenueStatus(venue: string, state: AdapterState, reason = ''): void {
    const text = reason.slice(0, MAX_STATUS_REASON_LENGTH);
    const previous = this.venueStatus.get(venue);
    if (previous !== undefined && previous.state === state && previous.reason === text) return;
    this.venueStatus.set(venue, { venue, state, reason: text });
    const fields = { venue, state, reason: text, previous: previous?.state ?? null };
    if (state === 'stale' || state === 'down') this.logger.warn('venue state', fields);
    else this.logger.info('venue state', fields);
    this.publishStatus();
  }

  /**
   * Starts `adapter` with a sink of its own, without supervision (the feed service supervises;
   * this is for tests and tools). When `start` rejects, the venue is reported down with the error
   * and the rejection is passed on.
   * @throws TypeError when `adapter` is not a FeedAdapter.
   */
  async attach(adapter: FeedAdapter, symbolMap?: ReadonlyMap<string, string>): Promise<void> {
    if (!isRecord(adapter) || typeof adapter.start !== 'function' || typeof adapter.stop !== 'function') {
      throw new TypeError('adapter must be a FeedAdapter (start and stop functions)');
    }
    if (typeof adapter.venue !== 'string' || adapter.venue.length === 0) {
      throw new TypeError('adapter.venue must be a non-empty string');
    }
    const name = typeof adapter.name === 'string' ? adapter.name : 'unnamed';
    const handle = this.open({ adapter: name, venue: adapter.venue, symbolMap });
    const entry: Attached = { instance: adapter, handle };
    this.attached.push(entry);
    this.setVenueStatus(adapter.venue, 'connecting');
    try {
      await adapter.start(handle.sink);
    } catch (error) {
      handle.close();
      this.attached = this.attached.filter((a) => a !== entry);
      this.setVenueStatus(adapter.venue, 'down', `failed to start: ${error instanceof Error ? error.message : String(error)}`);
      this.logger.error('adapter failed to start', { adapter: name, venue: adapter.venue, error: String(error) });
      throw error;
    }
    this.logger.info('adapter attached', { adapter: name, venue: adapter.venue });
  }

  /**
   * Stops every adapter attached with {@link attach} (errors are logged, not thrown), publishes
   * what is pending, reports their venues down and logs the last rejection summary. The table and
   * sequence numbers are kept: adapters attached later continue them.
   */
  async detachAll(): Promise<void> {
    const attached = this.attached;
    this.attached = [];
    await Promise.all(
      attached.map(async ({ instance, handle }) => {
        try {
          await instance.stop();
        } catch (error) {
          this.logger.error('adapter failed to stop', { adapter: instance.name, venue: instance.venue, error: String(error) });
        }
        handle.close();
      }),
    );
    this.flush();
    for (const { instance } of attached) this.setVenueStatus(instance.venue, 'down', 'detached');
    this.rejects.close();
  }

  /** Publishes the ticks accepted so far in this turn now, instead of at the end of the turn. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.bus.publishTicks(batch);
    } catch (error) {
      this.logger.error('bus rejected a tick batch', { count: batch.length, error: String(error) });
    }
  }

  /** Logs the pending rejection summary now (e.g. before exit). */
  flushRejectLog(): void {
    this.rejects.close();
  }

  stats(): NormaliserStats {
    return {
      accepted: this.accepted,
      rejected: this.rejects.totals(),
      rejectedBySource: this.rejects.totalsBySource(),
      instruments: this.table.size,
    };
  }

  /** Rejections of the source with `key` (a {@link SinkHandle.key}), by reason. */
  rejectedFor(key: number): Record<string, number> {
    return this.rejects.totalsFor(key);
  }

  /**
   * The adapter symbol (venue prefix dropped) the instrument named `name` was declared from, e.g.
   * "BINANCE:BTC-USDT" -> "BTCUSDT" under a symbol map: what the adapter's `history` takes.
   */
  sourceSymbol(name: string): string | undefined {
    return this.nameOwners.get(name);
  }

  /**
   * The last seq assigned per instrument id (instruments with none left out): what a graceful
   * stop saves so the next start continues the epoch (`resume.lastSeqs`).
   */
  lastSeqs(): ReadonlyMap<number, number> {
    const seqs = new Map<number, number>();
    this.seqs.forEach((seq, id) => {
      if (seq !== undefined) seqs.set(id, seq);
    });
    return seqs;
  }

  /** The instrument table, by ascending id. */
  instruments(): readonly Instrument[] {
    return this.table.list();
  }

  private guard(binding: Binding, raw: unknown, body: () => void): void {
    if (!binding.active) return;
    try {
      body();
    } catch {
      // Only hostile input gets here (e.g. a getter that throws); treat it as malformed.
      this.reject(binding, 'malformed', raw);
    }
  }

  /**
   * The displayed name of an adapter symbol: venue prefix dropped if present, symbol map applied
   * (an entry matching the symbol exactly first, else one matching it but for case, as people type
   * `BINANCE:btcusdt=...` for the adapter's "BTCUSDT").
   */
  private displayName(binding: Binding, symbol: string): string {
    const bare = this.adapterSymbol(binding, symbol);
    const folded = binding.foldedSymbolMap;
    return (
      binding.symbolMap?.get(symbol) ??
      binding.symbolMap?.get(bare) ??
      folded?.get(symbol.toUpperCase()) ??
      folded?.get(bare.toUpperCase()) ??
      bare
    );
  }

  /** An adapter symbol without its venue prefix: `SIM:X` and `X` are the same symbol of venue SIM. */
  private adapterSymbol(binding: Binding, symbol: string): string {
    const prefix = binding.venue + VENUE_SEPARATOR;
    return symbol.startsWith(prefix) ? symbol.slice(prefix.length) : symbol;
  }

  private declareInstruments(binding: Binding, list: unknown): void {
    if (!Array.isArray(list)) {
      this.reject(binding, 'bad-instrument', list);
      return;
    }
    let added = false;
    for (const raw of list as unknown[]) {
      const spec = checkInstrument(raw);
      if (spec === 'bad-instrument') {
        this.reject(binding, spec, raw);
        continue;
      }
      const display = this.displayName(binding, spec.symbol);
      // "SIM:" on venue SIM names nothing once the venue prefix is taken off.
      if (display.length === 0) {
        this.reject(binding, 'bad-instrument', raw);
        continue;
      }
      const name = qualifySymbol(binding.venue, display);
      const source = this.adapterSymbol(binding, spec.symbol);
      const owner = this.nameOwners.get(name);
      if (owner !== undefined && owner !== source) {
        this.reject(binding, 'instrument-conflict', raw);
        continue;
      }
      const outcome = this.table.declare(binding.venue, { ...spec, symbol: name });
      // 'unchanged' too: a table restored on resume (NormaliserOptions.resume) has no owners yet.
      if ((outcome === 'added' || outcome === 'unchanged') && owner === undefined) this.nameOwners.set(name, source);
      if (outcome === 'added') added = true;
      if (outcome === 'added' || outcome === 'unchanged') {
        const instrument = this.table.get(name);
        if (instrument !== undefined) binding.instruments.set(spec.symbol, instrument);
      } else {
        this.reject(binding, outcome, raw);
      }
    }
    if (added) this.bus.publishInstruments(this.table.list());
  }

  /**
   * The instrument a tick names, or why not: `malformed` when it names none (no `symbol` string:
   * `quote({})` is a broken call, not a tick of an instrument nobody declared),
   * `unknown-instrument` when this sink never declared the symbol.
   */
  private instrumentFor(binding: Binding, raw: Record<string, unknown>): Instrument | 'malformed' | 'unknown-instrument' {
    const symbol = raw.symbol;
    if (typeof symbol !== 'string') return 'malformed';
    return binding.instruments.get(symbol) ?? 'unknown-instrument';
  }

  private acceptTrade(binding: Binding, raw: unknown): void {
    if (!isRecord(raw)) return this.reject(binding, 'malformed', raw);
    const instrument = this.instrumentFor(binding, raw);
    if (typeof instrument === 'string') return this.reject(binding, instrument, raw);
    const receiveTimeUs = this.now();
    const draft = this.tradeDraft;
    const reason = checkTrade(raw, instrument, receiveTimeUs, this.limits, draft);
    if (reason !== undefined) return this.reject(binding, reason, raw);
    const trade: Trade = {
      kind: 'trade',
      instrumentId: instrument.id,
      seq: this.nextSeq(instrument.id),
      eventTimeUs: draft.eventTimeUs,
      receiveTimeUs,
      price: draft.price,
      size: draft.size,
      side: draft.side,
      tradeId: draft.tradeId,
    };
    this.enqueue(trade);
    binding.hooks.onActivity?.();
  }

  private acceptQuote(binding: Binding, raw: unknown): void {
    if (!isRecord(raw)) return this.reject(binding, 'malformed', raw);
    const instrument = this.instrumentFor(binding, raw);
    if (typeof instrument === 'string') return this.reject(binding, instrument, raw);
    const receiveTimeUs = this.now();
    const draft = this.quoteDraft;
    const reason = checkQuote(raw, instrument, receiveTimeUs, this.limits, draft);
    if (reason !== undefined) return this.reject(binding, reason, raw);
    const quote: Quote = {
      kind: 'quote',
      instrumentId: instrument.id,
      seq: this.nextSeq(instrument.id),
      eventTimeUs: draft.eventTimeUs,
      receiveTimeUs,
      bid: draft.bid,
      bidSize: draft.bidSize,
      ask: draft.ask,
      askSize: draft.askSize,
    };
    this.enqueue(quote);
    binding.hooks.onActivity?.();
  }

  private acceptStatus(binding: Binding, state: unknown, reason: unknown): void {
    if (!ADAPTER_STATES.has(state)) return this.reject(binding, 'bad-status', { state, reason });
    const text = typeof reason !== 'string' ? '' : reason.slice(0, MAX_STATUS_REASON_LENGTH);
    if (binding.hooks.onStatus !== undefined) binding.hooks.onStatus(state as AdapterState, text);
    else this.setVenueStatus(binding.venue, state as AdapterState, text);
  }

  private nextSeq(instrumentId: number): number {
    const seq = (this.seqs[instrumentId] ?? 0) + 1;
    this.seqs[instrumentId] = seq;
    return seq;
  }

  private enqueue(tick: Tick): void {
    this.accepted += 1;
    this.pending.push(tick);
    if (this.pending.length >= this.maxBatchSize) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private reject(binding: Binding, reason: RejectReason, raw: unknown): void {
    this.rejects.record(binding, reason, raw);
  }

  private publishStatus(): void {
    this.bus.publishStatus([...this.venueStatus.values()]);
  }
}
