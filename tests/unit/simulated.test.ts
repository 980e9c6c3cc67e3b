import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../lib/market/decimal';
import { AssetClass } from '../../lib/market/types';
import { adapterNames, createAdapter } from '../../server/adapters';
import { MarketSimulator, type SimEvent, type SimQuote, type SimTrade } from '../../server/adapters/market-simulator';
import { SeededRandom } from '../../server/adapters/random';
import { SIM_CATALOGUE, simInstruments, type SimInstrumentSpec } from '../../server/adapters/sim-catalogue';
import { SimulatedAdapter } from '../../server/adapters/simulated';
import type { AdapterInstrument, AdapterQuote, AdapterSink, AdapterTrade } from '../../server/adapters/types';
import { InProcessBus } from '../../server/bus/in-process';
import { createLogger } from '../../server/log';
import { Normaliser } from '../../server/normaliser/normaliser';

function simulator(overrides: Partial<ConstructorParameters<typeof MarketSimulator>[0]> = {}) {
  return new MarketSimulator({
    seed: 1,
    instruments: simInstruments(20),
    ratePerInstrument: 5,
    tradeRatio: 0.3,
    bursts: true,
    ...overrides,
  });
}

function take(sim: MarketSimulator, count: number): SimEvent[] {
  return Array.from({ length: count }, () => sim.next());
}

function mantissaOf(text: string, decimals: number): number {
  const value = parseDecimal(text, decimals);
  if (value === undefined) throw new Error(`${text} is not exact at ${decimals} decimals`);
  return value;
}

