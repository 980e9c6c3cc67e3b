/**
 * The pure market generator behind the simulated adapter: no timers, no clock. Each instrument is
 * a Poisson stream of events in simulated time (with occasional activity bursts) whose mid price
 * follows a log random walk with GARCH(1,1)-like volatility clustering. Quotes sit on the tick
 * grid a few ticks wide (wider when volatile); trades print at the bid or ask per aggressor side
 * with heavy-tailed sizes. The event sequence depends only on the options, never on timing.
 */
import { formatDecimal } from '../../lib/market/decimal';
import { SeededRandom } from './random';
import type { SimInstrumentSpec } from './sim-catalogue';
import { ArrivalSchedule } from './sim-schedule';

/** Options of {@link MarketSimulator}. */
export interface MarketSimulatorOptions {
  /** Seed of every random choice. */
  readonly seed: number;
  readonly instruments: readonly SimInstrumentSpec[];
  /** Mean events (quotes + trades) per second per instrument, outside bursts. */
  readonly ratePerInstrument: number;
  /** Probability that an event is a trade rather than a quote (0..1). */
  readonly tradeRatio: number;
  /** Whether instruments have occasional activity bursts. */
  readonly bursts: boolean;
  /**
   * Where each instrument's walk starts (by index; missing: the catalogue level, variance 1): the
   * simulated adapter passes where its generated history ends (sim-history.ts), so the first live
   * price is the last historical close and the volatility regime carries over. The walk is pulled
   * back towards this starting price.
   */
  readonly initialStates?: readonly (SimStartState | undefined)[];
}

/** Starting point of one instrument's live walk. */
export interface SimStartState {
  /** Mid price, price mantissa (> 0). */
  readonly mid: number;
  /** GARCH variance multiplier (long-run mean 1), clamped to the walk's bounds. */
  readonly variance: number;
}

/** An instrument's volatility regime as the live walk holds it ({@link MarketSimulator.regime}). */
export interface SimRegime {
  /** Mid price, price mantissa (not rounded to the grid). */
  readonly mid: number;
  /** GARCH variance multiplier (long-run mean 1). */
  readonly variance: number;
  /** Activity-burst state: rate multiplier until `burstUntilUs` (simulated µs), next burst due at `nextBurstUs`. */
  readonly burstMultiplier: number;
  readonly burstUntilUs: number;
  readonly nextBurstUs: number;
}

/** A simulated trade. Prices and sizes are exact decimal strings at the instrument's precision. */
export interface SimTrade {
  readonly kind: 'trade';
  /** Index of the instrument in `options.instruments`. */
  readonly index: number;
  readonly symbol: string;
  /** Simulated time since the start, µs (fractional). */
  readonly timeUs: number;
  readonly price: string;
  readonly size: string;
  /** Aggressor side: a buy lifts the ask, a sell hits the bid. */
  readonly side: 'buy' | 'sell';
  readonly tradeId: number;
}

/** A simulated top-of-book quote. */
export interface SimQuote {
  readonly kind: 'quote';
  readonly index: number;
  readonly symbol: string;
  readonly timeUs: number;
  readonly bid: string;
  readonly bidSize: string;
  readonly ask: string;
  readonly askSize: string;
}

/** One simulated event. */
export type SimEvent = SimTrade | SimQuote;

/** Seconds in a (24/7) year, to turn annual volatility into per-second volatility. */
const SECONDS_PER_YEAR = 365 * 24 * 3600;
const US_PER_SECOND = 1_000_000;
/** GARCH(1,1) weights per event: variance multiplier m' = (1 - a - b) + a z^2 m + b m, long-run mean 1. */
const GARCH_ALPHA = 0.06;
const GARCH_BETA = 0.92;
/** Bounds on the variance multiplier so a run of shocks cannot blow prices up. */
const MIN_VARIANCE = 0.05;
const MAX_VARIANCE = 25;
/** Pull of the log price back towards its starting level, per second (keeps week-long runs sane). */
const MEAN_REVERSION_PER_SECOND = 1 / 86_400;
/** Mean time between two bursts of one instrument, s. */
export const BURST_MEAN_INTERVAL_S = 300;
/** Range of a burst's rate multiplier and duration (s). */
export const BURST_MULTIPLIER_RANGE: readonly [number, number] = [5, 20];
export const BURST_DURATION_RANGE_S: readonly [number, number] = [2, 6];
/** Variance multiplier applied when a burst starts (news moves prices). */
const BURST_VARIANCE_KICK = 2;
/** Quote sizes are this many typical trade sizes (median). */
const QUOTE_SIZE_FACTOR = 4;
/** Probability of a block trade drawn from a Pareto tail, its tail index and cap (x typical). */
const BLOCK_TRADE_PROBABILITY = 0.03;
const BLOCK_TRADE_ALPHA = 1.5;
const BLOCK_TRADE_CAP = 200;
/** How much the last move's direction tilts the aggressor side (0.5 +/- this). */
const SIDE_MOMENTUM = 0.1;

