import { describe, expect, it } from 'vitest';
import { AssetClass, Side } from '../../../lib/market/types';
import { splitCsvLine } from '../../../server/adapters/csv';
import { formatIsoMicros, parseIsoMicros } from '../../../lib/text/iso-time';
import { readRecord, tickLine } from '../../../server/adapters/recording-format';
import { parseRecording, recordingFormatOf } from '../../../server/adapters/recording-reader';

describe('parseIsoMicros / formatIsoMicros', () => {
  it('keeps microseconds that Date.parse would drop', () => {
    expect(parseIsoMicros('2022-10-19T23:28:22.061769Z')).toBe(1_666_222_102_061_769);
    expect(parseIsoMicros('2014-11-07T08:19:27.028459Z')).toBe(1_415_348_367_028_459);
    expect(parseIsoMicros('2022-10-19T23:28:22Z')).toBe(1_666_222_102_000_000);
    expect(parseIsoMicros('2022-10-19T23:28:22.5+01:00')).toBe(1_666_218_502_500_000);
    expect(parseIsoMicros('2022-10-19T23:28:22.123456789Z')).toBe(1_666_222_102_123_456);
  });

  it('returns undefined for anything else', () => {
    for (const text of ['', 'yesterday', '2022-10-19', '2022-10-19 23:28:22Z', 12, null]) expect(parseIsoMicros(text)).toBeUndefined();
  });

  it('round-trips', () => {
    for (const us of [0, 1_666_222_102_061_769, 1_700_000_000_000_001]) expect(parseIsoMicros(formatIsoMicros(us))).toBe(us);
  });
});

