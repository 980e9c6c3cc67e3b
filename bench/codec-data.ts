/**
 * Realistic batches for the codec benchmark: ~100 instruments across crypto, equities, FX and
 * futures with their real price levels and precisions, random-walking mid prices, and batches of
 * mixed updates (60% quotes, 35% trades, 5% bars) spread over a 50 ms flush window. Seeded, so
 * every run measures the same bytes.
 */
import type { Bar, MarketUpdate, Quote, Side, Trade } from '../lib/market/types';

// Updates are built with `kind` LAST on purpose. V8 gives objects created by literals with the same
// keys in the same order one shared hidden class; if these generator objects shared it with the
// decoder's (kind first), the generator's values would decide how the decoder's fields are stored
// (e.g. boxed doubles), which a real client, where only the decoder builds updates, never sees.
import type { BatchMessage } from '../lib/protocol';

/** Options for {@link makeBatches}. */
export interface BatchDataOptions {
  /** Updates per batch. @defaultValue 200 */
  readonly updatesPerBatch: number;
  /** Distinct batches generated (the benchmark cycles through them). @defaultValue 50 */
  readonly batches: number;
  /** Flush window each batch covers, µs. @defaultValue 50_000 */
  readonly windowUs: number;
  readonly seed: number;
}

export const BATCH_DATA_DEFAULTS: BatchDataOptions = { updatesPerBatch: 200, batches: 50, windowUs: 50_000, seed: 42 };

interface Profile {
  readonly count: number;
  readonly priceDecimals: number;
  /** Mid price range in display units, e.g. [20, 900] dollars. */
  readonly price: readonly [number, number];
  /** Trade/quote size range in size mantissa units. */
  readonly size: readonly [number, number];
  /** Spread range in price ticks (mantissa units). */
  readonly spreadTicks: readonly [number, number];
  /** First numeric trade id, or undefined when the venue uses string ids. */
  readonly tradeIdStart?: number;
}

// Counts add up to 100 instruments.
const PROFILES: readonly Profile[] = [
  { count: 6, priceDecimals: 2, price: [2_000, 100_000], size: [10_000, 500_000_000], spreadTicks: [1, 3], tradeIdStart: 4_087_000_000 }, // BTC/ETH-like, 8 size decimals
  { count: 16, priceDecimals: 4, price: [0.2, 250], size: [1_000, 100_000_000], spreadTicks: [1, 5], tradeIdStart: 812_000_000 },
  { count: 8, priceDecimals: 8, price: [0.00001, 0.01], size: [1, 5_000_000], spreadTicks: [1, 20], tradeIdStart: 55_000_000 },
  { count: 35, priceDecimals: 2, price: [20, 900], size: [1, 500], spreadTicks: [1, 4], tradeIdStart: 10_000_000 }, // equities, whole shares
  { count: 20, priceDecimals: 5, price: [0.6, 1.7], size: [100_000, 5_000_000], spreadTicks: [1, 8] }, // FX, string ids
  { count: 15, priceDecimals: 2, price: [50, 6_000], size: [1, 50], spreadTicks: [25, 50], tradeIdStart: 1_200_000 }, // futures
];

interface InstrumentState {
  readonly id: number;
  readonly profile: Profile;
  mid: number;
  seq: number;
  tradeId: number;
  lastTradeSeq: number;
  bar: { openTimeUs: number; open: number; high: number; low: number; close: number; volume: number; tradeCount: number; notional: number };
}

function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BAR_INTERVAL_S = 60;

