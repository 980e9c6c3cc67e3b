/**
 * The `simulated` feed adapter: a seeded, realistic market (see market-simulator.ts) pumped in
 * real time. Every `tickIntervalMs` the pump emits all events whose simulated time has come, so
 * high rates go out in chunks (20,000 updates/s = ~200 per 10 ms tick) without drift; if the
 * process stalls, the pump catches up at most {@link MAX_PUMP_LAG_MS} and shifts the rest of the
 * timeline instead of flooding. The event sequence depends only on the options and the minute it
 * starts in (never on timing): each instrument's walk starts where its generated history
 * (sim-history.ts, served by `history()`) stands at the start minute.
 */
import { alignBarOpenTime } from '../../lib/market/bars';
import { formatDecimal } from '../../lib/market/decimal';
import { MarketSimulator, type SimEvent } from './market-simulator';
import { MAX_SIM_INSTRUMENTS, simInstruments, type SimInstrumentSpec } from './sim-catalogue';
import { SimHistory, type SimBar } from './sim-history';
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument, AdapterSink, FeedAdapter } from './types';

/** Options of {@link SimulatedAdapter}. */
export interface SimulatedOptions {
  /** Seed of the whole event sequence. @defaultValue 1 */
  readonly seed: number;
  /** How many instruments: the 20-instrument catalogue, then synthetic "SYN0001-USD"... @defaultValue 20 */
  readonly instruments: number;
  /** Mean updates (quotes + trades) per second per instrument outside bursts. @defaultValue 5 */
  readonly ratePerInstrument: number;
  /** Share of updates that are trades (0..1). @defaultValue 0.3 */
  readonly tradeRatio: number;
  /** Occasional 5-20x activity bursts lasting 2-6 s per instrument (every ~5 min each). @defaultValue true */
  readonly bursts: boolean;
  /** Venue the instruments belong to. @defaultValue "SIM" */
  readonly venue: string;
  /** Pump period, ms: events due are emitted in one chunk per period. @defaultValue 10 */
  readonly tickIntervalMs: number;
}

/** Defaults of {@link SimulatedOptions}. */
export const SIMULATED_DEFAULTS: Readonly<SimulatedOptions> = Object.freeze({
  seed: 1,
  instruments: 20,
  ratePerInstrument: 5,
  tradeRatio: 0.3,
  bursts: true,
  venue: 'SIM',
  tickIntervalMs: 10,
});

/** Highest rate accepted per instrument, updates/s. */
export const MAX_RATE_PER_INSTRUMENT = 100_000;
/** Furthest the pump lets simulated time fall behind the wall clock before shifting the timeline, ms. */
export const MAX_PUMP_LAG_MS = 1000;

const US_PER_MS = 1000;

