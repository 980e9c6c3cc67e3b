import { describe, expect, it } from 'vitest';
import { AssetClass, type Instrument } from '../../../lib/market/types';
import { emptyTicker } from '../../../lib/store/ticker';
import type { Ticker } from '../../../lib/store/types';
import { sortRows } from '../../../components/watchlist/sort-rows';

const instrument = (id: number, symbol: string, priceDecimals = 2, venue = 'SIM'): Instrument => ({
  id,
  symbol,
  venue,
  assetClass: AssetClass.Crypto,
  priceDecimals,
  sizeDecimals: 0,
});
const ticker = (id: number, fields: Partial<Ticker>): Ticker => ({ ...emptyTicker(id), ...fields });

const A = instrument(1, 'AAA');
const B = instrument(2, 'BBB', 4);
const C = instrument(3, 'CCC', 0, 'OTHER');

describe('sortRows', () => {
  it('sorts by symbol either way', () => {
    expect(sortRows([B, C, A], {}, '', { key: 'symbol', descending: false }).map((i) => i.symbol)).toEqual(['AAA', 'BBB', 'CCC']);
    expect(sortRows([B, C, A], {}, '', { key: 'symbol', descending: true }).map((i) => i.symbol)).toEqual(['CCC', 'BBB', 'AAA']);
  });

  it('compares prices across precisions by value, not by mantissa', () => {
    // 10.00 (1000 @ 2dp) vs 0.5000 (5000 @ 4dp) vs 7 (7 @ 0dp)
    const tickers = { 1: ticker(1, { last: 1000 }), 2: ticker(2, { last: 5000 }), 3: ticker(3, { last: 7 }) };
    expect(sortRows([A, B, C], tickers, '', { key: 'last', descending: true }).map((i) => i.symbol)).toEqual(['AAA', 'CCC', 'BBB']);
  });

  it('puts rows without a value last whatever the direction', () => {
    const tickers = { 1: ticker(1, { last: 100, open: 100 }), 2: ticker(2, { last: 110, open: 100 }) };
    for (const descending of [true, false]) {
      expect(sortRows([C, A, B], tickers, '', { key: 'change', descending }).at(-1)?.symbol).toBe('CCC');
    }
  });

  it('filters by symbol or venue, case-insensitively', () => {
    expect(sortRows([A, B, C], {}, 'bb', { key: 'symbol', descending: false }).map((i) => i.symbol)).toEqual(['BBB']);
    expect(sortRows([A, B, C], {}, 'other', { key: 'symbol', descending: false }).map((i) => i.symbol)).toEqual(['CCC']);
  });
});
