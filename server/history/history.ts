/**
 * In-memory, bounded per-instrument history: recent ticks for resume, recent trades and the last
 * quote for snapshots, and bars for every configured interval. `apply` is the hot path (every tick
 * on the gateway) and does O(intervals) work per trade and O(1) per quote, with no growth beyond
 * the configured capacities.
 */
import { BarBuilder, type BarHandle, type BarStateRecord } from '../../lib/market/bars';
import { foldSessionTrade, type SessionFigures } from '../../lib/market/session';
import {
  BAR_INTERVALS,
  isBarInterval,
  type Bar,
  type BarInterval,
  type Quote,
  type SessionStats,
  type Trade,
} from '../../lib/market/types';
import type { Tick } from '../bus/types';
import { TickRing } from './tick-ring';
import type { HistoryOptions, HistoryStore } from './types';

/** {@link HistoryOptions} plus which bar intervals to build. */
export interface HistoryConfig extends HistoryOptions {
  /** Bar intervals (seconds) built for every instrument. @defaultValue every {@link BAR_INTERVALS} */
  readonly intervals: readonly BarInterval[];
}

/**
 * Everything {@link History} holds for one instrument, as JSON-safe data: ingest exports it and a
 * gateway imports it to warm an instrument it starts serving (docs/scaling.md), so the gateway's
 * snapshots and resumes equal those of a gateway that applied every tick itself.
 */
export interface InstrumentHistoryState {
  readonly instrumentId: number;
  readonly lastSeq: number;
  /** The resume ring, oldest first. */
  readonly ticks: readonly Tick[];
  /** The snapshot trades ring, oldest first. */
  readonly trades: readonly Trade[];
  readonly lastQuote: Quote | null;
  readonly session: SessionFigures;
  readonly sessionLast: Trade | null;
  /** Exact bar state per interval held by the exporter. */
  readonly bars: readonly { readonly interval: BarInterval; readonly states: readonly BarStateRecord[] }[];
}

/** Defaults of {@link History}. */
export const HISTORY_DEFAULTS: Readonly<HistoryConfig> = Object.freeze({
  tickCapacity: 2000,
  tradeCapacity: 200,
  barCapacity: 500,
  intervals: BAR_INTERVALS,
});

/** Largest capacity accepted for any ring, so a typo cannot allocate gigabytes per instrument. */
export const MAX_HISTORY_CAPACITY = 1_000_000;

function checkCapacity(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_HISTORY_CAPACITY) {
    throw new TypeError(`${name} must be an integer in 1..${MAX_HISTORY_CAPACITY}, got ${String(value)}`);
  }
  return value;
}

/** Everything held for one instrument. */
class InstrumentHistory {
  /** Recent ticks for resume, and recent trades for snapshots: typed-array rings (see tick-ring.ts). */
  readonly ticks: TickRing;
  readonly trades: TickRing;
  readonly builders: BarBuilder[];
  lastQuote: Quote | undefined;
  lastSeq = 0;
  /** Session figures, folded from every trade; `sessionLast` is the trade they end with. */
  readonly session: SessionFigures = {
    sessionStartUs: undefined,
    open: undefined,
    high: undefined,
    low: undefined,
    volume: 0,
    sessionTrades: 0,
  };
  sessionLast: Trade | undefined;
  /** `session` as an update, built on demand and kept until the next trade changes it. */
  sessionUpdate: SessionStats | undefined;

  constructor(instrumentId: number, config: HistoryConfig) {
    this.ticks = new TickRing(instrumentId, config.tickCapacity);
    this.trades = new TickRing(instrumentId, config.tradeCapacity);
    this.builders = config.intervals.map((interval) => new BarBuilder(instrumentId, interval, config.barCapacity));
  }
}

/** The default {@link HistoryStore}: bounded ring buffers per instrument, bars built on apply. */
export class History implements HistoryStore {
  private readonly config: HistoryConfig;
  private readonly byId = new Map<number, InstrumentHistory>();
  /** Index of each configured interval in `InstrumentHistory.builders`. */
  private readonly intervalIndex = new Map<BarInterval, number>();
  private ignored = 0;

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(options: Partial<HistoryConfig> = {}) {
    const config = { ...HISTORY_DEFAULTS, ...options };
    checkCapacity('tickCapacity', config.tickCapacity);
    checkCapacity('tradeCapacity', config.tradeCapacity);
    checkCapacity('barCapacity', config.barCapacity);
    if (!Array.isArray(config.intervals) || !config.intervals.every(isBarInterval)) {
      throw new TypeError(`intervals must be an array of ${BAR_INTERVALS.join('/')}, got ${String(config.intervals)}`);
    }
    const intervals = [...new Set(config.intervals)];
    this.config = { ...config, intervals };
    intervals.forEach((interval, i) => this.intervalIndex.set(interval, i));
  }

  /** Bar intervals built for every instrument (the gateway offers them in `hello.intervals`). */
  get intervals(): readonly BarInterval[] {
    return this.config.intervals;
  }

  /**
   * Applies ticks in order. A tick whose seq is not above the instrument's last is a duplicate
   * (e.g. redelivered) and is ignored. Returns the bars changed by this call in their latest
   * state: one per instrument, interval and bar touched (normally one per instrument and
   * interval; two when a late trade also changed an older held bar), in order of first change.
   */
  apply(ticks: readonly Tick[]): readonly Bar[] {
    const changed: BarHandle[] = [];
    const seen = new Set<BarHandle>();
    for (const tick of ticks) {
      const state = this.stateFor(tick.instrumentId);
      if (!(tick.seq > state.lastSeq)) {
        this.ignored += 1;
        continue;
      }
      state.lastSeq = tick.seq;
      state.ticks.push(tick);
      if (tick.kind === 'quote') {
        state.lastQuote = tick;
        continue;
      }
      state.trades.push(tick);
      if (foldSessionTrade(state.session, tick.price, tick.size, tick.eventTimeUs)) {
        state.sessionLast = tick;
        state.sessionUpdate = undefined;
      }
      for (const builder of state.builders) {
        const handle = builder.add(tick);
        if (handle !== undefined && !seen.has(handle)) {
          seen.add(handle);
          changed.push(handle);
        }
      }
    }
    return changed.map((handle) => handle.toBar());
  }

