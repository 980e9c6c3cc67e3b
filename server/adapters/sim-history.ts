/**
 * The simulator's past: a deterministic bar-level random walk per instrument, a pure function of
 * (seed, symbol, UTC time), so two machines with the same seed show the same bars for the same UTC
 * minutes however long they have been running, and a later start extends an earlier one's history.
 *
 * Three levels, each seeded from (seed, symbol) and its own index:
 * - days: a log-price walk from {@link SIM_HISTORY_EPOCH_MS} (a Monday, UTC midnight), one step per
 *   UTC day, pulled back towards the catalogue level (half-life {@link DAILY_HALF_LIFE_DAYS} days)
 *   with a GARCH-like daily volatility regime;
 * - minutes: within each day a Brownian bridge of 1440 steps from that day's level to the next
 *   day's, with minute-scale volatility clustering around the day's regime; each minute is a 1m bar
 *   (open = previous close, high/low a little beyond, volume and trades from the activity);
 * - seconds: within a minute, 60 steps from its open to its close that touch its high and low, so
 *   1s and 5s bars agree with the 1m bar (same open, high, low, close, volume and trade count).
 * The live walk (market-simulator.ts) starts where this one stands at its start minute: same price,
 * same volatility regime ({@link SimHistory.stateAt}).
 */
import { alignBarOpenTime, roundedVwap, US_PER_SECOND } from '../../lib/market/bars';
import { SeededRandom } from './random';
import type { SimInstrumentSpec } from './sim-catalogue';

/** Where every instrument's history walk starts: Monday 2024-01-01 00:00 UTC, ms. */
export const SIM_HISTORY_EPOCH_MS = Date.UTC(2024, 0, 1);
/** Half-life of the daily walk's pull back to the catalogue level, days. */
export const DAILY_HALF_LIFE_DAYS = 45;

const MINUTE_US = 60 * US_PER_SECOND;
const DAY_US = 86_400 * US_PER_SECOND;
const MINUTES_PER_DAY = 1440;
const SECONDS_PER_YEAR = 365 * 86_400;
const EPOCH_US = SIM_HISTORY_EPOCH_MS * 1000;
/** Daily regime: v' = (1 - a - b) + (a z^2 + b) v, bounded. */
const DAY_ALPHA = 0.1;
const DAY_BETA = 0.85;
/** Minute clustering around the day's regime, same form. */
const MINUTE_ALPHA = 0.05;
const MINUTE_BETA = 0.93;
const MIN_VARIANCE = 0.05;
const MAX_VARIANCE = 25;
/** Mean trades per minute at regime 1, and at least this many (so each second of a 1s bar has one). */
const MEAN_EXTRA_TRADES_PER_MINUTE = 60;
const MIN_TRADES_PER_MINUTE = 60;
/** Day caches kept per instrument (a history request walks days in order). */
const DAY_CACHE_SIZE = 3;

/** FNV-1a of a string, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A random stream for (symbol, level, index): 0 the daily walk, 1 a day's minute path, 2 a minute's seconds, 3 a day's bar details. */
function stream(symbolHash: number, level: number, index: number): number {
  return (symbolHash ^ Math.imul(level + 1, 0x9e3779b1)) * 2 ** 21 + (index % 2 ** 21);
}

/** A bar as mantissas (prices at the instrument's price decimals, volume at its size decimals). */
export interface SimBar {
  readonly openTimeUs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly tradeCount: number;
  readonly vwap: number;
}

/** Where the walk stands at a minute boundary: what the live walk continues from. */
export interface SimWalkState {
  /** Price mantissa (on the tick grid): the close of the minute before. */
  readonly price: number;
  /** Volatility regime as the live walk's variance multiplier (long-run mean 1). */
  readonly variance: number;
}

/** One UTC day of 1m bars, as columns. */
interface DayBars {
  readonly day: number;
  /** 1441 prices (mantissas on the grid): minute i opens at prices[i] and closes at prices[i + 1]. */
  readonly prices: Float64Array;
  /** Variance multiplier in force during each minute. */
  readonly variances: Float64Array;
  details: DayDetails | undefined;
}

/** The rest of a day's 1m bars, made when a bar is asked for. */
interface DayDetails {
  readonly highs: Float64Array;
  readonly lows: Float64Array;
  readonly volumes: Float64Array;
  readonly trades: Float64Array;
}