describe('splitCsvLine', () => {
  it('splits on commas and honours quotes and doubled quotes', () => {
    expect(splitCsvLine('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvLine('"x,y","say ""hi""",z')).toEqual(['x,y', 'say "hi"', 'z']);
    expect(splitCsvLine('"open')).toBeUndefined();
  });
});

describe('readRecord', () => {
  it('reads trades, quotes and instruments, the venue from the symbol prefix', () => {
    expect(
      readRecord({
        type: 'trade',
        symbol: 'SIM:BTC-USD',
        time: '2024-05-01T12:00:00.000001Z',
        price: '1.50',
        size: '2',
        side: 'BUY',
        tradeId: 7,
      }),
    ).toEqual({
      type: 'trade',
      venue: 'SIM',
      symbol: 'BTC-USD',
      timeUs: 1_714_564_800_000_001,
      price: '1.50',
      size: '2',
      side: 'buy',
      tradeId: 7,
    });
    expect(readRecord({ symbol: 'X', timeMs: '1000', bid: '1', bid_size: '2', ask: '3', ask_size: '4' })).toMatchObject({
      type: 'quote',
      venue: '',
      timeUs: 1_000_000,
      bidSize: '2',
    });
    expect(readRecord({ type: 'instrument', symbol: 'A:B', assetClass: 'equity', priceDecimals: 2, sizeDecimals: 0 })).toMatchObject({
      venue: 'A',
      symbol: 'B',
      assetClass: AssetClass.Equity,
    });
  });

  it.each([
    [{ type: 'order', symbol: 'X' }, 'unknown-type'],
    [{ type: 'trade', time: '2024-05-01T12:00:00Z', price: '1', size: '1' }, 'missing-symbol'],
    [{ type: 'trade', symbol: 'X', time: 'soon', price: '1', size: '1' }, 'bad-time'],
    [{ type: 'trade', symbol: 'X', timeUs: 1, price: 'NaN', size: '1' }, 'missing-field'],
    [{ type: 'quote', symbol: 'X', timeUs: 1, bid: '1', ask: '2' }, 'missing-field'],
    [{ type: 'instrument', symbol: 'X', assetClass: 'tulips', priceDecimals: 2, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', assetClass: 'constructor', priceDecimals: 2, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: 19, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: 2, sizeDecimals: 19 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: -1, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: 2.5, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: '19', sizeDecimals: '0' }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: '-1', sizeDecimals: '0' }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: '', sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: null, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: true, sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', priceDecimals: [2], sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'X', sizeDecimals: 0 }, 'bad-instrument'],
    [{ type: 'instrument', symbol: 'SIM:', priceDecimals: 2, sizeDecimals: 0 }, 'missing-symbol'],
    [{ type: 'trade', symbol: 'SIM:', timeUs: 1, price: '1', size: '1' }, 'missing-symbol'],
    [{ type: 'instrument', symbol: 'SIM:BTC USD', priceDecimals: 2, sizeDecimals: 0 }, 'bad-symbol'],
    [{ type: 'instrument', symbol: `SIM:${'X'.repeat(65)}`, priceDecimals: 2, sizeDecimals: 0 }, 'bad-symbol'],
    [{ type: 'quote', symbol: 'SIM:A\u0000B', timeUs: 1, bid: '1', bidSize: '1', ask: '2', askSize: '1' }, 'bad-symbol'],
  ])('names the problem with %j', (record, problem) => {
    expect(readRecord(record)).toBe(problem);
  });

  it('accepts decimals 0..18 as numbers or, as CSV gives them, strings of digits', () => {
    expect(readRecord({ type: 'instrument', symbol: 'A', priceDecimals: 18, sizeDecimals: 0 })).toMatchObject({
      priceDecimals: 18,
      sizeDecimals: 0,
    });
    expect(readRecord({ type: 'instrument', symbol: 'A', priceDecimals: ' 18', sizeDecimals: '0' })).toMatchObject({
      priceDecimals: 18,
      sizeDecimals: 0,
    });
    expect(readRecord({ type: 'instrument', symbol: `A:${'X'.repeat(64)}`, priceDecimals: 2, sizeDecimals: 2 })).toMatchObject({
      venue: 'A',
      symbol: 'X'.repeat(64),
    });
  });
});

describe('tickLine', () => {
  it('writes exact decimals at the instrument precision and µs ISO times', () => {
    const instrument = {
      id: 1,
      symbol: 'BINANCE:BNBUSDT',
      venue: 'BINANCE',
      assetClass: AssetClass.Crypto,
      priceDecimals: 8,
      sizeDecimals: 8,
    };
    const quote = {
      kind: 'quote' as const,
      instrumentId: 1,
      seq: 1,
      eventTimeUs: 1_672_515_782_136_000,
      receiveTimeUs: 0,
      bid: 2_535_190_000,
      bidSize: 3_121_000_000,
      ask: 2_536_520_000,
      askSize: 4_066_000_000,
    };
    expect(JSON.parse(tickLine(quote, instrument))).toEqual({
      type: 'quote',
      symbol: 'BINANCE:BNBUSDT',
      time: '2022-12-31T19:43:02.136000Z',
      bid: '25.35190000',
      bidSize: '31.21000000',
      ask: '25.36520000',
      askSize: '40.66000000',
    });
    const trade = {
      kind: 'trade' as const,
      instrumentId: 1,
      seq: 2,
      eventTimeUs: 1,
      receiveTimeUs: 0,
      price: 100_000,
      size: 1,
      side: Side.Sell,
      tradeId: '',
    };
    expect(JSON.parse(tickLine(trade, instrument))).toEqual({
      type: 'trade',
      symbol: 'BINANCE:BNBUSDT',
      time: '1970-01-01T00:00:00.000001Z',
      price: '0.00100000',
      size: '0.00000001',
      side: 'sell',
    });
  });
});

describe('parseRecording', () => {
  it('reads NDJSON in file order, skipping and counting bad lines with the first line number', () => {
    const text = [
      '{"type":"instrument","symbol":"SIM:A","assetClass":"crypto","priceDecimals":2,"sizeDecimals":8}',
      '{"type":"trade","symbol":"SIM:A","time":"2024-05-01T12:00:01Z","price":"1.00","size":"1","side":"buy"}',
      'not json',
      '',
      '# a comment',
      '{"type":"quote","symbol":"SIM:A","time":"2024-05-01T12:00:00Z","bid":"0.99","bidSize":"1","ask":"1.01","askSize":"1"}',
      '{"type":"heartbeat"}',
      '[1,2]',
    ].join('\n');
    const recording = parseRecording(text, 'ndjson');
    expect(recording.instruments).toEqual([
      { type: 'instrument', venue: 'SIM', symbol: 'A', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 8 },
    ]);
    expect(recording.ticks.map((t) => t.type)).toEqual(['trade', 'quote']);
    expect([...recording.problems]).toEqual([
      ['malformed-json', { count: 2, firstLine: 3 }],
      ['unknown-type', { count: 1, firstLine: 7 }],
    ]);
  });

  it('skips an instrument line with decimals outside 0..18 as a bad line, and infers that instrument from its data', () => {
    const trades = [
      '{"type":"trade","symbol":"SIM:A","timeUs":1714564800000000,"price":"1.25","size":"0.5","side":"buy"}',
      '{"type":"trade","symbol":"SIM:A","timeUs":1714564800000001,"price":"1.5","size":"2","side":"sell"}',
    ];
    const text = [
      '{"type":"instrument","symbol":"SIM:A","assetClass":"crypto","priceDecimals":19,"sizeDecimals":8}',
      ...trades,
      '{"type":"instrument","symbol":"SIM:B","assetClass":"crypto","priceDecimals":-2,"sizeDecimals":8}',
      '{"type":"instrument","symbol":"SIM:","assetClass":"crypto","priceDecimals":2,"sizeDecimals":8}',
    ].join('\n');
    const recording = parseRecording(text, 'ndjson');
    expect([...recording.problems]).toEqual([
      ['bad-instrument', { count: 2, firstLine: 1 }],
      ['missing-symbol', { count: 1, firstLine: 5 }],
    ]);
    // Exactly what a recording of these trades without any instrument line gives.
    const inferred = parseRecording(trades.join('\n'), 'ndjson');
    expect(recording.instruments).toEqual(inferred.instruments);
    expect(recording.instruments).toEqual([
      { type: 'instrument', venue: 'SIM', symbol: 'A', assetClass: AssetClass.Other, priceDecimals: 2, sizeDecimals: 1 },
    ]);
    expect(recording.ticks).toEqual(inferred.ticks);
  });

  it('reads CSV with loose headers and quoted fields, inferring each symbol precision from its data', () => {
    const text = [
      'Time,Symbol,Price,Qty,Side,Trade_ID,Bid,Bid Size,Ask,Ask Size',
      '2024-05-01T12:00:00Z,AAPL,190.5,10,buy,1,,,,',
      '2024-05-01T12:00:01Z,AAPL,,,,,"190.49",100,190.52,"200"',
      '2024-05-01T12:00:02Z,EURUSD,1.08345,1000000,sell,x,,,,',
    ].join('\r\n');
    const recording = parseRecording(text, 'csv');
    expect(recording.problems.size).toBe(0);
    expect(recording.instruments.map((i) => [i.symbol, i.priceDecimals, i.sizeDecimals])).toEqual([
      ['AAPL', 2, 0],
      ['EURUSD', 5, 0],
    ]);
    expect(recording.ticks[1]).toMatchObject({ type: 'quote', bid: '190.49', bidSize: '100', ask: '190.52', askSize: '200' });
    expect(recording.ticks[2]).toMatchObject({ type: 'trade', side: 'sell', tradeId: 'x' });
  });

  it('infers the precision a number in exponent form needs, not the most there is', () => {
    // JSON.stringify writes 0.00000015 as 1.5e-7: 8 decimals, not 18 (at 18 a size of 0.5 is no safe mantissa).
    const text = [
      '{"type":"trade","symbol":"X:A","timeUs":1714564800000000,"price":100.5,"size":1.5e-7,"side":"buy"}',
      '{"type":"trade","symbol":"X:A","timeUs":1714564800000001,"price":1.25e2,"size":0.5,"side":"sell"}',
      '{"type":"trade","symbol":"X:B","timeUs":1714564800000002,"price":2.5e-10,"size":1e21,"side":"sell"}',
    ].join('\n');
    expect(parseRecording(text, 'ndjson').instruments.map((i) => [i.symbol, i.priceDecimals, i.sizeDecimals])).toEqual([
      ['A', 1, 8],
      ['B', 11, 0],
    ]);
  });

  it('reads lines ended by a lone CR (old Mac / "CSV (Macintosh)" exports) as lines', () => {
    const csv = parseRecording('time,symbol,price,size\r2024-05-01T12:00:00Z,AAPL,190.50,10\r2024-05-01T12:00:01Z,AAPL,190.51,5\r', 'csv');
    expect(csv.ticks.map((t) => t.type === 'trade' && t.price)).toEqual(['190.50', '190.51']);
    const ndjson = parseRecording(
      '{"type":"trade","symbol":"X:A","timeUs":1,"price":"1","size":"1"}\r{"type":"trade","symbol":"X:A","timeUs":2,"price":"2","size":"1"}',
      'ndjson',
    );
    expect(ndjson.ticks).toHaveLength(2);
    expect(ndjson.problems.size).toBe(0);
  });

  it('stops at a CSV header without a symbol column', () => {
    expect([...parseRecording('time,price\n1,2', 'csv').problems.keys()]).toEqual(['csv-header']);
  });

  it('tells the format from the extension', () => {
    expect(recordingFormatOf('x.CSV')).toBe('csv');
    expect(recordingFormatOf('x.ndjson')).toBe('ndjson');
    expect(recordingFormatOf('x.jsonl')).toBe('ndjson');
  });
});
