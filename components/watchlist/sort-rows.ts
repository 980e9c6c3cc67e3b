/**
 * Filtering and sorting of watchlist rows. Pure, so it is cheap to run once per frame over
 * hundreds of instruments and easy to test.
 */
import { mantissaToNumber } from '../../lib/market/decimal';
import { bareSymbol } from '../../lib/market/symbols';
import type { Instrument } from '../../lib/market/types';
import { sessionChange, spread } from '../../lib/store/ticker';
import type { Ticker } from '../../lib/store/types';

/** Columns a person can sort by. */
export const SORT_KEYS = ['symbol', 'last', 'change', 'bid', 'ask', 'spread', 'volume'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Current sort: column and direction. */
export interface SortSpec {
  readonly key: SortKey;
  readonly descending: boolean;
}

/** Sort value of a row for `key`; undefined sorts last whatever the direction. */
function sortValue(instrument: Instrument, ticker: Ticker | undefined, key: SortKey): number | undefined {
  if (!ticker) return undefined;
  const d = instrument.priceDecimals;
  switch (key) {
    case 'last':
      return ticker.last === undefined ? undefined : mantissaToNumber(ticker.last, d);
    case 'change':
      return sessionChange(ticker);
    case 'bid':
      return ticker.bid === undefined ? undefined : mantissaToNumber(ticker.bid, d);
    case 'ask':
      return ticker.ask === undefined ? undefined : mantissaToNumber(ticker.ask, d);
    case 'spread': {
      // Relative spread, so instruments of different price levels compare meaningfully.
      const s = spread(ticker);
      return s === undefined || !ticker.bid ? undefined : s / ticker.bid;
    }
    case 'volume':
      return mantissaToNumber(ticker.volume, instrument.sizeDecimals);
    default:
      return undefined;
  }
}

/** Orders by the symbol a person reads ("BTC-USD"), then by the full name (venue first). */
function bySymbol(a: Instrument, b: Instrument): number {
  return bareSymbol(a.symbol).localeCompare(bareSymbol(b.symbol)) || a.symbol.localeCompare(b.symbol);
}

/**
 * Instruments whose name or venue contains `filter` (case-insensitive), sorted by `sort`, ties
 * broken by symbol so rows do not shuffle between frames.
 */
export function sortRows(
  instruments: readonly Instrument[],
  tickers: Readonly<Record<number, Ticker>>,
  filter: string,
  sort: SortSpec,
): Instrument[] {
  const needle = filter.trim().toLowerCase();
  const rows = needle
    ? instruments.filter((i) => i.symbol.toLowerCase().includes(needle) || i.venue.toLowerCase().includes(needle))
    : instruments.slice();
  const sign = sort.descending ? -1 : 1;
  if (sort.key === 'symbol') {
    return rows.sort((a, b) => sign * bySymbol(a, b));
  }
  const keyed = rows.map((instrument) => ({ instrument, value: sortValue(instrument, tickers[instrument.id], sort.key) }));
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value === b.value) return bySymbol(a.instrument, b.instrument);
      return a.value === undefined ? 1 : -1;
    }
    return sign * (a.value - b.value) || bySymbol(a.instrument, b.instrument);
  });
  return keyed.map((k) => k.instrument);
}