/** The history of one instrument. */
export class SimHistory {
  private readonly symbolHash: number;
  private readonly logLevel: number;
  private readonly sigmaDay: number;
  private readonly sigmaMinute: number;
  private readonly theta = Math.LN2 / DAILY_HALF_LIFE_DAYS;
  /** Log price at the start of each day since the epoch, and that day's regime. */
  private levels = new Float64Array([0]);
  private regimes = new Float64Array([1]);
  private walked = 0;
  private readonly dayWalk: SeededRandom;
  private readonly days: DayBars[] = [];

  constructor(
    private readonly seed: number,
    readonly spec: SimInstrumentSpec,
  ) {
    this.symbolHash = hash32(spec.symbol);
    this.logLevel = Math.log(spec.initialPrice);
    this.sigmaDay = spec.annualVolatility * Math.sqrt(86_400 / SECONDS_PER_YEAR);
    this.sigmaMinute = this.sigmaDay / Math.sqrt(MINUTES_PER_DAY);
    this.levels[0] = this.logLevel;
    this.dayWalk = new SeededRandom(seed, stream(this.symbolHash, 0, 0));
  }

  /** Where the walk stands at `timeUs` floored to its minute (the live walk's starting point). */
  stateAt(timeUs: number): SimWalkState {
    const minuteUs = alignBarOpenTime(timeUs, 60);
    const bars = this.day(this.dayIndex(minuteUs));
    const i = (minuteUs - this.dayStartUs(bars.day)) / MINUTE_US;
    return { price: bars.prices[i] as number, variance: bars.variances[i] as number };
  }

  /** 1m bars with open times in [startUs, endUs), oldest first, a day's worth per call of `onDay`. */
  *minuteBars(startUs: number, endUs: number): Generator<SimBar[]> {
    let t = Math.max(alignBarOpenTime(startUs + MINUTE_US - 1, 60), EPOCH_US);
    while (t < endUs) {
      const day = this.dayIndex(t);
      const dayStart = this.dayStartUs(day);
      const stop = Math.min(endUs, dayStart + DAY_US);
      const bars = this.day(day);
      const out: SimBar[] = [];
      for (; t < stop; t += MINUTE_US) out.push(this.minuteBar(bars, (t - dayStart) / MINUTE_US, t));
      yield out;
    }
  }

