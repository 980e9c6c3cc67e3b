/**
 * A recording's own history (docs/adapters.md "History"): bars rolled up from its trades, on the
 * time line its playback uses, moved back so the recording ends where the live playback begins (as
 * if the replay had been running for a pass already). A 1-hour file at 60x is a minute of history,
 * just as it is a live-looking minute.
 */
import { alignBarOpenTime, roundedVwap } from '../../lib/market/bars';
import { formatDecimal, toMantissa } from '../../lib/market/decimal';
import type { BarInterval } from '../../lib/market/types';
import type { RecordedTick } from './recording-format';
import type { AdapterBar, AdapterHistoryRequest, AdapterInstrument } from './types';

/** What the playback that history leads into looks like. */
export interface ReplayTimeline {
  readonly ticks: readonly RecordedTick[];
  readonly instruments: readonly AdapterInstrument[];
  /** Wall time the live playback's first pass started, µs. */
  readonly liveStartUs: number;
  readonly speed: number;
}

interface Forming {
  openTimeUs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount: number;
  notional: number | bigint;
}

/** Adds price * size to an exact sum (bigint past 2^53). */
function addNotional(sum: number | bigint, price: number, size: number): number | bigint {
  if (typeof sum === 'number') {
    const next = sum + price * size;
    if (Number.isSafeInteger(price * size) && Number.isSafeInteger(next)) return next;
    return BigInt(sum) + BigInt(price) * BigInt(size);
  }
  return sum + BigInt(price) * BigInt(size);
}

/**
 * Bars of `request.symbol` and `request.interval` with open times in [startUs, endUs), oldest
 * first, from the timeline's trades. Trades whose price or size is not exact at the instrument's
 * precision are left out (the normaliser would reject them live too).
 */
export function replayBars(timeline: ReplayTimeline, request: Omit<AdapterHistoryRequest, 'signal'>): AdapterBar[] {
  const instrument = timeline.instruments.find((i) => i.symbol === request.symbol);
  const { ticks, speed, liveStartUs } = timeline;
  if (instrument === undefined || ticks.length === 0) return [];
  const interval = request.interval as BarInterval;
  // Playback order: a timestamp that goes backwards plays at the latest one so far.
  const times = new Float64Array(ticks.length);
  let latest = -Infinity;
  ticks.forEach((tick, i) => (times[i] = latest = Math.max(latest, tick.timeUs)));
  const lastUs = latest;
  const out: AdapterBar[] = [];
  let bar: Forming | undefined;
  const p = instrument.priceDecimals;
  const flush = (): void => {
    if (bar === undefined) return;
    out.push({
      openTimeUs: bar.openTimeUs,
      open: formatDecimal(bar.open, p),
      high: formatDecimal(bar.high, p),
      low: formatDecimal(bar.low, p),
      close: formatDecimal(bar.close, p),
      volume: formatDecimal(bar.volume, instrument.sizeDecimals),
      tradeCount: bar.tradeCount,
      vwap: formatDecimal(roundedVwap(bar.notional, bar.volume, bar.close), p),
    });
    bar = undefined;
  };
  ticks.forEach((tick, i) => {
    if (tick.type !== 'trade' || tick.symbol !== request.symbol) return;
    // The last tick lands 1 µs before the live start.
    const timeUs = Math.round(liveStartUs - 1 - (lastUs - (times[i] as number)) / speed);
    const openTimeUs = alignBarOpenTime(timeUs, interval);
    if (openTimeUs < request.startUs || openTimeUs >= request.endUs) return;
    const price = toMantissa(tick.price, p);
    const size = toMantissa(tick.size, instrument.sizeDecimals);
    if (price === undefined || size === undefined || size < 0) return;
    if (bar !== undefined && bar.openTimeUs !== openTimeUs) flush();
    if (bar === undefined) {
      bar = {
        openTimeUs,
        open: price,
        high: price,
        low: price,
        close: price,
        volume: size,
        tradeCount: 1,
        notional: addNotional(0, price, size),
      };
      return;
    }
    bar.high = Math.max(bar.high, price);
    bar.low = Math.min(bar.low, price);
    bar.close = price;
    bar.volume += size;
    bar.tradeCount += 1;
    bar.notional = addNotional(bar.notional, price, size);
  });
  flush();
  return out;
}
