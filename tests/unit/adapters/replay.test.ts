import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NdjsonRecorder } from '../../../server/adapters/recorder';
import { REPLAY_DEFAULTS, ReplayAdapter, SAMPLE_RECORDING } from '../../../server/adapters/replay';
import { parseIsoMicros } from '../../../lib/text/iso-time';
import { SimulatedAdapter } from '../../../server/adapters/simulated';
import { createLogger } from '../../../server/log';
import { normalisedStream, recordingSink, sleep, waitFor } from './support';

const dir = mkdtempSync(join(tmpdir(), 'tickwire-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: readonly (string | object)[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const BASE_US = 1_714_564_800_000_000; // 2024-05-01T12:00:00Z
const iso = (offsetMs: number) => new Date(BASE_US / 1000 + offsetMs).toISOString();

/** Eleven trades of one instrument, 100 ms apart (1 s in all), prices 100.00 .. 100.10. */
const TEN_STEPS = file('ten-steps.ndjson', [
  { type: 'instrument', symbol: 'SIM:A', assetClass: 'equity', priceDecimals: 2, sizeDecimals: 0 },
  ...Array.from({ length: 11 }, (_, i) => ({
    type: 'trade',
    symbol: 'SIM:A',
    time: iso(i * 100),
    price: (100 + i / 100).toFixed(2),
    size: '1',
    side: i % 2 ? 'sell' : 'buy',
    tradeId: i + 1,
  })),
]);

describe('ReplayAdapter', () => {
  describe('constructor', () => {
    it.each([
      [{ file: join(dir, 'missing.ndjson') }, /file must be an existing file/],
      [{ file: TEN_STEPS, speed: 0.5 }, /speed must be a number from 1 to 1000/],
      [{ file: TEN_STEPS, speed: 1001 }, /speed/],
      [{ file: TEN_STEPS, loop: 'yes' }, /loop must be a boolean/],
      [{ file: TEN_STEPS, format: 'xml' }, /format/],
      [{ file: TEN_STEPS, rate: 5 }, /rate.*unknown option/],
      [{ file: TEN_STEPS, maxFileBytes: 10 }, /at most maxFileBytes/],
    ])('names the bad option in %j', (options, message) => {
      expect(() => new ReplayAdapter(options as never)).toThrow(message);
    });

    it('defaults to the bundled sample, which is small', () => {
      expect(new ReplayAdapter().options.file).toBe(SAMPLE_RECORDING);
      expect(REPLAY_DEFAULTS.venue).toBe('REPLAY');
      expect(readFileSync(SAMPLE_RECORDING).length).toBeLessThan(200 * 1024);
    });
  });

  describe('#start', () => {
    it('plays the file in order at the asked speed, moving event times to the present', async () => {
      const { sink, of, statuses } = recordingSink();
      const adapter = new ReplayAdapter({ file: TEN_STEPS, speed: 10 });
      const wallStart = Date.now();
      await adapter.start(sink);
      await waitFor(() => of('trade').length === 11, '11 trades', 2000);
      const wallMs = Date.now() - wallStart;
      const trades = of('trade') as { price: string; eventTimeUs: number; tradeId: number; side: string }[];
      expect(trades.map((t) => t.tradeId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(trades.map((t) => t.price)).toEqual([
        '100.00',
        '100.01',
        '100.02',
        '100.03',
        '100.04',
        '100.05',
        '100.06',
        '100.07',
        '100.08',
        '100.09',
        '100.10',
      ]);
      // 100 ms apart in the file, 10 ms apart at 10x; the first is stamped with the start time.
      expect(trades.map((t) => t.eventTimeUs - trades[0]!.eventTimeUs)).toEqual(Array.from({ length: 11 }, (_, i) => i * 10_000));
      expect(Math.abs(trades[0]!.eventTimeUs / 1000 - wallStart)).toBeLessThan(500);
      expect(wallMs).toBeGreaterThanOrEqual(95);
      expect(wallMs).toBeLessThan(1000);
      expect(of('instruments')).toEqual([[{ symbol: 'A', assetClass: 2, priceDecimals: 2, sizeDecimals: 0 }]]);
      await waitFor(() => statuses().length === 3, 'end status');
      expect(statuses()).toEqual(['connecting', 'live', 'down: end of recording: 11 ticks replayed']);
      expect(adapter.stats()).toMatchObject({ emitted: 11, finished: 1, loops: 0 });
      await adapter.stop();
    });

    it('takes about the recorded time at 1x', async () => {
      const { sink, of } = recordingSink();
      const adapter = new ReplayAdapter({ file: TEN_STEPS });
      const start = Date.now();
      await adapter.start(sink);
      await sleep(500);
      const halfway = of('trade').length;
      const elapsedMs = Date.now() - start;
      await waitFor(() => of('trade').length === 11, 'all trades', 3000);
      // One trade per 100 ms of wall time (the first at once), give or take a timer period.
      const due = Math.min(11, Math.floor(elapsedMs / 100) + 1);
      expect(Math.abs(halfway - due)).toBeLessThanOrEqual(1);
      expect(halfway).toBeLessThan(11);
      expect(Date.now() - start).toBeGreaterThanOrEqual(990);
      await adapter.stop();
    });

    it('keeps file order when a timestamp goes backwards', async () => {
      const path = file('backwards.ndjson', [
        { type: 'trade', symbol: 'A', time: iso(0), price: '1.00', size: '1', side: 'buy', tradeId: 1 },
        { type: 'trade', symbol: 'A', time: iso(50), price: '1.01', size: '1', side: 'buy', tradeId: 2 },
        { type: 'trade', symbol: 'A', time: iso(20), price: '1.02', size: '1', side: 'buy', tradeId: 3 },
      ]);
      const { sink, of } = recordingSink();
      const adapter = new ReplayAdapter({ file: path, speed: 100 });
      await adapter.start(sink);
      await waitFor(() => of('trade').length === 3, 'trades');
      const trades = of('trade') as { tradeId: number; eventTimeUs: number }[];
      expect(trades.map((t) => t.tradeId)).toEqual([1, 2, 3]);
      expect(trades[2]!.eventTimeUs).toBe(trades[1]!.eventTimeUs);
      await adapter.stop();
    });

    it('loops forever when asked, a pass at a time', async () => {
      const { sink, of, statuses } = recordingSink();
      const adapter = new ReplayAdapter({ file: TEN_STEPS, speed: 1000, loop: true });
      await adapter.start(sink);
      await waitFor(() => of('trade').length >= 33, 'three passes');
      const ids = (of('trade') as { tradeId: number }[]).slice(0, 33).map((t) => t.tradeId);
      expect(ids).toEqual([
        ...Array.from({ length: 11 }, (_, i) => i + 1),
        ...Array.from({ length: 11 }, (_, i) => i + 1),
        ...Array.from({ length: 11 }, (_, i) => i + 1),
      ]);
      expect(adapter.stats().loops).toBeGreaterThanOrEqual(2);
      expect(statuses()).not.toContainEqual(expect.stringMatching(/^down/));
      await adapter.stop();
    });

    it('plays one recorded venue of several when told which, and refuses to guess', async () => {
      const path = file('two-venues.ndjson', [
        { type: 'trade', symbol: 'SIM:BTC-USD', timeUs: BASE_US, price: '1.00', size: '1', side: 'buy' },
        { type: 'trade', symbol: 'COINBASE:BTC-USD', timeUs: BASE_US, price: '2.00', size: '1', side: 'buy' },
      ]);
      await expect(new ReplayAdapter({ file: path }).start(recordingSink().sink)).rejects.toThrow(
        /BTC-USD from several venues \(SIM, COINBASE\).*sourceVenue/,
      );
      const { sink, of } = recordingSink();
      const adapter = new ReplayAdapter({ file: path, sourceVenue: 'COINBASE', speed: 1000 });
      await adapter.start(sink);
      await waitFor(() => of('trade').length === 1, 'trade');
      expect(of('trade')[0]).toMatchObject({ symbol: 'BTC-USD', price: '2.00' });
      await adapter.stop();
    });

    it('rejects a file without a usable tick, and counts skipped lines', async () => {
      const path = file('empty.ndjson', ['garbage', '{"type":"trade"}']);
      const warnings: Record<string, unknown>[] = [];
      const logger = createLogger({ level: 'warn', write: (line) => warnings.push(JSON.parse(line) as Record<string, unknown>) });
      const adapter = new ReplayAdapter({ file: path, logger });
      await expect(adapter.start(recordingSink().sink)).rejects.toThrow(/no trades or quotes to replay/);
      expect(adapter.stats().skippedLines).toBe(2);
      expect(warnings.map((w) => [w.problem, w.count, w.firstLine])).toEqual([
        ['malformed-json', 1, 1],
        ['missing-symbol', 1, 2],
      ]);
    });

    it('skips an instrument line with decimals outside 0..18, counted and logged with its line, and plays its trades as undeclared', async () => {
      const path = file('bad-decimals.ndjson', [
        { type: 'trade', symbol: 'SIM:OK', timeUs: BASE_US, price: '5.0', size: '1', side: 'buy' },
        { type: 'instrument', symbol: 'SIM:A', assetClass: 'equity', priceDecimals: 25, sizeDecimals: 0 },
        ...Array.from({ length: 3 }, (_, i) => ({
          type: 'trade',
          symbol: 'SIM:A',
          timeUs: BASE_US + i + 1,
          price: `10${i}.25`,
          size: '3',
          side: 'sell',
        })),
      ]);
      const warnings: Record<string, unknown>[] = [];
      const logger = createLogger({ level: 'warn', write: (line) => warnings.push(JSON.parse(line) as Record<string, unknown>) });
      const { normaliser, ticks, bus } = normalisedStream();
      const adapter = new ReplayAdapter({ file: path, speed: 1000, logger });
      await normaliser.attach(adapter);
      await waitFor(() => adapter.stats().finished === 1, 'the end of the file');
      normaliser.flush();
      expect(adapter.stats().skippedLines).toBe(1);
      expect(warnings.map((w) => [w.msg, w.problem, w.count, w.firstLine])).toEqual([
        ['skipped unusable lines in recording', 'bad-instrument', 1, 2],
      ]);
      expect(bus.instruments().map((i) => [i.symbol, i.assetClass, i.priceDecimals, i.sizeDecimals])).toEqual([
        ['REPLAY:OK', 0, 1, 0],
        ['REPLAY:A', 0, 2, 0],
      ]);
      expect(ticks).toHaveLength(4);
      expect(normaliser.stats().rejected).toEqual({});
      await normaliser.detachAll();
    });

    it('plays a CSV file with exact decimals through the normaliser', async () => {
      const path = join(dir, 'quotes.csv');
      writeFileSync(
        path,
        `time,symbol,bid,bid_size,ask,ask_size\n${iso(0)},EURUSD,1.08341,1000000,1.08345,2000000\n${iso(10)},EURUSD,1.08342,1000000,1.08346,500000\n`,
      );
      const { normaliser, ticks, bus } = normalisedStream();
      await normaliser.attach(new ReplayAdapter({ file: path, speed: 1000, venue: 'FX' }));
      await waitFor(() => ticks.length === 2, 'two quotes');
      expect(bus.instruments().map((i) => [i.symbol, i.priceDecimals, i.sizeDecimals])).toEqual([['FX:EURUSD', 5, 0]]);
      expect(ticks.map((t) => (t.kind === 'quote' ? [t.bid, t.ask, t.askSize] : []))).toEqual([
        [108_341, 108_345, 2_000_000],
        [108_342, 108_346, 500_000],
      ]);
      await normaliser.detachAll();
    });

    it('plays the bundled sample out of the box with nothing rejected', async () => {
      const { normaliser, ticks } = normalisedStream();
      const adapter = new ReplayAdapter({ speed: 1000 });
      await normaliser.attach(adapter);
      await waitFor(() => adapter.stats().finished === 1, 'the end of the sample', 5000);
      normaliser.flush();
      expect(normaliser.stats().rejected).toEqual({});
      expect(ticks.length).toBe(adapter.stats().emitted);
      expect(ticks.length).toBeGreaterThan(500);
      expect(normaliser.instruments().map((i) => i.symbol)).toEqual([
        'REPLAY:BTC-USD',
        'REPLAY:ETH-USD',
        'REPLAY:SOL-USD',
        'REPLAY:XRP-USD',
      ]);
      await normaliser.detachAll();
    });
  });
});

describe('record, then replay', () => {
  it('gives the same normalised stream: symbols, exact prices and sizes, sides, ids, and time spacing / speed', async () => {
    // Record 400 ms of a busy simulated market.
    const source = normalisedStream();
    const recorded: string[] = [];
    const recorder = new NdjsonRecorder(source.bus, (line) => recorded.push(line));
    await source.normaliser.attach(new SimulatedAdapter({ seed: 3, instruments: 5, ratePerInstrument: 200, bursts: false }));
    await sleep(400);
    await source.normaliser.detachAll();
    recorder.close();
    const path = file('recorded.ndjson', recorded);
    const ticksRecorded = recorded.filter((l) => !l.includes('"instrument"'));
    expect(ticksRecorded.length).toBeGreaterThan(200);

    // Replay it at 50x under the same venue and record the replayed stream the same way.
    const speed = 50;
    const replayed = normalisedStream();
    const again: string[] = [];
    const recorder2 = new NdjsonRecorder(replayed.bus, (line) => again.push(line));
    const adapter = new ReplayAdapter({ file: path, speed, venue: 'SIM' });
    await replayed.normaliser.attach(adapter);
    await waitFor(() => adapter.stats().finished === 1, 'end of replay', 5000);
    replayed.normaliser.flush();
    recorder2.close();
    await replayed.normaliser.detachAll();

    const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const withoutTime = (records: Record<string, unknown>[]) => records.map(({ time: _time, ...rest }) => rest);
    const a = parse(recorded);
    const b = parse(again);
    expect(withoutTime(b)).toEqual(withoutTime(a));
    // Time: the replay keeps the spacing, divided by the speed.
    const times = (records: Record<string, unknown>[]) =>
      records.filter((r) => r.type !== 'instrument').map((r) => parseIsoMicros(r.time) as number);
    const ta = times(a);
    const tb = times(b);
    const spacingA = ta.map((t) => (t - ta[0]!) / speed);
    const spacingB = tb.map((t) => t - tb[0]!);
    spacingB.forEach((s, i) => expect(Math.abs(s - spacingA[i]!)).toBeLessThanOrEqual(1));
    expect(replayed.normaliser.stats().rejected).toEqual({});
  });
});
