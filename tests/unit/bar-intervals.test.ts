/**
 * The nine bar intervals (1s 5s 1m 5m 15m 1h 4h 1D 1W): UTC alignment (1D at midnight, 1W from
 * Monday 00:00 UTC, before 1970 too), label parsing, and bars built by History from a long stream
 * with late and out-of-order trades equal a brute-force aggregation for every interval, also when
 * the stream is cut in the middle of a bar and continued by another History that imported the
 * first one's state through JSON (a restart in the middle of a bar keeps the bar right).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignBarOpenTime, US_PER_SECOND, WEEK_ORIGIN_US, WEEK_SECONDS } from '../../lib/market/bars';
import { BAR_INTERVALS, BAR_INTERVAL_LABELS, parseBarInterval, Side, type Bar, type BarInterval, type Trade } from '../../lib/market/types';
import type { Tick } from '../../server/bus/types';
import { History, HISTORY_DEFAULTS, type InstrumentHistoryState } from '../../server/history/history';

const DAY_US = 86_400 * US_PER_SECOND;
const WEEK_US = 7 * DAY_US;
/** µs since the epoch of a UTC calendar time (month 1-12), exact to the microsecond. */
const utcUs = (y: number, month: number, d: number, h = 0, min = 0, s = 0, us = 0): number =>
  Date.UTC(y, month - 1, d, h, min, s) * 1000 + us;

describe('BAR_INTERVALS', () => {
  it('are the nine intervals 1s 5s 1m 5m 15m 1h 4h 1D 1W, ascending', () => {
    expect(BAR_INTERVALS).toEqual([1, 5, 60, 300, 900, 3600, 14400, 86400, 604800]);
    expect(BAR_INTERVALS.map((i) => BAR_INTERVAL_LABELS[i])).toEqual(['1s', '5s', '1m', '5m', '15m', '1h', '4h', '1D', '1W']);
    expect(WEEK_SECONDS).toBe(604800);
  });

  it('parse from their labels in any case, "1m" being a minute and "1M" too', () => {
    expect(parseBarInterval('4h')).toBe(14400);
    expect(parseBarInterval('4H')).toBe(14400);
    expect(parseBarInterval('1D')).toBe(86400);
    expect(parseBarInterval('1d')).toBe(86400);
    expect(parseBarInterval('1W')).toBe(604800);
    expect(parseBarInterval('1w')).toBe(604800);
    expect(parseBarInterval('86400')).toBe(86400);
    expect(parseBarInterval('1m')).toBe(60);
    expect(parseBarInterval('1M')).toBe(60);
    for (const text of ['1mo', '2d', '1y', '7d', '1h4', '']) expect(parseBarInterval(text)).toBeUndefined();
  });

  it('are all built by History by default', () => {
    expect(HISTORY_DEFAULTS.intervals).toEqual(BAR_INTERVALS);
    expect(new History().intervals).toEqual(BAR_INTERVALS);
  });
});