/** Generates `batches` batch messages of `updatesPerBatch` updates each. */
export function makeBatches(options: Partial<BatchDataOptions> = {}): BatchMessage[] {
  const { updatesPerBatch, batches, windowUs, seed } = { ...BATCH_DATA_DEFAULTS, ...options };
  const random = prng(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const intBetween = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  let clockUs = 1_732_230_000_000_000;

  const instruments: InstrumentState[] = [];
  for (const profile of PROFILES) {
    for (let i = 0; i < profile.count; i++) {
      const mid = Math.round(between(profile.price[0], profile.price[1]) * 10 ** profile.priceDecimals);
      instruments.push({
        id: instruments.length + 1,
        profile,
        mid,
        seq: intBetween(1_000, 5_000_000),
        tradeId: profile.tradeIdStart ?? 0,
        lastTradeSeq: 0,
        bar: { openTimeUs: 0, open: mid, high: mid, low: mid, close: mid, volume: 0, tradeCount: 0, notional: 0 },
      });
    }
  }
  // Popular instruments tick more: weight ~ 1 / rank.
  const weights = instruments.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pickInstrument = () => {
    let r = random() * total;
    for (let i = 0; i < instruments.length; i++) {
      r -= weights[i] as number;
      if (r <= 0) return instruments[i] as InstrumentState;
    }
    return instruments[instruments.length - 1] as InstrumentState;
  };

  const out: BatchMessage[] = [];
  for (let b = 0; b < batches; b++) {
    const updates: MarketUpdate[] = [];
    const offsets = Array.from({ length: updatesPerBatch }, () => Math.floor(random() * windowUs)).sort((x, y) => x - y);
    for (const offset of offsets) {
      const s = pickInstrument();
      const eventTimeUs = clockUs + offset;
      const receiveTimeUs = eventTimeUs + intBetween(150, 4_000);
      s.mid = Math.max(1, s.mid + intBetween(-3, 3));
      const roll = random();
      if (roll < 0.6) updates.push(quote(s, eventTimeUs, receiveTimeUs, intBetween));
      else if (roll < 0.95) updates.push(trade(s, eventTimeUs, receiveTimeUs, intBetween, random));
      else if (s.lastTradeSeq > 0) updates.push(bar(s, eventTimeUs, receiveTimeUs));
      else updates.push(quote(s, eventTimeUs, receiveTimeUs, intBetween));
    }
    out.push({ type: 'batch', conflated: false, updates });
    clockUs += windowUs;
  }
  return out;
}

function quote(s: InstrumentState, eventTimeUs: number, receiveTimeUs: number, intBetween: (lo: number, hi: number) => number): Quote {
  const spread = intBetween(s.profile.spreadTicks[0], s.profile.spreadTicks[1]);
  const bid = s.mid - Math.floor(spread / 2);
  return {
    instrumentId: s.id,
    seq: ++s.seq,
    eventTimeUs,
    receiveTimeUs,
    bid,
    bidSize: intBetween(s.profile.size[0], s.profile.size[1]),
    ask: bid + spread,
    askSize: intBetween(s.profile.size[0], s.profile.size[1]),
    kind: 'quote',
  };
}

function trade(
  s: InstrumentState,
  eventTimeUs: number,
  receiveTimeUs: number,
  intBetween: (lo: number, hi: number) => number,
  random: () => number,
): Trade {
  const side = (random() < 0.5 ? 1 : 2) as Side;
  const price = s.mid + (side === 1 ? 1 : -1) * intBetween(0, s.profile.spreadTicks[0]);
  const size = intBetween(s.profile.size[0], Math.max(s.profile.size[0], Math.floor(s.profile.size[1] / 10)));
  const tradeId = s.profile.tradeIdStart === undefined ? `T${(eventTimeUs % 1e12).toString(36)}-${s.id}` : ++s.tradeId;
  const seq = ++s.seq;
  s.lastTradeSeq = seq;
  const barOpen = eventTimeUs - (eventTimeUs % (BAR_INTERVAL_S * 1_000_000));
  const b = s.bar;
  if (b.openTimeUs !== barOpen)
    Object.assign(b, { openTimeUs: barOpen, open: price, high: price, low: price, volume: 0, tradeCount: 0, notional: 0 });
  b.high = Math.max(b.high, price);
  b.low = Math.min(b.low, price);
  b.close = price;
  b.volume += size;
  b.tradeCount += 1;
  b.notional += price * size;
  return { instrumentId: s.id, seq, eventTimeUs, receiveTimeUs, price, size, side, tradeId, kind: 'trade' };
}

function bar(s: InstrumentState, eventTimeUs: number, receiveTimeUs: number): Bar {
  const b = s.bar;
  return {
    instrumentId: s.id,
    seq: s.lastTradeSeq,
    eventTimeUs,
    receiveTimeUs,
    interval: BAR_INTERVAL_S,
    openTimeUs: b.openTimeUs,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    tradeCount: b.tradeCount,
    vwap: b.volume > 0 ? Math.round(b.notional / b.volume) : b.close,
    kind: 'bar',
  };
}