  lastQuote(instrumentId: number): Quote | undefined {
    return this.byId.get(instrumentId)?.lastQuote;
  }

  recentTrades(instrumentId: number, limit?: number): readonly Trade[] {
    // The trades ring is only ever given trades.
    return (this.byId.get(instrumentId)?.trades.last(limit) as Trade[] | undefined) ?? [];
  }

  bars(instrumentId: number, interval: BarInterval, limit?: number): readonly Bar[] {
    return this.builderFor(instrumentId, interval)?.bars(limit) ?? [];
  }

  currentBar(instrumentId: number, interval: BarInterval): Bar | undefined {
    return this.builderFor(instrumentId, interval)?.current();
  }

  session(instrumentId: number): SessionStats | undefined {
    const state = this.byId.get(instrumentId);
    const last = state?.sessionLast;
    if (!state || !last) return undefined;
    const { sessionStartUs, open, high, low, volume, sessionTrades } = state.session;
    if (sessionStartUs === undefined || open === undefined || high === undefined || low === undefined) return undefined;
    state.sessionUpdate ??= Object.freeze({
      kind: 'session',
      instrumentId,
      seq: last.seq,
      eventTimeUs: last.eventTimeUs,
      receiveTimeUs: last.receiveTimeUs,
      startTimeUs: sessionStartUs,
      open,
      high,
      low,
      close: last.price,
      volume,
      tradeCount: sessionTrades,
    });
    return state.sessionUpdate;
  }

  lastSeq(instrumentId: number): number {
    return this.byId.get(instrumentId)?.lastSeq ?? 0;
  }

  /**
   * Ticks with seq > `afterSeq`, oldest first: `[]` when `afterSeq` is the last seq, the ticks when
   * the ring still holds seq `afterSeq + 1`, else `undefined` (evicted, never seen, or `afterSeq`
   * beyond the last seq, which means the caller's position belongs to another epoch).
   */
  ticksAfter(instrumentId: number, afterSeq: number): readonly Tick[] | undefined {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) return undefined;
    const state = this.byId.get(instrumentId);
    const lastSeq = state?.lastSeq ?? 0;
    if (afterSeq === lastSeq) return [];
    if (state === undefined || afterSeq > lastSeq) return undefined;
    const index = state.ticks.firstIndexAfterSeq(afterSeq);
    if (state.ticks.seqAt(index) !== afterSeq + 1) return undefined;
    return state.ticks.slice(index);
  }

  /** Whether anything is held for the instrument. */
  has(instrumentId: number): boolean {
    return this.byId.has(instrumentId);
  }

  /** The instrument's full state (see {@link InstrumentHistoryState}); undefined when nothing is held. */
  exportInstrument(instrumentId: number): InstrumentHistoryState | undefined {
    const state = this.byId.get(instrumentId);
    if (state === undefined) return undefined;
    return {
      instrumentId,
      lastSeq: state.lastSeq,
      ticks: state.ticks.slice(),
      trades: state.trades.slice() as Trade[],
      lastQuote: state.lastQuote ?? null,
      session: { ...state.session },
      sessionLast: state.sessionLast ?? null,
      bars: this.config.intervals.map((interval, i) => ({ interval, states: (state.builders[i] as BarBuilder).exportState() })),
    };
  }

  /**
   * Replaces what is held for the instrument with exported state. Rings keep their own capacities;
   * intervals this history does not build are ignored, and those it builds but the state lacks start empty.
   */
  importInstrument(exported: InstrumentHistoryState): void {
    const id = exported.instrumentId;
    const state = new InstrumentHistory(id, this.config);
    state.lastSeq = exported.lastSeq;
    for (const tick of exported.ticks) state.ticks.push(tick);
    for (const trade of exported.trades) state.trades.push(trade);
    state.lastQuote = exported.lastQuote ?? undefined;
    Object.assign(state.session, exported.session);
    state.sessionLast = exported.sessionLast ?? undefined;
    for (const { interval, states } of exported.bars) {
      const index = this.intervalIndex.get(interval);
      if (index !== undefined) (state.builders[index] as BarBuilder).importState(states);
    }
    this.byId.set(id, state);
  }

  forget(instrumentId: number): void {
    this.byId.delete(instrumentId);
  }

  /** Counts for /healthz; `ignored` is duplicate or out-of-order ticks skipped since creation. */
  stats(): { instruments: number; ticks: number; bars: number; ignored: number } {
    let ticks = 0;
    let bars = 0;
    for (const state of this.byId.values()) {
      ticks += state.ticks.size;
      for (const builder of state.builders) bars += builder.size;
    }
    return { instruments: this.byId.size, ticks, bars, ignored: this.ignored };
  }

  private stateFor(instrumentId: number): InstrumentHistory {
    let state = this.byId.get(instrumentId);
    if (state === undefined) {
      state = new InstrumentHistory(instrumentId, this.config);
      this.byId.set(instrumentId, state);
    }
    return state;
  }

  private builderFor(instrumentId: number, interval: BarInterval): BarBuilder | undefined {
    const index = this.intervalIndex.get(interval);
    return index === undefined ? undefined : this.byId.get(instrumentId)?.builders[index];
  }
}