describe('alignBarOpenTime for the long intervals', () => {
  it('opens 1W bars on Monday 00:00 UTC: the Monday itself, and the week before for the Sunday before it', () => {
    const monday = utcUs(2024, 11, 18); // a Monday
    expect(new Date(monday / 1000).getUTCDay()).toBe(1);
    expect(alignBarOpenTime(monday, 604800)).toBe(monday);
    expect(alignBarOpenTime(monday + 1, 604800)).toBe(monday);
    expect(alignBarOpenTime(utcUs(2024, 11, 24, 23, 59, 59, 999_999), 604800)).toBe(monday); // Sunday, last µs of the week
    expect(alignBarOpenTime(utcUs(2024, 11, 25), 604800)).toBe(utcUs(2024, 11, 25));
    expect(alignBarOpenTime(monday - 1, 604800)).toBe(utcUs(2024, 11, 11)); // Sunday 23:59:59.999999 -> previous Monday
    expect(alignBarOpenTime(utcUs(2024, 11, 21, 22, 59, 59, 870_000), 604800)).toBe(monday); // a Thursday
  });

  it('opens 1W bars on Mondays before 1970 too (the epoch was a Thursday)', () => {
    expect(WEEK_ORIGIN_US).toBe(utcUs(1970, 1, 5));
    expect(alignBarOpenTime(WEEK_ORIGIN_US, 604800)).toBe(WEEK_ORIGIN_US);
    expect(alignBarOpenTime(WEEK_ORIGIN_US - 1, 604800)).toBe(utcUs(1969, 12, 29));
    expect(alignBarOpenTime(0, 604800)).toBe(utcUs(1969, 12, 29)); // Thursday 1970-01-01
    expect(utcUs(1969, 12, 29)).toBe(-3 * DAY_US);
    expect(alignBarOpenTime(utcUs(1969, 12, 28, 23, 59, 59, 999_999), 604800)).toBe(utcUs(1969, 12, 22)); // a Sunday
    expect(alignBarOpenTime(utcUs(1969, 12, 22), 604800)).toBe(utcUs(1969, 12, 22));
    expect(alignBarOpenTime(utcUs(1900, 1, 3, 12), 604800)).toBe(utcUs(1900, 1, 1)); // a Monday
  });

  it('opens 1D bars at 00:00 UTC, before 1970 too', () => {
    const midnight = utcUs(2024, 2, 29);
    expect(alignBarOpenTime(midnight, 86400)).toBe(midnight);
    expect(alignBarOpenTime(midnight + DAY_US - 1, 86400)).toBe(midnight);
    expect(alignBarOpenTime(midnight - 1, 86400)).toBe(utcUs(2024, 2, 28));
    expect(alignBarOpenTime(-1, 86400)).toBe(-DAY_US);
    expect(alignBarOpenTime(utcUs(1969, 7, 20, 20, 17), 86400)).toBe(utcUs(1969, 7, 20));
  });

  it('opens 4h bars at 00:00, 04:00, ... 20:00 UTC', () => {
    const day = utcUs(2024, 11, 21);
    for (let h = 0; h < 24; h += 1) {
      expect(alignBarOpenTime(day + h * 3_600_000_000 + 1_234_567, 14400)).toBe(day + Math.floor(h / 4) * 4 * 3_600_000_000);
    }
    expect(alignBarOpenTime(utcUs(2024, 11, 21, 3, 59, 59, 999_999), 14400)).toBe(day);
    expect(alignBarOpenTime(utcUs(2024, 11, 21, 23, 59, 59, 999_999), 14400)).toBe(utcUs(2024, 11, 21, 20));
    expect(alignBarOpenTime(-1, 14400)).toBe(-14_400 * US_PER_SECOND);
  });

  it('gives every interval an open time at most one interval before the time, on its UTC grid, of either sign', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.constantFrom(...BAR_INTERVALS), (time, interval) => {
        const open = alignBarOpenTime(time, interval);
        const span = interval * US_PER_SECOND;
        const origin = interval === 604800 ? WEEK_ORIGIN_US : 0;
        expect(open <= time && time - open < span).toBe(true);
        expect(Number.isSafeInteger(open) && (open - origin) % span === 0).toBe(true);
        if (interval >= 86400 && Math.abs(open) < 8.64e18) {
          const date = new Date(open / 1000);
          expect([date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()]).toEqual([0, 0, 0, 0]);
          if (interval === 604800) expect(date.getUTCDay()).toBe(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** floor(a / b) for bigints, b > 0 (bigint `/` truncates towards zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * Independent bar rule in bigint maths: bucket = floor((t - origin) / span) * span + origin with the
 * origin at Monday 1970-01-05 for 1W and the epoch otherwise; open/close by event time with arrival
 * order breaking ties; vwap = floor((2 * notional + volume) / (2 * volume)) (half up).
 */
function bruteForce(trades: readonly Trade[], interval: BarInterval): Bar[] {
  const span = BigInt(interval) * 1_000_000n;
  const origin = interval === 604800 ? 4n * 86_400_000_000n : 0n;
  const groups = new Map<bigint, Trade[]>();
  for (const t of trades) {
    const open = floorDiv(BigInt(t.eventTimeUs) - origin, span) * span + origin;
    const list = groups.get(open);
    if (list === undefined) groups.set(open, [t]);
    else list.push(t);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([open, arrival]) => {
      const byTime = [...arrival].sort((a, b) => a.eventTimeUs - b.eventTimeUs); // stable: arrival order on ties
      const last = arrival[arrival.length - 1] as Trade;
      const notional = arrival.reduce((sum, t) => sum + BigInt(t.price) * BigInt(t.size), 0n);
      const volume = arrival.reduce((sum, t) => sum + BigInt(t.size), 0n);
      return {
        kind: 'bar',
        instrumentId: last.instrumentId,
        seq: last.seq,
        eventTimeUs: last.eventTimeUs,
        receiveTimeUs: last.receiveTimeUs,
        interval,
        openTimeUs: Number(open),
        open: (byTime[0] as Trade).price,
        high: arrival.reduce((m, t) => Math.max(m, t.price), -Infinity),
        low: arrival.reduce((m, t) => Math.min(m, t.price), Infinity),
        close: (byTime[byTime.length - 1] as Trade).price,
        volume: Number(volume),
        tradeCount: arrival.length,
        vwap: Number(floorDiv(2n * notional + volume, 2n * volume)),
      } satisfies Bar;
    });
}

/** Small deterministic PRNG (mulberry32): the stream is reproducible from the seed fast-check reports. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSTRUMENT = 3;
/** Sunday 2024-11-17 22:00 UTC: the stream crosses a Monday, midnights and 4h boundaries at once. */
const STREAM_START_US = utcUs(2024, 11, 17, 22);

/**
 * Ticks in arrival order (seq ascending) for one instrument over many weeks: bursts of trades
 * (event-time ties included), pauses from minutes to days, trades arriving late (up to two days,
 * so across 1D and 1W boundaries) and a quote now and then. Prices up to 10^9 and sizes up to 10^6
 * push a week's notional past 2^53.
 */
function tickStream(seed: number, count: number): Tick[] {
  const random = prng(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  const ticks: Tick[] = [];
  let clock = STREAM_START_US;
  let price = 500_000_000;
  for (let seq = 1; seq <= count; seq += 1) {
    const roll = random();
    clock += roll < 0.15 ? 0 : roll < 0.75 ? int(2_000_000) : roll < 0.97 ? int(600_000_000) : int(2 * DAY_US);
    const lateRoll = random();
    const late = lateRoll < 0.8 ? 0 : lateRoll < 0.97 ? int(900_000_000) : int(2 * DAY_US);
    const eventTimeUs = clock - late;
    const receiveTimeUs = clock + int(5_000);
    if (random() < 0.05) {
      ticks.push({
        kind: 'quote',
        instrumentId: INSTRUMENT,
        seq,
        eventTimeUs,
        receiveTimeUs,
        bid: price - 10,
        bidSize: 3,
        ask: price + 10,
        askSize: 4,
      });
      continue;
    }
    price = Math.min(1_000_000_000, Math.max(1, price + int(2_000_000) - 1_000_000));
    const size = random() < 0.02 ? 1_000_000 : 1 + int(999);
    ticks.push({
      kind: 'trade',
      instrumentId: INSTRUMENT,
      seq,
      eventTimeUs,
      receiveTimeUs,
      price,
      size,
      side: random() < 0.5 ? Side.Buy : Side.Sell,
      tradeId: seq,
    });
  }
  return ticks;
}

/** Enough room that no bar of the stream is evicted: every bar must equal its brute-force twin. */
const ROOMY = { barCapacity: 100_000 } as const;

function barsOf(history: History): Bar[][] {
  return BAR_INTERVALS.map((interval) => [...history.bars(INSTRUMENT, interval)]);
}

/** Restarts the history: exports its state, through JSON text, into a fresh History. */
function restarted(history: History, options: ConstructorParameters<typeof History>[0]): History {
  const text = JSON.stringify(history.exportInstrument(INSTRUMENT));
  const next = new History(options);
  next.importInstrument(JSON.parse(text) as InstrumentHistoryState);
  return next;
}

describe('History bars of every interval from a long stream with late and out-of-order trades', () => {
  it('equal a brute-force aggregation, also when the stream is cut mid-bar and continued after a JSON restart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (seed, cutAt) => {
        const ticks = tickStream(seed, 4000);
        const trades = ticks.filter((t): t is Trade => t.kind === 'trade');
        // Cut between two trades of one 1m bar (so mid-bar for every interval from 1m up).
        let cut = Math.floor(ticks.length * cutAt);
        const minuteOf = (i: number) => alignBarOpenTime((ticks[i] as Tick).eventTimeUs, 60);
        while (cut < ticks.length - 1 && minuteOf(cut - 1) !== minuteOf(cut)) cut += 1;

        const whole = new History(ROOMY);
        whole.apply(ticks);
        const expected = BAR_INTERVALS.map((interval) => bruteForce(trades, interval));
        expect(barsOf(whole)).toEqual(expected);

        const first = new History(ROOMY);
        first.apply(ticks.slice(0, cut));
        const second = restarted(first, ROOMY);
        expect(barsOf(second)).toEqual(barsOf(first));
        const rest = ticks.slice(cut);
        expect(second.apply(rest)).toEqual(first.apply(rest));
        expect(barsOf(second)).toEqual(expected);

        // The stream really spans weeks and has trades arriving after later event times.
        const weeks = new Set(trades.map((t) => alignBarOpenTime(t.eventTimeUs, 604800)));
        expect(weeks.size).toBeGreaterThan(2);
        expect(trades.some((t, i) => i > 0 && t.eventTimeUs < (trades[i - 1] as Trade).eventTimeUs - DAY_US)).toBe(true);
      }),
      { numRuns: 5 },
    );
  });

  it('keep the last barCapacity bars of every interval right across a restart at the default capacity', () => {
    const ticks = tickStream(0x5eed, 8000);
    const trades = ticks.filter((t): t is Trade => t.kind === 'trade');
    const cut = 4321;
    const live = new History();
    live.apply(ticks.slice(0, cut));
    const resumed = restarted(live, {});
    resumed.apply(ticks.slice(cut));
    for (const interval of BAR_INTERVALS) {
      const held = resumed.bars(INSTRUMENT, interval);
      const all = bruteForce(trades, interval);
      // A trade dropped as older than every held bar belongs to a bar that is not among the newest.
      expect(held).toEqual(all.slice(-HISTORY_DEFAULTS.barCapacity));
    }
    expect(trades.length).toBeGreaterThan(HISTORY_DEFAULTS.barCapacity); // the 1s builder is full
    expect(resumed.bars(INSTRUMENT, 1)).toHaveLength(HISTORY_DEFAULTS.barCapacity);
  });

  it('hold a whole week of trades in one 1W bar that opens on the Monday', () => {
    const ticks = tickStream(42, 3000);
    const history = new History(ROOMY);
    history.apply(ticks);
    for (const bar of history.bars(INSTRUMENT, 604800)) {
      expect(new Date(bar.openTimeUs / 1000).getUTCDay()).toBe(1);
      expect(bar.openTimeUs - WEEK_ORIGIN_US).toBeGreaterThanOrEqual(0);
      expect((bar.openTimeUs - WEEK_ORIGIN_US) % WEEK_US).toBe(0);
    }
    const daily = history.bars(INSTRUMENT, 86400);
    const weekly = history.bars(INSTRUMENT, 604800);
    const weekOf = (bar: Bar) => alignBarOpenTime(bar.openTimeUs, 604800);
    for (const week of weekly) {
      const days = daily.filter((d) => weekOf(d) === week.openTimeUs);
      expect(days.reduce((n, d) => n + d.tradeCount, 0)).toBe(week.tradeCount);
      expect(days.reduce((n, d) => n + d.volume, 0)).toBe(week.volume);
      expect(Math.max(...days.map((d) => d.high))).toBe(week.high);
      expect(Math.min(...days.map((d) => d.low))).toBe(week.low);
    }
  });
});
