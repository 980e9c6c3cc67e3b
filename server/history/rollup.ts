/**
 * Rolls finished bars of one interval up into a longer one: open of the first bar, close of the
 * last, highest high, lowest low, exact sums of volume and trade count, and a volume-weighted vwap
 * (sum of vwap * volume over the sum of volume, rounded half up like a bar built from trades).
 * Used by the backfill (server/history/backfill.ts) to turn a venue's 1m candles into 5m..1W.
 */
import { alignBarOpenTime, roundedVwap, US_PER_SECOND } from '../../lib/market/bars';
import type { BarInterval } from '../../lib/market/types';
import type { StoredBar } from './store/types';

/** Adds `a * b` to an exact sum, as a number while it stays a safe integer, else a bigint. */
function addProduct(sum: number | bigint, a: number, b: number): number | bigint {
  if (typeof sum === 'number') {
    const product = a * b;
    if (Number.isSafeInteger(product) && Number.isSafeInteger(sum + product)) return sum + product;
    return BigInt(sum) + BigInt(a) * BigInt(b);
  }
  return sum + BigInt(a) * BigInt(b);
}

/** One bucket being rolled up. */
interface Bucket {
  openTimeUs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Saturating at MAX_SAFE_INTEGER like every bar's volume. */
  volume: number;
  exactVolume: number | bigint;
  notional: number | bigint;
  tradeCount: number;
  closeTimeUs: number;
}

/**
 * Folds bars of a shorter interval, given in ascending open time, into bars of `interval`.
 * {@link RollUp.add} returns the bucket it finished (when a bar opens a new bucket), and
 * {@link RollUp.flush} the last one.
 */
export class RollUp {
  private bucket: Bucket | undefined;

  constructor(
    readonly symbol: string,
    readonly interval: BarInterval,
  ) {}

  /** Folds `bar` in; returns the previous bucket as a bar when `bar` starts a new one. */
  add(bar: StoredBar): StoredBar | undefined {
    const openTimeUs = alignBarOpenTime(bar.openTimeUs, this.interval);
    const current = this.bucket;
    if (current !== undefined && current.openTimeUs === openTimeUs) {
      current.high = Math.max(current.high, bar.high);
      current.low = Math.min(current.low, bar.low);
      current.close = bar.close;
      current.volume = Math.min(Number.MAX_SAFE_INTEGER, current.volume + bar.volume);
      current.exactVolume = addProduct(current.exactVolume, bar.volume, 1);
      current.notional = addProduct(current.notional, bar.vwap, bar.volume);
      current.tradeCount += bar.tradeCount;
      current.closeTimeUs = Math.max(current.closeTimeUs, bar.openTimeUs + bar.interval * US_PER_SECOND);
      return undefined;
    }
    const finished = this.flush();
    this.bucket = {
      openTimeUs,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      exactVolume: bar.volume,
      notional: addProduct(0, bar.vwap, bar.volume),
      tradeCount: bar.tradeCount,
      closeTimeUs: bar.openTimeUs + bar.interval * US_PER_SECOND,
    };
    return finished;
  }

  /** The bucket in progress as a bar (seq 0, event and receive time = its last bar's close), and forgets it. */
  flush(): StoredBar | undefined {
    const b = this.bucket;
    this.bucket = undefined;
    if (b === undefined) return undefined;
    return {
      symbol: this.symbol,
      seq: 0,
      eventTimeUs: b.closeTimeUs,
      receiveTimeUs: b.closeTimeUs,
      interval: this.interval,
      openTimeUs: b.openTimeUs,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      tradeCount: b.tradeCount,
      vwap: roundedVwap(b.notional, b.exactVolume, b.close),
    };
  }
}

/** Rolls `bars` (ascending, one interval) up into `interval` at once. */
export function rollUpBars(bars: readonly StoredBar[], symbol: string, interval: BarInterval): StoredBar[] {
  const rollUp = new RollUp(symbol, interval);
  const out: StoredBar[] = [];
  for (const bar of bars) {
    const finished = rollUp.add(bar);
    if (finished !== undefined) out.push(finished);
  }
  const last = rollUp.flush();
  if (last !== undefined) out.push(last);
  return out;
}