/** A sink that records everything, in order. */
function recordingSink() {
  const events: { kind: string; value: unknown }[] = [];
  const sink: AdapterSink = {
    instruments: (list) => events.push({ kind: 'instruments', value: list }),
    trade: (trade) => events.push({ kind: 'trade', value: trade }),
    quote: (quote) => events.push({ kind: 'quote', value: quote }),
    status: (state, reason) => events.push({ kind: 'status', value: reason === undefined ? state : `${state}: ${reason}` }),
    heartbeat: () => events.push({ kind: 'heartbeat', value: undefined }),
  };
  return { sink, events };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds and streams', () => {
    const draw = (seed: number, stream = 0) => {
      const random = new SeededRandom(seed, stream);
      return Array.from({ length: 8 }, () => random.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 1)).not.toEqual(draw(42, 2));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws normals with mean ~0 and variance ~1', () => {
    const random = new SeededRandom(7);
    const xs = Array.from({ length: 20_000 }, () => random.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('simInstruments', () => {
  it('gives the twenty catalogue instruments by default, with realistic levels and precisions', () => {
    const list = simInstruments(20);
    expect(list).toEqual(SIM_CATALOGUE);
    const by = new Map(list.map((s) => [s.symbol, s]));
    expect(by.get('BTC-USD')).toMatchObject({ initialPrice: 6_000_000, priceDecimals: 2, sizeDecimals: 8, assetClass: AssetClass.Crypto });
    expect(by.get('SHIB-USD')).toMatchObject({ initialPrice: 1234, priceDecimals: 8 });
    expect(by.get('DOGE-USD')).toMatchObject({ initialPrice: 12_345, priceDecimals: 5 });
    expect(by.get('EUR/USD')).toMatchObject({ initialPrice: 108_500, priceDecimals: 5, assetClass: AssetClass.Fx });
    expect(by.get('USD/JPY')).toMatchObject({ initialPrice: 150_123, priceDecimals: 3 });
    expect(by.get('AAPL')).toMatchObject({ priceDecimals: 2, sizeDecimals: 0, assetClass: AssetClass.Equity });
    expect(by.get('ES-FUT')).toMatchObject({ tickSize: 25, assetClass: AssetClass.Future });
    expect(new Set(list.map((s) => s.assetClass)).size).toBeGreaterThanOrEqual(4);
  });

  it('adds plausible synthetic instruments beyond the catalogue, the same on every call', () => {
    const list = simInstruments(500);
    expect(list).toHaveLength(500);
    expect(new Set(list.map((s) => s.symbol)).size).toBe(500);
    expect(list[20]?.symbol).toBe('SYN0001-USD');
    expect(list[499]?.symbol).toBe('SYN0480-USD');
    for (const spec of list.slice(20)) {
      const level = spec.initialPrice / 10 ** spec.priceDecimals;
      expect(level).toBeGreaterThanOrEqual(0.1);
      expect(level).toBeLessThanOrEqual(3000);
    }
    expect(simInstruments(500)).toEqual(list);
  });

  it('refuses counts outside 1..10000', () => {
    expect(() => simInstruments(0)).toThrow(RangeError);
    expect(() => simInstruments(10_001)).toThrow(RangeError);
  });
});

describe('MarketSimulator', () => {
  describe('#next', () => {
    it('produces identical events for the same seed and different ones for another seed', () => {
      expect(take(simulator({ seed: 9 }), 3000)).toEqual(take(simulator({ seed: 9 }), 3000));
      expect(take(simulator({ seed: 9 }), 3000).slice(20)).not.toEqual(take(simulator({ seed: 10 }), 3000).slice(20));
    });

    it('starts with one quote per instrument at time 0 near the catalogue level', () => {
      const events = take(simulator(), 20);
      expect(events.map((e) => [e.kind, e.symbol, e.timeUs])).toEqual(SIM_CATALOGUE.map((s) => ['quote', s.symbol, 0]));
      for (const event of events as SimQuote[]) {
        const spec = SIM_CATALOGUE[event.index] as SimInstrumentSpec;
        const mid = (mantissaOf(event.bid, spec.priceDecimals) + mantissaOf(event.ask, spec.priceDecimals)) / 2;
        expect(Math.abs(mid / spec.initialPrice - 1)).toBeLessThan(0.01);
      }
    });

    it('keeps prices positive on the tick grid, bid below ask, and sizes positive on the lot grid', () => {
      const specs = simInstruments(60);
      const events = take(simulator({ instruments: specs }), 30_000);
      const violations: string[] = [];
      for (const event of events) {
        const spec = specs[event.index] as SimInstrumentSpec;
        const prices = event.kind === 'trade' ? [event.price] : [event.bid, event.ask];
        const sizes = event.kind === 'trade' ? [event.size] : [event.bidSize, event.askSize];
        for (const text of prices) {
          const price = parseDecimal(text, spec.priceDecimals);
          if (price === undefined || price <= 0 || price % spec.tickSize !== 0) violations.push(`${spec.symbol} price ${text}`);
        }
        for (const text of sizes) {
          const size = parseDecimal(text, spec.sizeDecimals);
          if (size === undefined || size <= 0 || size % spec.lotSize !== 0) violations.push(`${spec.symbol} size ${text}`);
        }
        if (event.kind === 'quote' && !(mantissaOf(event.bid, spec.priceDecimals) < mantissaOf(event.ask, spec.priceDecimals))) {
          violations.push(`${spec.symbol} crossed ${event.bid}/${event.ask}`);
        }
      }
      expect(violations).toEqual([]);
    });

    it('emits in time order at the configured rate and trade ratio', () => {
      const sim = simulator({ bursts: false, instruments: simInstruments(10) });
      const events = take(sim, 50_000);
      expect(events.every((e, i) => i === 0 || e.timeUs >= (events[i - 1] as SimEvent).timeUs)).toBe(true);
      const seconds = (events[events.length - 1] as SimEvent).timeUs / 1e6;
      expect(events.length / seconds / 10).toBeGreaterThan(4.8);
      expect(events.length / seconds / 10).toBeLessThan(5.2);
      const trades = events.filter((e) => e.kind === 'trade').length;
      expect(trades / events.length).toBeGreaterThan(0.28);
      expect(trades / events.length).toBeLessThan(0.32);
    });

    it('has activity bursts of several times the base rate when bursts are on', () => {
      const busiestSecond = (bursts: boolean) => {
        const sim = simulator({ bursts, instruments: simInstruments(5) });
        const perSecond = new Map<string, number>();
        while (sim.peekTimeUs() < 1800e6) {
          const event = sim.next();
          const key = `${event.index}:${Math.floor(event.timeUs / 1e6)}`;
          perSecond.set(key, (perSecond.get(key) ?? 0) + 1);
        }
        return Math.max(...perSecond.values());
      };
      expect(busiestSecond(false)).toBeLessThan(20);
      expect(busiestSecond(true)).toBeGreaterThanOrEqual(25);
    });

    it('prints trades with unique increasing ids per instrument and heavy-tailed sizes', () => {
      const events = take(simulator(), 40_000).filter((e): e is SimTrade => e.kind === 'trade' && e.symbol === 'BTC-USD');
      const ids = events.map((t) => t.tradeId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      const sizes = events.map((t) => Number(t.size)).sort((a, b) => a - b);
      const median = sizes[sizes.length >> 1] as number;
      expect(median).toBeGreaterThan(0.01);
      expect(median).toBeLessThan(0.04);
      expect(sizes[sizes.length - 1]).toBeGreaterThan(median * 10);
    });

    it('clusters volatility: a turbulent stretch is followed by another (realised variance autocorrelates)', () => {
      const sim = simulator({ bursts: false, instruments: simInstruments(1), ratePerInstrument: 2 });
      const mids = take(sim, 40_000)
        .filter((e): e is SimQuote => e.kind === 'quote')
        .map((q) => (Number(q.bid) + Number(q.ask)) / 2);
      const squared = mids.slice(1).map((m, i) => Math.log(m / (mids[i] as number)) ** 2);
      // Realised variance of blocks of 20 returns; i.i.d. returns would give an autocorrelation of ~0 +/- 0.03.
      const blocks: number[] = [];
      for (let i = 0; i + 20 <= squared.length; i += 20) blocks.push(squared.slice(i, i + 20).reduce((a, b) => a + b, 0));
      const mean = blocks.reduce((a, b) => a + b, 0) / blocks.length;
      let numerator = 0;
      let denominator = 0;
      for (let i = 0; i < blocks.length; i += 1) {
        denominator += ((blocks[i] as number) - mean) ** 2;
        if (i > 0) numerator += ((blocks[i] as number) - mean) * ((blocks[i - 1] as number) - mean);
      }
      expect(numerator / denominator).toBeGreaterThan(0.15);
    });
  });
});

describe('SimulatedAdapter', () => {
  describe('constructor', () => {
    it('names the invalid option', () => {
      expect(() => new SimulatedAdapter({ instruments: 0 })).toThrow(/instruments/);
      expect(() => new SimulatedAdapter({ tradeRatio: 2 })).toThrow(/tradeRatio/);
      expect(() => new SimulatedAdapter({ ratePerInstrument: -1 })).toThrow(/ratePerInstrument/);
      expect(() => new SimulatedAdapter({ rate: 5 } as never)).toThrow(/rate.*unknown option/);
      expect(() => new SimulatedAdapter({ seed: '1' as never })).toThrow(TypeError);
    });
  });

  describe('#start', () => {
    it('reports connecting, declares its instruments, goes live and sends a first quote per instrument at once', async () => {
      const adapter = new SimulatedAdapter();
      const { sink, events } = recordingSink();
      await adapter.start(sink);
      await adapter.stop();
      expect(events.slice(0, 3).map((e) => e.kind)).toEqual(['status', 'instruments', 'status']);
      expect(events[0]?.value).toBe('connecting');
      expect((events[1]?.value as AdapterInstrument[]).map((i) => i.symbol)).toEqual(SIM_CATALOGUE.map((s) => s.symbol));
      expect(events[2]?.value).toBe('live');
      expect(events.slice(3, 23).every((e) => e.kind === 'quote')).toBe(true);
      expect(events[events.length - 1]).toEqual({ kind: 'status', value: 'down: stopped' });
    });

    it('pumps about the configured rate in real time with wall-clock event times, and stops when told', async () => {
      const adapter = new SimulatedAdapter({ instruments: 100, ratePerInstrument: 200, bursts: false });
      const { sink, events } = recordingSink();
      const startUs = Date.now() * 1000;
      await adapter.start(sink);
      await sleep(300);
      await adapter.stop();
      const ticks = events.filter((e) => e.kind === 'trade' || e.kind === 'quote').map((e) => e.value as AdapterTrade | AdapterQuote);
      const elapsedS = (Date.now() * 1000 - startUs) / 1e6;
      // 20,000 updates/s expected; allow for a slow shared machine but catch a stalled or runaway pump.
      expect(ticks.length).toBeGreaterThan(20_000 * elapsedS * 0.5);
      expect(ticks.length).toBeLessThan(20_000 * elapsedS * 1.2 + 100);
      const times = ticks.map((t) => t.eventTimeUs as number);
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
      expect(times[0]).toBeGreaterThanOrEqual(startUs - 2000);
      expect(times[times.length - 1]).toBeLessThanOrEqual(Date.now() * 1000 + 2000);
      const count = events.length;
      await sleep(50);
      expect(events.length).toBe(count);
    });

    it('emits the same sequence for the same seed whatever the timing', async () => {
      const run = async (pauseMs: number) => {
        // The walk starts where the history stands at the start minute: pin the clock.
        const adapter = new SimulatedAdapter({ seed: 5, ratePerInstrument: 500 }, { nowMs: () => Date.UTC(2026, 0, 5, 10, 30) });
        const { sink, events } = recordingSink();
        await adapter.start(sink);
        await sleep(pauseMs);
        await adapter.stop();
        return events.filter((e) => e.kind === 'trade' || e.kind === 'quote').map((e) => ({ ...(e.value as object), eventTimeUs: 0 }));
      };
      const [short, long] = [await run(60), await run(150)];
      expect(short.length).toBeGreaterThan(100);
      expect(long.slice(0, short.length)).toEqual(short);
    });

    it('refuses to start twice', async () => {
      const adapter = new SimulatedAdapter();
      await adapter.start(recordingSink().sink);
      await expect(adapter.start(recordingSink().sink)).rejects.toThrow(/already started/);
      await adapter.stop();
    });

    it('produces nothing the normaliser rejects, even with 500 instruments', async () => {
      const bus = new InProcessBus({ epoch: 1 });
      let published = 0;
      bus.onTicks((ticks) => (published += ticks.length));
      const normaliser = new Normaliser({ bus, logger: createLogger({ level: 'silent' }) });
      await normaliser.attach(new SimulatedAdapter({ instruments: 500, ratePerInstrument: 20 }));
      await sleep(200);
      await normaliser.detachAll();
      expect(normaliser.stats().rejected).toEqual({});
      expect(normaliser.stats().instruments).toBe(500);
      expect(published).toBe(normaliser.stats().accepted);
      expect(published).toBeGreaterThan(500);
    });
  });
});

describe('createAdapter', () => {
  it('builds the simulated adapter from options', () => {
    const adapter = createAdapter('simulated', { seed: 3, instruments: 5, venue: 'SIM2' });
    expect(adapter).toBeInstanceOf(SimulatedAdapter);
    expect([adapter.name, adapter.venue]).toEqual(['simulated', 'SIM2']);
  });

  it('refuses an unknown adapter, listing the known ones', () => {
    expect(adapterNames()).toContain('simulated');
    expect(() => createAdapter('nasdaq')).toThrow(/unknown adapter "nasdaq".*simulated/);
    expect(() => createAdapter('toString')).toThrow(TypeError);
  });
});
