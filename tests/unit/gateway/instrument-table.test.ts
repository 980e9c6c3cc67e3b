import { describe, expect, it } from 'vitest';
import { AssetClass, type Instrument } from '../../../lib/market/types';
import { InstrumentTable } from '../../../server/gateway/instrument-table';

const instrument = (id: number, symbol: string): Instrument => ({
  id,
  symbol,
  venue: symbol.split(':')[0]!,
  assetClass: AssetClass.Crypto,
  priceDecimals: 2,
  sizeDecimals: 0,
});

describe('InstrumentTable', () => {
  it('resolves full names and bare symbols only one venue lists', () => {
    const table = new InstrumentTable([instrument(1, 'SIM:BTC-USD'), instrument(2, 'ALT:BTC-USD'), instrument(3, 'SIM:ETH-USD')]);
    expect(table.symbols.resolve('ALT:BTC-USD')).toMatchObject({ kind: 'found', instrument: { id: 2 } });
    expect(table.symbols.resolve('ETH-USD')).toMatchObject({ kind: 'found', instrument: { id: 3 } });
    expect(table.symbols.resolve('BTC-USD').kind).toBe('ambiguous');
    expect([...table.ids()]).toEqual([1, 2, 3]);
  });

  it('returns the instruments a new table drops, and lists them as removed after the current ones', () => {
    const table = new InstrumentTable([instrument(1, 'SIM:A'), instrument(2, 'SIM:B')]);
    const removed = table.replace([instrument(2, 'SIM:B'), instrument(3, 'SIM:C')]);
    expect(removed.map((i) => i.id)).toEqual([1]);
    expect(table.symbols.resolve('A').kind).not.toBe('found');
    expect(table.message(removed).instruments.map((i) => [i.id, i.removed])).toEqual([
      [2, false],
      [3, false],
      [1, true],
    ]);
  });
});
