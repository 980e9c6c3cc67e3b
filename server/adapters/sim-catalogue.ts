/**
 * Instruments the simulator trades: twenty realistic ones across asset classes (levels, tick
 * sizes, lot sizes and spreads close to their real markets, including an 8-decimal price to prove
 * precision end to end), then plausible synthetic ones ("SYN0042-USD") for load tests.
 */
import { parseDecimal } from '../../lib/market/decimal';
import { AssetClass } from '../../lib/market/types';
import { SeededRandom } from './random';

/** Everything the simulator needs to know about one instrument. Prices and sizes are mantissas. */
export interface SimInstrumentSpec {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  /** Starting mid price, price mantissa. */
  readonly initialPrice: number;
  /** Price grid step, in price mantissa units (e.g. 25 for 0.25 at 2 decimals). */
  readonly tickSize: number;
  /** Size grid step, in size mantissa units (e.g. 1000 units of FX). */
  readonly lotSize: number;
  /** Median trade size, size mantissa units. */
  readonly typicalSize: number;
  /** Quoted spread in calm markets, ticks. */
  readonly spreadTicks: number;
  /** Annualised volatility of returns, as a fraction (0.6 = 60 %). */
  readonly annualVolatility: number;
}

/** Synthetic symbols are numbered from 1: SYN0001-USD, SYN0002-USD, ... */
export const SYNTHETIC_SYMBOL_PREFIX = 'SYN';
/** Most instruments the simulator will create. */
export const MAX_SIM_INSTRUMENTS = 10_000;
/** Seed of synthetic instrument parameters: the table depends on the count only, never on the run seed. */
const SYNTHETIC_SPEC_SEED = 0x51a7e;

function mantissa(text: string, decimals: number): number {
  const value = parseDecimal(text, decimals);
  if (value === undefined || value <= 0) throw new Error(`catalogue value ${text} is not exact at ${decimals} decimals`);
  return value;
}

interface CatalogueRow {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly price: string;
  readonly priceDecimals: number;
  readonly tick: string;
  readonly sizeDecimals: number;
  readonly lot: string;
  readonly typicalSize: string;
  readonly spreadTicks: number;
  readonly volatility: number;
}

function spec(row: CatalogueRow): SimInstrumentSpec {
  return Object.freeze({
    symbol: row.symbol,
    assetClass: row.assetClass,
    priceDecimals: row.priceDecimals,
    sizeDecimals: row.sizeDecimals,
    initialPrice: mantissa(row.price, row.priceDecimals),
    tickSize: mantissa(row.tick, row.priceDecimals),
    lotSize: mantissa(row.lot, row.sizeDecimals),
    typicalSize: mantissa(row.typicalSize, row.sizeDecimals),
    spreadTicks: row.spreadTicks,
    annualVolatility: row.volatility,
  });
}

const crypto = (
  symbol: string,
  price: string,
  priceDecimals: number,
  sizeDecimals: number,
  lot: string,
  typicalSize: string,
  volatility: number,
) =>
  spec({
    symbol,
    assetClass: AssetClass.Crypto,
    price,
    priceDecimals,
    tick: (1 / 10 ** priceDecimals).toFixed(priceDecimals),
    sizeDecimals,
    lot,
    typicalSize,
    spreadTicks: 2,
    volatility,
  });
const equity = (symbol: string, price: string, typicalSize: string, volatility: number) =>
  spec({
    symbol,
    assetClass: AssetClass.Equity,
    price,
    priceDecimals: 2,
    tick: '0.01',
    sizeDecimals: 0,
    lot: '1',
    typicalSize,
    spreadTicks: 1,
    volatility,
  });
const fx = (symbol: string, price: string, priceDecimals: number, volatility: number) =>
  spec({
    symbol,
    assetClass: AssetClass.Fx,
    price,
    priceDecimals,
    tick: (1 / 10 ** priceDecimals).toFixed(priceDecimals),
    sizeDecimals: 0,
    lot: '1000',
    typicalSize: '1000000',
    spreadTicks: 2,
    volatility,
  });