/** Mutable state of one instrument. */
interface InstrumentState {
  readonly spec: SimInstrumentSpec;
  readonly random: SeededRandom;
  /** Volatility per sqrt(second) of log returns. */
  readonly sigma: number;
  readonly logInitial: number;
  /** Bounds keeping the mid price positive on the grid and the mantissas safe. */
  readonly minMid: number;
  readonly maxMid: number;
  mid: number;
  variance: number;
  lastTimeUs: number;
  lastMove: number;
  events: number;
  nextTradeId: number;
  burstUntilUs: number;
  burstMultiplier: number;
  nextBurstUs: number;
}

/** Deterministic generator of simulated market events, in simulated-time order. */
export class MarketSimulator {
  private readonly states: InstrumentState[];
  private readonly schedule: ArrivalSchedule;

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(private readonly options: MarketSimulatorOptions) {
    if (!Number.isSafeInteger(options.seed)) throw new TypeError(`seed must be a safe integer, got ${String(options.seed)}`);
    if (!Array.isArray(options.instruments) || options.instruments.length === 0) {
      throw new TypeError('instruments must be a non-empty array');
    }
    if (!(options.ratePerInstrument > 0) || !Number.isFinite(options.ratePerInstrument)) {
      throw new TypeError(`ratePerInstrument must be a positive number, got ${String(options.ratePerInstrument)}`);
    }
    if (!(options.tradeRatio >= 0 && options.tradeRatio <= 1)) {
      throw new TypeError(`tradeRatio must be in 0..1, got ${String(options.tradeRatio)}`);
    }
    this.states = options.instruments.map((spec, index) => this.initialState(spec, index));
    this.schedule = new ArrivalSchedule(this.states.length);
  }

  /** Where instrument `index`'s walk stands now: mid, variance and bursts. */
  regime(index: number): SimRegime {
    const state = this.states[index];
    if (state === undefined) throw new RangeError(`no instrument ${index}`);
    const { mid, variance, burstMultiplier, burstUntilUs, nextBurstUs } = state;
    return { mid, variance, burstMultiplier, burstUntilUs, nextBurstUs };
  }

  /** Simulated time of the next event, µs since the start. */
  peekTimeUs(): number {
    return this.schedule.topTime();
  }

  /** The next event. Every instrument's first event is a quote, all at time 0, in catalogue order. */
  next(): SimEvent {
    const index = this.schedule.topIndex();
    const timeUs = this.schedule.topTime();
    const state = this.states[index] as InstrumentState;
    const rate = this.options.ratePerInstrument * this.burstMultiplierAt(state, timeUs);
    this.schedule.rescheduleTop(timeUs + state.random.exponential(rate) * US_PER_SECOND);
    this.advancePrice(state, timeUs);
    state.events += 1;
    const isTrade = state.events > 1 && state.random.chance(this.options.tradeRatio);
    return isTrade ? this.trade(state, index, timeUs) : this.quote(state, index, timeUs);
  }

  private initialState(spec: SimInstrumentSpec, index: number): InstrumentState {
    const random = new SeededRandom(this.options.seed, index);
    const start = this.options.initialStates?.[index];
    const minMid = spec.tickSize * (spec.spreadTicks + 2) * 4;
    const maxMid = Math.min(spec.initialPrice * 1000, Number.MAX_SAFE_INTEGER / 4);
    const mid = start !== undefined && start.mid > 0 ? Math.min(maxMid, Math.max(minMid, start.mid)) : spec.initialPrice;
    const variance =
      start !== undefined && Number.isFinite(start.variance) ? Math.min(MAX_VARIANCE, Math.max(MIN_VARIANCE, start.variance)) : 1;
    return {
      spec,
      random,
      sigma: spec.annualVolatility / Math.sqrt(SECONDS_PER_YEAR),
      logInitial: Math.log(mid),
      minMid,
      maxMid,
      mid,
      variance,
      lastTimeUs: 0,
      lastMove: 0,
      events: 0,
      nextTradeId: 100_000 + random.int(900_000),
      burstUntilUs: 0,
      burstMultiplier: 1,
      nextBurstUs: random.exponential(1 / BURST_MEAN_INTERVAL_S) * US_PER_SECOND,
    };
  }

