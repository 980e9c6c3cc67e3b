import { describe, expect, it } from 'vitest';
import { alignBarOpenTime, US_PER_SECOND } from '../../../lib/market/bars';
import { parseDecimal } from '../../../lib/market/decimal';
import { SIM_CATALOGUE, simInstruments, type SimInstrumentSpec } from '../../../server/adapters/sim-catalogue';
import { SimHistory, SIM_HISTORY_EPOCH_MS } from '../../../server/adapters/sim-history';
import { SimulatedAdapter } from '../../../server/adapters/simulated';
import type { AdapterBar, AdapterHistoryRequest, AdapterQuote, AdapterSink, AdapterTrade } from '../../../server/adapters/types';
import { rollUpBars } from '../../../server/history/rollup';
import type { StoredBar } from '../../../server/history/store/types';

const MIN = 60 * US_PER_SECOND;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2026-12-07 09:41:27.5 UTC. */
const NOW_MS = Date.UTC(2026, 11, 7, 9, 41, 27, 500);

async function collect(adapter: SimulatedAdapter, request: Omit<AdapterHistoryRequest, 'signal'>): Promise<AdapterBar[]> {
  const out: AdapterBar[] = [];
  for await (const page of adapter.history({ ...request, signal: new AbortController().signal })) out.push(...page);
  return out;
}

function mantissa(value: string | number, decimals: number): number {
  const m = parseDecimal(String(value), decimals);
  if (m === undefined) throw new Error(`not exact: ${value} at ${decimals}`);
  return m;
}

function asStored(bar: AdapterBar, spec: SimInstrumentSpec, interval: 1 | 5 | 60): StoredBar {
  const p = spec.priceDecimals;
  return {
    symbol: spec.symbol,
    seq: 0,
    eventTimeUs: 0,
    receiveTimeUs: 0,
    interval,
    openTimeUs: bar.openTimeUs,
    open: mantissa(bar.open, p),
    high: mantissa(bar.high, p),
    low: mantissa(bar.low, p),
    close: mantissa(bar.close, p),
    volume: mantissa(bar.volume, spec.sizeDecimals),
    tradeCount: bar.tradeCount ?? 0,
    vwap: mantissa(bar.vwap ?? bar.close, p),
  };
}

function sinkFor(first: { trade?: AdapterTrade; quote?: AdapterQuote }): AdapterSink {
  return {
    instruments: () => {},
    trade: (t) => (first.trade ??= t),
    quote: (q) => (first.quote ??= q),
    status: () => {},
    heartbeat: () => {},
  };
}