/** The twenty built-in instruments, in the order they are declared. */
export const SIM_CATALOGUE: readonly SimInstrumentSpec[] = Object.freeze([
  crypto('BTC-USD', '60000.00', 2, 8, '0.00000001', '0.02', 0.55),
  crypto('ETH-USD', '3000.00', 2, 8, '0.00000001', '0.3', 0.65),
  crypto('SOL-USD', '150.00', 2, 4, '0.0001', '5', 0.8),
  crypto('XRP-USD', '0.5234', 4, 1, '0.1', '800', 0.7),
  crypto('DOGE-USD', '0.12345', 5, 0, '1', '5000', 0.9),
  crypto('SHIB-USD', '0.00001234', 8, 0, '1', '20000000', 1.0),
  equity('AAPL', '190.00', '100', 0.25),
  equity('MSFT', '420.00', '100', 0.25),
  equity('NVDA', '120.00', '200', 0.5),
  equity('TSLA', '250.00', '100', 0.6),
  equity('AMZN', '185.00', '100', 0.3),
  equity('GOOGL', '170.00', '100', 0.3),
  equity('META', '500.00', '50', 0.35),
  fx('EUR/USD', '1.08500', 5, 0.07),
  fx('USD/JPY', '150.123', 3, 0.09),
  fx('GBP/USD', '1.27000', 5, 0.08),
  fx('AUD/USD', '0.66000', 5, 0.1),
  fx('USD/CHF', '0.88000', 5, 0.07),
  spec({
    symbol: 'ES-FUT',
    assetClass: AssetClass.Future,
    price: '5000.00',
    priceDecimals: 2,
    tick: '0.25',
    sizeDecimals: 0,
    lot: '1',
    typicalSize: '3',
    spreadTicks: 1,
    volatility: 0.17,
  }),
  spec({
    symbol: 'GC-FUT',
    assetClass: AssetClass.Future,
    price: '2300.0',
    priceDecimals: 1,
    tick: '0.1',
    sizeDecimals: 0,
    lot: '1',
    typicalSize: '2',
    spreadTicks: 2,
    volatility: 0.15,
  }),
]);

/** Symbol of the `n`th synthetic instrument (1-based), e.g. 42 -> "SYN0042-USD". */
export function syntheticSymbol(n: number): string {
  return `${SYNTHETIC_SYMBOL_PREFIX}${String(n).padStart(4, '0')}-USD`;
}

/** A plausible made-up instrument: 1..3000 in price, 2-4 price decimals, 0-3 size decimals. */
export function syntheticInstrument(n: number): SimInstrumentSpec {
  const random = new SeededRandom(SYNTHETIC_SPEC_SEED, n);
  const priceDecimals = 2 + random.int(3);
  const sizeDecimals = random.int(4);
  const level = Math.exp(random.range(Math.log(1), Math.log(3000)));
  const typical = Math.exp(random.range(Math.log(1), Math.log(500)));
  return Object.freeze({
    symbol: syntheticSymbol(n),
    assetClass: AssetClass.Other,
    priceDecimals,
    sizeDecimals,
    initialPrice: Math.max(1000, Math.round(level * 10 ** priceDecimals)),
    tickSize: 1,
    lotSize: 1,
    typicalSize: Math.max(1, Math.round(typical * 10 ** sizeDecimals)),
    spreadTicks: 1 + random.int(4),
    annualVolatility: random.range(0.2, 0.9),
  });
}

/**
 * The first `count` instruments: the catalogue, then synthetic ones.
 * @throws RangeError when `count` is not an integer in 1..{@link MAX_SIM_INSTRUMENTS}.
 */
export function simInstruments(count: number): SimInstrumentSpec[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SIM_INSTRUMENTS) {
    throw new RangeError(`instrument count must be an integer in 1..${MAX_SIM_INSTRUMENTS}, got ${String(count)}`);
  }
  const out = SIM_CATALOGUE.slice(0, count);
  for (let n = 1; out.length < count; n += 1) out.push(syntheticInstrument(n));
  return out;
}