  /** Rate multiplier at `timeUs`, starting a burst when one is due. */
  private burstMultiplierAt(state: InstrumentState, timeUs: number): number {
    if (!this.options.bursts) return 1;
    if (timeUs >= state.nextBurstUs) {
      const { random } = state;
      state.burstMultiplier = random.range(BURST_MULTIPLIER_RANGE[0], BURST_MULTIPLIER_RANGE[1]);
      state.burstUntilUs = timeUs + random.range(BURST_DURATION_RANGE_S[0], BURST_DURATION_RANGE_S[1]) * US_PER_SECOND;
      state.nextBurstUs = state.burstUntilUs + random.exponential(1 / BURST_MEAN_INTERVAL_S) * US_PER_SECOND;
      state.variance = Math.min(MAX_VARIANCE, state.variance * BURST_VARIANCE_KICK);
    }
    return timeUs < state.burstUntilUs ? state.burstMultiplier : 1;
  }

  /** Moves the mid by one GARCH-scaled log return for the time since the instrument's last event. */
  private advancePrice(state: InstrumentState, timeUs: number): void {
    const dtSeconds = (timeUs - state.lastTimeUs) / US_PER_SECOND;
    state.lastTimeUs = timeUs;
    if (dtSeconds <= 0) return;
    const shock = state.random.normal();
    const pull = -MEAN_REVERSION_PER_SECOND * dtSeconds * (Math.log(state.mid) - state.logInitial);
    const move = state.sigma * Math.sqrt(state.variance * dtSeconds) * shock + pull;
    state.mid = Math.min(state.maxMid, Math.max(state.minMid, state.mid * Math.exp(move)));
    state.lastMove = move;
    const next = 1 - GARCH_ALPHA - GARCH_BETA + (GARCH_ALPHA * shock * shock + GARCH_BETA) * state.variance;
    state.variance = Math.min(MAX_VARIANCE, Math.max(MIN_VARIANCE, next));
  }

  /** Current bid and ask, price mantissas on the tick grid, at least one tick apart. */
  private book(state: InstrumentState): [bid: number, ask: number] {
    const { spec, random } = state;
    const spread = Math.max(1, Math.round(spec.spreadTicks * Math.sqrt(state.variance) * random.range(0.7, 1.4)));
    const bidTicks = Math.max(1, Math.round(state.mid / spec.tickSize - spread / 2));
    return [bidTicks * spec.tickSize, (bidTicks + spread) * spec.tickSize];
  }

  /** A size mantissa on the lot grid around `median` (log-normal body, occasional Pareto block). */
  private size(state: InstrumentState, median: number): number {
    const { spec, random } = state;
    let size = random.logNormal(median, 1);
    if (random.chance(BLOCK_TRADE_PROBABILITY)) size *= Math.min(BLOCK_TRADE_CAP, random.pareto(BLOCK_TRADE_ALPHA));
    return Math.max(1, Math.round(size / spec.lotSize)) * spec.lotSize;
  }

  private quote(state: InstrumentState, index: number, timeUs: number): SimQuote {
    const { spec } = state;
    const [bid, ask] = this.book(state);
    const median = spec.typicalSize * QUOTE_SIZE_FACTOR;
    return {
      kind: 'quote',
      index,
      symbol: spec.symbol,
      timeUs,
      bid: formatDecimal(bid, spec.priceDecimals),
      bidSize: formatDecimal(this.size(state, median), spec.sizeDecimals),
      ask: formatDecimal(ask, spec.priceDecimals),
      askSize: formatDecimal(this.size(state, median), spec.sizeDecimals),
    };
  }

  private trade(state: InstrumentState, index: number, timeUs: number): SimTrade {
    const { spec, random } = state;
    const [bid, ask] = this.book(state);
    const buyProbability = 0.5 + SIDE_MOMENTUM * Math.sign(state.lastMove);
    const side = random.chance(buyProbability) ? 'buy' : 'sell';
    return {
      kind: 'trade',
      index,
      symbol: spec.symbol,
      timeUs,
      price: formatDecimal(side === 'buy' ? ask : bid, spec.priceDecimals),
      size: formatDecimal(this.size(state, spec.typicalSize), spec.sizeDecimals),
      side,
      tradeId: state.nextTradeId++,
    };
  }
}