  /** 1s or 5s bars with open times in [startUs, endUs), oldest first, up to an hour per yield. */
  *secondBars(interval: 1 | 5, startUs: number, endUs: number): Generator<SimBar[]> {
    let minute = Math.max(alignBarOpenTime(startUs, 60), EPOCH_US);
    let out: SimBar[] = [];
    for (; minute < endUs; minute += MINUTE_US) {
      const day = this.day(this.dayIndex(minute));
      const seconds = this.secondsOf(this.minuteBar(day, (minute - this.dayStartUs(day.day)) / MINUTE_US, minute));
      const bars = interval === 1 ? seconds : fiveSecondBars(seconds);
      for (const bar of bars) if (bar.openTimeUs >= startUs && bar.openTimeUs < endUs) out.push(bar);
      if (out.length >= 3600) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }

  private dayIndex(timeUs: number): number {
    return Math.floor((timeUs - EPOCH_US) / DAY_US);
  }

  private dayStartUs(day: number): number {
    return EPOCH_US + day * DAY_US;
  }

  /** Extends the daily walk to `day + 1` (its end level). */
  private walkTo(day: number): void {
    if (day + 1 < this.walked + 1) return;
    const need = day + 2;
    if (this.levels.length < need) {
      const size = Math.max(need, this.levels.length * 2);
      const levels = new Float64Array(size);
      levels.set(this.levels);
      const regimes = new Float64Array(size);
      regimes.set(this.regimes);
      this.levels = levels;
      this.regimes = regimes;
    }
    const random = this.dayWalk;
    for (let d = this.walked; d <= day; d += 1) {
      const v = this.regimes[d] as number;
      const z = random.normal();
      const level = this.levels[d] as number;
      this.levels[d + 1] = level + this.sigmaDay * Math.sqrt(v) * z - this.theta * (level - this.logLevel);
      const next = 1 - DAY_ALPHA - DAY_BETA + (DAY_ALPHA * z * z + DAY_BETA) * v;
      this.regimes[d + 1] = Math.min(MAX_VARIANCE / 4, Math.max(MIN_VARIANCE * 4, next));
    }
    this.walked = day + 1;
  }

  private day(day: number): DayBars {
    const cached = this.days.find((d) => d.day === day);
    if (cached !== undefined) return cached;
    this.walkTo(day);
    const bars = this.generateDay(day);
    this.days.push(bars);
    if (this.days.length > DAY_CACHE_SIZE) this.days.shift();
    return bars;
  }

  /** The day's 1440 minutes: a bridge from its start level to the next day's. */
  private generateDay(day: number): DayBars {
    const { spec } = this;
    const random = new SeededRandom(this.seed, stream(this.symbolHash, 1, day));
    const regime = this.regimes[day] as number;
    const from = this.levels[day] as number;
    const to = this.levels[day + 1] as number;
    const n = MINUTES_PER_DAY;
    const variances = new Float64Array(n);
    const path = new Float64Array(n + 1);
    const weights = new Float64Array(n + 1);
    let m = regime;
    for (let i = 0; i < n; i += 1) {
      variances[i] = m;
      const z = random.normal();
      path[i + 1] = (path[i] as number) + this.sigmaMinute * Math.sqrt(m) * z;
      weights[i + 1] = (weights[i] as number) + m;
      const next = (1 - MINUTE_ALPHA - MINUTE_BETA) * regime + (MINUTE_ALPHA * z * z + MINUTE_BETA) * m;
      m = Math.min(MAX_VARIANCE, Math.max(MIN_VARIANCE, next));
    }
    const gap = to - from - (path[n] as number);
    const total = weights[n] as number;
    const tick = spec.tickSize;
    const floor = tick * (spec.spreadTicks + 2) * 4;
    const prices = new Float64Array(n + 1);
    for (let i = 0; i <= n; i += 1) {
      const log = from + (path[i] as number) + (gap * (weights[i] as number)) / total;
      prices[i] = Math.max(floor, Math.round(Math.exp(log) / tick) * tick);
    }
    return { day, prices, variances, details: undefined };
  }

  /** The day's highs, lows, volumes and trade counts (their own random stream: the hand-off needs none). */
  private detailsOf(bars: DayBars): DayDetails {
    if (bars.details !== undefined) return bars.details;
    const { spec } = this;
    const { prices, variances } = bars;
    const random = new SeededRandom(this.seed, stream(this.symbolHash, 3, bars.day));
    const n = MINUTES_PER_DAY;
    const tick = spec.tickSize;
    const floor = tick * (spec.spreadTicks + 2) * 4;
    const highs = new Float64Array(n);
    const lows = new Float64Array(n);
    const volumes = new Float64Array(n);
    const trades = new Float64Array(n);
    const lotsPerTrade = spec.typicalSize / spec.lotSize;
    for (let i = 0; i < n; i += 1) {
      const open = prices[i] as number;
      const close = prices[i + 1] as number;
      const reach = this.sigmaMinute * Math.sqrt(variances[i] as number) * 0.6;
      const up = Math.abs(random.normal()) * reach * Math.max(open, close);
      const down = Math.abs(random.normal()) * reach * Math.min(open, close);
      highs[i] = Math.max(open, close) + Math.round(up / tick) * tick;
      lows[i] = Math.max(floor, Math.min(open, close) - Math.round(down / tick) * tick);
      const activity = Math.sqrt(variances[i] as number) * Math.exp(0.35 * random.normal());
      const count = MIN_TRADES_PER_MINUTE + Math.round(MEAN_EXTRA_TRADES_PER_MINUTE * activity);
      trades[i] = count;
      volumes[i] = Math.max(count, Math.round(count * lotsPerTrade * Math.exp(0.5 + 0.3 * random.normal()))) * spec.lotSize;
    }
    bars.details = { highs, lows, volumes, trades };
    return bars.details;
  }

  private minuteBar(bars: DayBars, i: number, openTimeUs: number): SimBar {
    const details = this.detailsOf(bars);
    const open = bars.prices[i] as number;
    const close = bars.prices[i + 1] as number;
    const high = details.highs[i] as number;
    const low = details.lows[i] as number;
    return {
      openTimeUs,
      open,
      high,
      low,
      close,
      volume: details.volumes[i] as number,
      tradeCount: details.trades[i] as number,
      vwap: Math.round((open + high + low + close) / 4),
    };
  }

  /** A minute's 60 1s bars: a bridge from open to close stretched to touch its high and low exactly. */
  private secondsOf(bar: SimBar): SimBar[] {
    const random = new SeededRandom(this.seed, stream(this.symbolHash, 2, Math.floor((bar.openTimeUs - EPOCH_US) / MINUTE_US)));
    const { open, close, high, low } = bar;
    const path = new Float64Array(61);
    for (let k = 1; k <= 60; k += 1) path[k] = (path[k - 1] as number) + random.normal();
    const end = path[60] as number;
    const scale = Math.max(high - low, this.spec.tickSize) / 8;
    const y = Array.from(path, (s, k) => open + ((close - open) * k) / 60 + (s - (end * k) / 60) * scale);
    y[0] = open;
    y[60] = close;
    const hiOc = Math.max(open, close);
    const loOc = Math.min(open, close);
    const yMax = Math.max(...y);
    const yMin = Math.min(...y);
    const mapped = y.map((v) => {
      if (v > hiOc) return hiOc + ((v - hiOc) * (high - hiOc)) / (yMax - hiOc);
      if (v < loOc) return loOc - ((loOc - v) * (loOc - low)) / (loOc - yMin);
      return v;
    });
    // No interior point beyond open/close on a side with room: put one there.
    const highAt = 1 + random.int(59);
    if (!(yMax > hiOc) && high > hiOc) mapped[highAt] = high;
    if (!(yMin < loOc) && low < loOc) mapped[((highAt + random.int(58)) % 59) + 1] = low;
    const tick = this.spec.tickSize;
    const p = mapped.map((v, k) => (k === 0 || k === 60 ? v : Math.min(high, Math.max(low, Math.round(v / tick) * tick))));
    const lot = this.spec.lotSize;
    const extraTrades = split(bar.tradeCount - 60, random);
    const extraLots = split(bar.volume / lot - 60, random);
    const out: SimBar[] = [];
    for (let k = 0; k < 60; k += 1) {
      const a = p[k] as number;
      const b = p[k + 1] as number;
      const h = Math.max(a, b);
      const l = Math.min(a, b);
      out.push({
        openTimeUs: bar.openTimeUs + k * US_PER_SECOND,
        open: a,
        high: h,
        low: l,
        close: b,
        volume: (1 + (extraLots[k] as number)) * lot,
        tradeCount: 1 + (extraTrades[k] as number),
        vwap: Math.round((a + b) / 2),
      });
    }
    return out;
  }
}

/** Splits a non-negative integer `total` into 60 random non-negative integer parts that sum to it exactly. */
function split(total: number, random: SeededRandom): number[] {
  const weights = Array.from({ length: 60 }, () => random.next() + 0.05);
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  let rest = total - parts.reduce((s, p) => s + p, 0);
  for (let k = 0; rest > 0; k = (k + 1) % 60, rest -= 1) parts[k] = (parts[k] as number) + 1;
  return parts;
}

/** Groups a minute's 1s bars by five: open of the first, close of the last, extremes, sums; vwap weighted, rounded half up. */
function fiveSecondBars(seconds: readonly SimBar[]): SimBar[] {
  const out: SimBar[] = [];
  for (let k = 0; k < seconds.length; k += 5) {
    const group = seconds.slice(k, k + 5);
    const first = group[0] as SimBar;
    const last = group[group.length - 1] as SimBar;
    let high = first.high;
    let low = first.low;
    let volume = 0;
    let tradeCount = 0;
    let notional = 0;
    for (const b of group) {
      high = Math.max(high, b.high);
      low = Math.min(low, b.low);
      volume += b.volume;
      tradeCount += b.tradeCount;
      notional += b.vwap * b.volume;
    }
    out.push({
      openTimeUs: first.openTimeUs,
      open: first.open,
      high,
      low,
      close: last.close,
      volume,
      tradeCount,
      vwap: roundedVwap(notional, volume, last.close),
    });
  }
  return out;
}