describe('SimHistory', () => {
  it('gives the same bars for the same seed and UTC minutes, whenever asked and however split', () => {
    const spec = SIM_CATALOGUE[0] as SimInstrumentSpec;
    const start = Date.UTC(2026, 10, 1) * 1000;
    const whole = [...new SimHistory(7, spec).minuteBars(start, start + 3 * DAY)].flat();
    const a = new SimHistory(7, spec);
    // A later-started instance asked for the end first, then the start: the same bars.
    const tail = [...a.minuteBars(start + DAY + 17 * MIN, start + 3 * DAY)].flat();
    const head = [...a.minuteBars(start, start + DAY + 17 * MIN)].flat();
    expect([...head, ...tail]).toEqual(whole);
    expect(whole).toHaveLength(3 * 1440);
    const other = [...new SimHistory(8, spec).minuteBars(start, start + DAY)].flat();
    expect(other).not.toEqual(whole.slice(0, 1440));
  });

  it('makes valid bars: low <= open/close <= high, on the tick and lot grids, volume and trades > 0, continuous', () => {
    const problems: string[] = [];
    for (const spec of simInstruments(24)) {
      const bars = [...new SimHistory(1, spec).minuteBars(Date.UTC(2026, 9, 1) * 1000, Date.UTC(2026, 9, 4) * 1000)].flat();
      bars.forEach((b, i) => {
        const ok =
          b.low <= Math.min(b.open, b.close) &&
          b.high >= Math.max(b.open, b.close) &&
          b.low > 0 &&
          b.volume > 0 &&
          b.tradeCount > 0 &&
          b.vwap >= b.low &&
          b.vwap <= b.high &&
          [b.open, b.high, b.low, b.close].every((p) => p % spec.tickSize === 0) &&
          b.volume % spec.lotSize === 0 &&
          (i === 0 || b.open === bars[i - 1]?.close);
        if (!ok) problems.push(`${spec.symbol} ${i} ${JSON.stringify(b)}`);
      });
      // Not flat: the walk moves.
      expect(new Set(bars.map((b) => b.close)).size).toBeGreaterThan(20);
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('stays near the catalogue level over years and starts at its epoch', () => {
    for (const spec of SIM_CATALOGUE) {
      const h = new SimHistory(3, spec);
      const { price } = h.stateAt(NOW_MS * 1000);
      expect(price / spec.initialPrice).toBeGreaterThan(0.3);
      expect(price / spec.initialPrice).toBeLessThan(3);
      expect([...h.minuteBars(SIM_HISTORY_EPOCH_MS * 1000 - DAY, SIM_HISTORY_EPOCH_MS * 1000 + 2 * MIN)].flat()[0]?.open).toBe(
        spec.initialPrice,
      );
    }
  });

  it('makes 1s and 5s bars that agree with their 1m bar exactly', () => {
    for (const spec of [...simInstruments(22)].filter((_, i) => i % 5 === 0 || i === 21)) {
      const h = new SimHistory(11, spec);
      const from = Date.UTC(2026, 11, 1, 13) * 1000;
      const minutes = [...h.minuteBars(from, from + 10 * MIN)].flat();
      const seconds = [...h.secondBars(1, from, from + 10 * MIN)].flat();
      const fives = [...h.secondBars(5, from, from + 10 * MIN)].flat();
      expect(seconds).toHaveLength(600);
      expect(fives).toHaveLength(120);
      const stored = (bars: typeof minutes, interval: 1 | 5 | 60): StoredBar[] =>
        bars.map((b) => ({ ...b, symbol: '', seq: 0, eventTimeUs: 0, receiveTimeUs: 0, interval }));
      const strip = (b: StoredBar) => [b.openTimeUs, b.open, b.high, b.low, b.close, b.volume, b.tradeCount];
      expect(rollUpBars(stored(seconds, 1), '', 60).map(strip)).toEqual(stored(minutes, 60).map(strip));
      expect(rollUpBars(stored(fives, 5), '', 60).map(strip)).toEqual(stored(minutes, 60).map(strip));
      for (const b of seconds) expect(b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close) && b.volume > 0).toBe(true);
    }
  });
});

describe('SimulatedAdapter#history', () => {
  it('serves 1m bars as exact decimals up to the live start, and 1s/5s for the last hour', async () => {
    const adapter = new SimulatedAdapter({ seed: 4, instruments: 3 }, { nowMs: () => NOW_MS });
    const spec = SIM_CATALOGUE[1] as SimInstrumentSpec;
    const to = alignBarOpenTime(NOW_MS * 1000, 60);
    const bars = await collect(adapter, { symbol: spec.symbol, interval: 60, startUs: to - 2 * DAY, endUs: to + HOUR });
    expect(bars).toHaveLength(2 * 1440);
    expect(bars[bars.length - 1]?.openTimeUs).toBe(to - MIN);
    const stored = bars.map((b) => asStored(b, spec, 60));
    expect(stored.every((b) => b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close) && b.volume > 0)).toBe(true);
    expect(await collect(adapter, { symbol: spec.symbol, interval: 1, startUs: to - HOUR, endUs: to })).toHaveLength(3600);
    expect(await collect(adapter, { symbol: spec.symbol, interval: 5, startUs: to - HOUR, endUs: to })).toHaveLength(720);
    expect(await collect(adapter, { symbol: spec.symbol, interval: 3600, startUs: to - DAY, endUs: to })).toEqual([]);
    expect(await collect(adapter, { symbol: 'NOPE', interval: 60, startUs: to - DAY, endUs: to })).toEqual([]);
  });

  it('continues into the live walk: first live price = last historical close (within the spread), regime carried', async () => {
    for (const seed of [1, 2, 3]) {
      const adapter = new SimulatedAdapter({ seed, instruments: 20, tickIntervalMs: 1000 }, { nowMs: () => NOW_MS });
      const first: { trade?: AdapterTrade; quote?: AdapterQuote } = {};
      const symbol = 'BTC-USD';
      const spec = SIM_CATALOGUE[0] as SimInstrumentSpec;
      const firsts = new Map<string, AdapterQuote>();
      const sink = sinkFor(first);
      sink.quote = (q) => {
        if (!firsts.has(q.symbol)) firsts.set(q.symbol, q);
      };
      await adapter.start(sink);
      await adapter.stop();
      const to = alignBarOpenTime(NOW_MS * 1000, 60);
      // The adapter serves no bar at or after the live start, even when asked.
      const bars = await collect(adapter, { symbol, interval: 60, startUs: to - HOUR, endUs: to + HOUR });
      const last = asStored(bars[bars.length - 1] as AdapterBar, spec, 60);
      expect(last.openTimeUs).toBe(to - MIN);
      for (const s of SIM_CATALOGUE) {
        const q = firsts.get(s.symbol) as AdapterQuote;
        const hist = await collect(adapter, { symbol: s.symbol, interval: 60, startUs: to - MIN, endUs: to });
        const close = mantissa((hist[0] as AdapterBar).close, s.priceDecimals);
        const mid = (mantissa(q.bid, s.priceDecimals) + mantissa(q.ask, s.priceDecimals)) / 2;
        // The first quote is centred on the last close: within half the spread plus one tick.
        const spread = mantissa(q.ask, s.priceDecimals) - mantissa(q.bid, s.priceDecimals);
        expect(Math.abs(mid - close)).toBeLessThanOrEqual(spread / 2 + s.tickSize);
      }
      const history = adapter.historyOf(symbol);
      expect(history?.stateAt(to).price).toBe(last.close);
    }
  });

  it('hands its state to the live simulator: same start price and variance', async () => {
    const { MarketSimulator } = await import('../../../server/adapters/market-simulator');
    const spec = SIM_CATALOGUE[2] as SimInstrumentSpec;
    const state = new SimHistory(9, spec).stateAt(NOW_MS * 1000);
    const sim = new MarketSimulator({
      seed: 9,
      instruments: [spec],
      ratePerInstrument: 5,
      tradeRatio: 0.3,
      bursts: true,
      initialStates: [{ mid: state.price, variance: state.variance }],
    });
    expect(sim.regime(0)).toMatchObject({ mid: state.price, variance: state.variance });
    expect(state.variance).not.toBe(1);
  });
});
