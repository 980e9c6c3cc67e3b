import { describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../lib/client/instrument-table';
import { bareSymbol, splitSymbol, SymbolIndex } from '../../../lib/market/symbols';
import { AssetClass } from '../../../lib/market/types';
import { parseSymbolMapEntries, symbolMapFromRecord } from '../../../server/adapters/symbol-map';
import { normalisedStream } from './support';

const named = (symbol: string, id = 0) => ({ id, symbol });

describe('splitSymbol', () => {
  it('splits at the first colon and leaves names without a venue whole', () => {
    expect(splitSymbol('BINANCE:BTCUSDT')).toEqual({ venue: 'BINANCE', symbol: 'BTCUSDT' });
    expect(splitSymbol('REPLAY:SIM:X')).toEqual({ venue: 'REPLAY', symbol: 'SIM:X' });
    expect(splitSymbol('BTC-USD')).toEqual({ venue: '', symbol: 'BTC-USD' });
    expect(bareSymbol('SIM:BTC-USD')).toBe('BTC-USD');
  });
});

describe('SymbolIndex', () => {
  describe('#resolve', () => {
    it('finds full names, and bare symbols that only one venue lists', () => {
      const index = new SymbolIndex([named('SIM:BTC-USD', 1), named('SIM:AAPL', 2), named('BINANCE:BTCUSDT', 3)]);
      expect(index.get('SIM:BTC-USD')?.id).toBe(1);
      expect(index.get('BTC-USD')?.id).toBe(1);
      expect(index.get('BTCUSDT')?.id).toBe(3);
      expect(index.resolve('NOPE')).toEqual({ kind: 'unknown' });
      expect(index.resolve('COINBASE:BTC-USD')).toEqual({ kind: 'unknown' });
    });

    it('calls a bare symbol listed by two venues ambiguous, naming both', () => {
      const index = new SymbolIndex([named('SIM:BTC-USD', 1), named('COINBASE:BTC-USD', 2)]);
      const result = index.resolve('BTC-USD');
      expect(result.kind).toBe('ambiguous');
      expect(result.kind === 'ambiguous' && result.candidates.map((c) => c.symbol)).toEqual(['SIM:BTC-USD', 'COINBASE:BTC-USD']);
      expect(index.get('COINBASE:BTC-USD')?.id).toBe(2);
    });

    it('prefers an instrument literally named like the bare symbol', () => {
      const index = new SymbolIndex([named('SIM:X', 1), named('X', 2)]);
      expect(index.get('X')?.id).toBe(2);
      expect(index.aliasOf(index.get('SIM:X')!)).toBeUndefined();
    });

    it('forgets deleted instruments, which can make an alias unique again', () => {
      const a = named('SIM:BTC-USD', 1);
      const b = named('ALT:BTC-USD', 2);
      const index = new SymbolIndex([a, b]);
      expect(index.aliasOf(a)).toBeUndefined();
      index.delete(b);
      expect(index.aliasOf(a)).toBe('BTC-USD');
      expect(index.get('ALT:BTC-USD')).toBeUndefined();
    });
  });
});

describe('InstrumentTable (client)', () => {
  const entry = (id: number, symbol: string, removed = false) => ({
    id,
    symbol,
    venue: splitSymbol(symbol).venue,
    assetClass: AssetClass.Crypto,
    priceDecimals: 2,
    sizeDecimals: 8,
    removed,
  });

  it('resolves bare symbols and reports the alias of each instrument', () => {
    const table = new InstrumentTable();
    table.apply([entry(1, 'SIM:BTC-USD'), entry(2, 'SIM:ETH-USD')]);
    expect(table.bySymbol('BTC-USD')?.id).toBe(1);
    expect(table.aliasOf(table.get(2)!)).toBe('ETH-USD');
    table.apply([entry(3, 'ALT:BTC-USD')]);
    expect(table.bySymbol('BTC-USD')).toBeUndefined();
    expect(table.resolve('BTC-USD').kind).toBe('ambiguous');
    expect(table.aliasOf(table.get(1)!)).toBeUndefined();
    table.apply([entry(3, 'ALT:BTC-USD', true)]);
    expect(table.bySymbol('BTC-USD')?.id).toBe(1);
  });
});

describe('parseSymbolMapEntries', () => {
  it('parses venue-qualified renames, several per argument', () => {
    const maps = parseSymbolMapEntries(['BINANCE:BTCUSDT=BTC-USDT,BINANCE:ETHUSDT=ETH-USDT', 'COINBASE:BTC-USD=BTC']);
    expect([...maps.get('BINANCE')!]).toEqual([
      ['BTCUSDT', 'BTC-USDT'],
      ['ETHUSDT', 'ETH-USDT'],
    ]);
    expect(maps.get('COINBASE')?.get('BTC-USD')).toBe('BTC');
  });

  it.each([
    ['BTCUSDT=BTC', /must start with the venue/],
    ['BINANCE:BTCUSDT', /VENUE:SYMBOL=NEW-NAME/],
    ['BINANCE:BTCUSDT=X:Y', /new name/],
    ['BINANCE:BTCUSDT=', /new name/],
  ])('refuses "%s"', (entry, message) => {
    expect(() => parseSymbolMapEntries([entry])).toThrow(message);
  });

  it('refuses mapping one symbol to two names', () => {
    expect(() => parseSymbolMapEntries(['A:X=Y', 'A:X=Z'])).toThrow(/already mapped to Y/);
  });

  it('builds a map from a config object and checks it', () => {
    expect(symbolMapFromRecord('B', { BTCUSDT: 'BTC-USDT' }).get('BTCUSDT')).toBe('BTC-USDT');
    expect(() => symbolMapFromRecord('B', { BTCUSDT: 5 })).toThrow(TypeError);
    expect(() => symbolMapFromRecord('B', ['x'])).toThrow(TypeError);
  });
});

describe('Normaliser naming', () => {
  it('names instruments VENUE:SYMBOL after the symbol map, while ticks keep the adapter symbol', async () => {
    const { normaliser, ticks, bus } = normalisedStream();
    const { sink } = normaliser.open({ adapter: 'test', venue: 'BINANCE', symbolMap: new Map([['BTCUSDT', 'BTC-USDT']]) });
    sink.instruments([
      { symbol: 'BTCUSDT', priceDecimals: 8, sizeDecimals: 8 },
      { symbol: 'ETHUSDT', priceDecimals: 8, sizeDecimals: 8 },
    ]);
    sink.trade({ symbol: 'BTCUSDT', price: '25.35190000', size: '1', side: 'buy' });
    normaliser.flush();
    expect(bus.instruments().map((i) => [i.symbol, i.venue])).toEqual([
      ['BINANCE:BTC-USDT', 'BINANCE'],
      ['BINANCE:ETHUSDT', 'BINANCE'],
    ]);
    expect(ticks).toHaveLength(1);
    expect(ticks[0]).toMatchObject({ instrumentId: 1, price: 2_535_190_000 });
  });

  it('applies a map entry typed in another case than the adapter symbol, an exact entry first', () => {
    const { normaliser, bus } = normalisedStream();
    const symbolMap = parseSymbolMapEntries(['BINANCE:btcusdt=BTC-USDT,BINANCE:ethusdt=ETH-LOWER,BINANCE:ETHUSDT=ETH-EXACT']).get(
      'BINANCE',
    );
    const { sink } = normaliser.open({ adapter: 'test', venue: 'BINANCE', symbolMap });
    sink.instruments([
      { symbol: 'BTCUSDT', priceDecimals: 8, sizeDecimals: 8 },
      { symbol: 'ETHUSDT', priceDecimals: 8, sizeDecimals: 8 },
    ]);
    expect(bus.instruments().map((i) => i.symbol)).toEqual(['BINANCE:BTC-USDT', 'BINANCE:ETH-EXACT']);
  });

  it('lets two venues list the same symbol', () => {
    const { normaliser, bus } = normalisedStream();
    normaliser.open({ adapter: 'a', venue: 'SIM' }).sink.instruments([{ symbol: 'BTC-USD', priceDecimals: 2, sizeDecimals: 8 }]);
    normaliser.open({ adapter: 'b', venue: 'COINBASE' }).sink.instruments([{ symbol: 'BTC-USD', priceDecimals: 8, sizeDecimals: 8 }]);
    expect(bus.instruments().map((i) => i.symbol)).toEqual(['SIM:BTC-USD', 'COINBASE:BTC-USD']);
    expect(normaliser.stats().rejected).toEqual({});
  });

  it('does not prefix a symbol that already carries the venue', () => {
    const { normaliser, bus } = normalisedStream();
    normaliser.open({ adapter: 'a', venue: 'SIM' }).sink.instruments([{ symbol: 'SIM:AAPL', priceDecimals: 2, sizeDecimals: 0 }]);
    expect(bus.instruments()[0]?.symbol).toBe('SIM:AAPL');
  });

  it.each(['', 'MY VENUE', 'A:B', 'x'.repeat(33), 42])('refuses the venue name %j', (venue) => {
    const { normaliser } = normalisedStream();
    expect(() => normaliser.open({ adapter: 'a', venue: venue as string })).toThrow(TypeError);
  });

  it('ignores a closed sink and counts rejections per source across sinks sharing a key', () => {
    const { normaliser, ticks } = normalisedStream();
    const first = normaliser.open({ adapter: 'a', venue: 'V' });
    first.sink.instruments([{ symbol: 'X', priceDecimals: 2, sizeDecimals: 0 }]);
    first.sink.trade({ symbol: 'X', price: Number.NaN, size: 1, side: 'buy' });
    first.close();
    first.sink.trade({ symbol: 'X', price: '1.00', size: 1, side: 'buy' });
    const second = normaliser.open({ adapter: 'a', venue: 'V', key: first.key });
    second.sink.instruments([{ symbol: 'X', priceDecimals: 2, sizeDecimals: 0 }]);
    second.sink.trade({ symbol: 'X', price: Number.NaN, size: 1, side: 'buy' });
    second.sink.trade({ symbol: 'X', price: '1.00', size: 1, side: 'buy' });
    normaliser.flush();
    expect(ticks).toHaveLength(1);
    expect(normaliser.rejectedFor(first.key)).toEqual({ 'bad-price': 2 });
    expect(normaliser.stats().rejectedBySource).toEqual({ 'a@V': { 'bad-price': 2 } });
  });

  it('hands status and activity to the hooks instead of publishing them', () => {
    const { normaliser, bus } = normalisedStream();
    const seen: string[] = [];
    const { sink } = normaliser.open(
      { adapter: 'a', venue: 'V' },
      { onStatus: (s, r) => seen.push(`${s}:${r}`), onActivity: () => seen.push('activity') },
    );
    sink.instruments([{ symbol: 'X', priceDecimals: 2, sizeDecimals: 0 }]);
    sink.status('down', 'because');
    sink.heartbeat();
    sink.quote({ symbol: 'X', bid: 1, bidSize: 1, ask: 2, askSize: 1 });
    expect(seen).toEqual(['down:because', 'activity', 'activity']);
    expect(bus.status()).toEqual([]);
  });
});