function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`simulated adapter option ${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
}

/** Merges and validates options; unknown keys are refused so a typo in a flag is not silently ignored. */
function resolveOptions(options: Partial<SimulatedOptions>): SimulatedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!(key in SIMULATED_DEFAULTS)) fail(key, `one of ${Object.keys(SIMULATED_DEFAULTS).join(', ')} (unknown option)`, key);
  }
  const o = { ...SIMULATED_DEFAULTS, ...options };
  if (!Number.isSafeInteger(o.seed)) fail('seed', 'a safe integer', o.seed);
  if (!Number.isSafeInteger(o.instruments) || o.instruments < 1 || o.instruments > MAX_SIM_INSTRUMENTS) {
    fail('instruments', `an integer in 1..${MAX_SIM_INSTRUMENTS}`, o.instruments);
  }
  if (typeof o.ratePerInstrument !== 'number' || !(o.ratePerInstrument > 0) || o.ratePerInstrument > MAX_RATE_PER_INSTRUMENT) {
    fail('ratePerInstrument', `a number in (0, ${MAX_RATE_PER_INSTRUMENT}]`, o.ratePerInstrument);
  }
  if (typeof o.tradeRatio !== 'number' || !(o.tradeRatio >= 0 && o.tradeRatio <= 1)) fail('tradeRatio', 'a number in 0..1', o.tradeRatio);
  if (typeof o.bursts !== 'boolean') fail('bursts', 'a boolean', o.bursts);
  if (typeof o.venue !== 'string' || o.venue.length === 0) fail('venue', 'a non-empty string', o.venue);
  if (!Number.isSafeInteger(o.tickIntervalMs) || o.tickIntervalMs < 1 || o.tickIntervalMs > 1000) {
    fail('tickIntervalMs', 'an integer in 1..1000', o.tickIntervalMs);
  }
  return Object.freeze(o);
}

function toAdapterInstrument(spec: SimInstrumentSpec): AdapterInstrument {
  return { symbol: spec.symbol, assetClass: spec.assetClass, priceDecimals: spec.priceDecimals, sizeDecimals: spec.sizeDecimals };
}

function toAdapterBar(bar: SimBar, spec: SimInstrumentSpec): AdapterBar {
  const p = spec.priceDecimals;
  return {
    openTimeUs: bar.openTimeUs,
    open: formatDecimal(bar.open, p),
    high: formatDecimal(bar.high, p),
    low: formatDecimal(bar.low, p),
    close: formatDecimal(bar.close, p),
    volume: formatDecimal(bar.volume, spec.sizeDecimals),
    tradeCount: bar.tradeCount,
    vwap: formatDecimal(bar.vwap, p),
  };
}

/** A {@link FeedAdapter} producing a seeded simulated market in real time. */
export class SimulatedAdapter implements FeedAdapter {
  readonly name = 'simulated';
  readonly venue: string;
  readonly options: Readonly<SimulatedOptions>;
  private readonly specs: readonly SimInstrumentSpec[];
  private readonly nowMs: () => number;
  private readonly histories = new Map<string, SimHistory>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private sink: AdapterSink | undefined;
  private emittedCount = 0;
  /** Open time of the minute the live walk started in, µs: history ends there. */
  private liveStartUs: number | undefined;

  /**
   * @param clock - wall clock in ms (tests pin it). @defaultValue Date.now
   * @throws TypeError naming the option when an option is invalid.
   */
  constructor(options: Partial<SimulatedOptions> = {}, clock: { readonly nowMs?: () => number } = {}) {
    this.options = resolveOptions(options);
    this.venue = this.options.venue;
    this.specs = simInstruments(this.options.instruments);
    this.nowMs = clock.nowMs ?? Date.now;
  }

  /** The generated history of the instrument with adapter symbol `symbol` (created on first use). */
  historyOf(symbol: string): SimHistory | undefined {
    let history = this.histories.get(symbol);
    if (history === undefined) {
      const spec = this.specs.find((s) => s.symbol === symbol);
      if (spec === undefined) return undefined;
      this.histories.set(symbol, (history = new SimHistory(this.options.seed, spec)));
    }
    return history;
  }

  /**
   * The generated history (sim-history.ts): 1m bars, and 1s / 5s bars, for any range up to the
   * minute the live walk started in (or the current minute before a start); other intervals and
   * unknown symbols yield nothing. A day of 1m bars per page.
   */
  async *history(request: AdapterHistoryRequest): AsyncIterable<readonly AdapterBar[]> {
    const history = this.historyOf(request.symbol);
    if (history === undefined) return;
    const { spec } = history;
    const endUs = Math.min(request.endUs, this.liveStartUs ?? alignBarOpenTime(this.nowMs() * US_PER_MS, 60));
    const pages =
      request.interval === 60
        ? history.minuteBars(request.startUs, endUs)
        : request.interval === 1 || request.interval === 5
          ? history.secondBars(request.interval, request.startUs, endUs)
          : undefined;
    if (pages === undefined) return;
    for (const page of pages) {
      if (request.signal.aborted) return;
      yield page.map((bar) => toAdapterBar(bar, spec));
    }
  }

  /** The instruments this adapter declares, in order. */
  instruments(): readonly AdapterInstrument[] {
    return this.specs.map(toAdapterInstrument);
  }

  /** Events emitted since the last start. */
  get emitted(): number {
    return this.emittedCount;
  }

  /**
   * Declares the instruments, reports connecting then live, and starts the pump (the first chunk,
   * one quote per instrument, goes out immediately). Each start plays the seed's sequence from
   * the walk's state at the start minute (sim-history.ts). Rejects if already started.
   */
  async start(sink: AdapterSink): Promise<void> {
    if (this.timer !== undefined) throw new Error('simulated adapter already started');
    const startWallUs = this.nowMs() * US_PER_MS;
    const liveStartUs = alignBarOpenTime(startWallUs, 60);
    const initialStates = this.specs.map((spec) => {
      const state = (this.historyOf(spec.symbol) as SimHistory).stateAt(liveStartUs);
      return { mid: state.price, variance: state.variance };
    });
    const simulator = new MarketSimulator({ ...this.options, instruments: this.specs, initialStates });
    this.liveStartUs = liveStartUs;
    this.sink = sink;
    this.emittedCount = 0;
    sink.status('connecting');
    sink.instruments(this.instruments());
    const startMonoMs = performance.now();
    let shiftUs = 0;
    const maxPerTick = Math.max(1000, Math.ceil(this.options.ratePerInstrument * this.specs.length * (MAX_PUMP_LAG_MS / 1000) * 2));

    const pump = (): void => {
      let dueUs = (performance.now() - startMonoMs) * US_PER_MS - shiftUs;
      const lagUs = dueUs - simulator.peekTimeUs() - MAX_PUMP_LAG_MS * US_PER_MS;
      if (lagUs > 0) {
        shiftUs += lagUs;
        dueUs -= lagUs;
      }
      for (let n = 0; n < maxPerTick && simulator.peekTimeUs() <= dueUs; n += 1) {
        this.emit(sink, simulator.next(), startWallUs + shiftUs);
      }
    };
    const guarded = (): void => {
      try {
        pump();
      } catch (error) {
        // A sink must never throw; if one does, stop cleanly rather than crash the process.
        this.halt();
        sink.status('down', `simulator stopped: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    this.timer = setInterval(guarded, this.options.tickIntervalMs);
    sink.status('live');
    guarded();
  }

  /** Stops the pump and reports the venue down. Safe to call when not started. */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    this.halt();
    this.sink?.status('down', 'stopped');
    this.sink = undefined;
  }

  private halt(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(sink: AdapterSink, event: SimEvent, originUs: number): void {
    this.emittedCount += 1;
    const eventTimeUs = Math.round(originUs + event.timeUs);
    if (event.kind === 'trade') {
      sink.trade({ symbol: event.symbol, price: event.price, size: event.size, side: event.side, tradeId: event.tradeId, eventTimeUs });
    } else {
      sink.quote({ symbol: event.symbol, bid: event.bid, bidSize: event.bidSize, ask: event.ask, askSize: event.askSize, eventTimeUs });
    }
  }
}
