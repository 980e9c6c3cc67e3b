/**
 * The recording format: NDJSON, one object per line, written by `npm run record` and read by the
 * `replay` adapter. Hand-written files work too (instrument lines are optional; times may be ISO
 * strings or numbers in µs or ms).
 *
 *   {"type":"instrument","symbol":"SIM:BTC-USD","assetClass":"crypto","priceDecimals":2,"sizeDecimals":8}
 *   {"type":"trade","symbol":"SIM:BTC-USD","time":"2024-05-01T12:00:00.123456Z","price":"60000.12","size":"0.01500000","side":"buy","tradeId":77}
 *   {"type":"quote","symbol":"SIM:BTC-USD","time":"2024-05-01T12:00:00.200000Z","bid":"60000.10","bidSize":"1.50000000","ask":"60000.20","askSize":"2.00000000"}
 *
 * `symbol` is the instrument's full name (venue prefix optional in hand-written files); prices and
 * sizes are decimal strings, kept exact. `side` is the aggressor: buy, sell or unknown.
 */
import { formatDecimal, MAX_DECIMALS } from '../../lib/market/decimal';
import { splitSymbol } from '../../lib/market/symbols';
import { AssetClass, Side, type Instrument, type Quote, type Trade } from '../../lib/market/types';
import { checkInstrument } from '../normaliser/validate';
import { formatIsoMicros, parseIsoMicros } from '../../lib/text/iso-time';
import type { AdapterSide } from './types';

/** An instrument line. `venue` is '' when the name has no venue prefix. */
export interface RecordedInstrument {
  readonly type: 'instrument';
  readonly venue: string;
  /** Symbol without the venue. */
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
}

/** A trade line. */
export interface RecordedTrade {
  readonly type: 'trade';
  readonly venue: string;
  readonly symbol: string;
  /** Event time, µs since the Unix epoch. */
  readonly timeUs: number;
  readonly price: string | number;
  readonly size: string | number;
  readonly side: AdapterSide;
  readonly tradeId?: string | number;
}

/** A quote line. */
export interface RecordedQuote {
  readonly type: 'quote';
  readonly venue: string;
  readonly symbol: string;
  readonly timeUs: number;
  readonly bid: string | number;
  readonly bidSize: string | number;
  readonly ask: string | number;
  readonly askSize: string | number;
}

/** A trade or quote line. */
export type RecordedTick = RecordedTrade | RecordedQuote;

/**
 * Why a line could not be used (counted and logged once per kind by the reader):
 * `missing-symbol` no symbol, or nothing after the venue prefix ("SIM:"); `bad-symbol` a symbol the
 * normaliser would refuse (spaces, control characters, longer than 64); `bad-instrument` an
 * instrument line whose asset class is unknown or whose decimals are not whole numbers 0..18.
 */
export type LineProblem =
  'malformed-json' | 'unknown-type' | 'missing-symbol' | 'bad-symbol' | 'bad-time' | 'missing-field' | 'bad-instrument';

const ASSET_CLASS_NAMES: Readonly<Record<string, AssetClass>> = {
  other: AssetClass.Other,
  crypto: AssetClass.Crypto,
  equity: AssetClass.Equity,
  fx: AssetClass.Fx,
  future: AssetClass.Future,
  index: AssetClass.Index,
};

/** Lower-case name of an asset class, as recordings write it. */
export function assetClassName(assetClass: AssetClass): string {
  return Object.keys(ASSET_CLASS_NAMES).find((name) => ASSET_CLASS_NAMES[name] === assetClass) ?? 'other';
}

/** An asset class from its name ("crypto") or wire number (1); `undefined` if neither. */
export function readAssetClass(value: unknown): AssetClass | undefined {
  if (value === undefined || value === null) return AssetClass.Other;
  if (typeof value === 'number') return Object.values(ASSET_CLASS_NAMES).includes(value) ? (value as AssetClass) : undefined;
  // Own keys only: 'constructor' or 'toString' must not find Object.prototype's functions.
  if (typeof value === 'string')
    return Object.hasOwn(ASSET_CLASS_NAMES, value.toLowerCase()) ? ASSET_CLASS_NAMES[value.toLowerCase()] : undefined;
  return undefined;
}

/** Event time in µs from `time` (ISO string), `timeUs` or `timeMs` (numbers); `undefined` if none is valid. */
export function readTime(record: Readonly<Record<string, unknown>>): number | undefined {
  if (record.timeUs !== undefined && record.timeUs !== '') {
    const us = Number(record.timeUs);
    return Number.isSafeInteger(us) ? us : undefined;
  }
  if (record.timeMs !== undefined && record.timeMs !== '') {
    const ms = Number(record.timeMs);
    return Number.isFinite(ms) ? Math.round(ms * 1000) : undefined;
  }
  return parseIsoMicros(record.time);
}

const DECIMAL_RE = /^-?\d+(?:\.\d+)?$/;
const DIGITS_RE = /^\d+$/;

/**
 * Decimal places as an instrument line gives them: a whole number 0..MAX_DECIMALS (18), as a JSON
 * number or, from CSV, a string of digits; `undefined` for anything else (negative, fractional,
 * too many, empty, null, a boolean), which `Number()` would have turned into a plausible count.
 */
function readDecimals(value: unknown): number | undefined {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && DIGITS_RE.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n <= MAX_DECIMALS ? n : undefined;
}

function decimal(value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && DECIMAL_RE.test(value.trim())) return value.trim();
  return undefined;
}

function side(value: unknown): AdapterSide {
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  return text === 'buy' || text === 'sell' ? text : 'unknown';
}

/**
 * One parsed record (an NDJSON object or a CSV row as an object) as a recording line, or the
 * problem with it. A record without `type` is a trade when it has `price`, a quote when it has `bid`.
 */
export function readRecord(record: Readonly<Record<string, unknown>>): RecordedInstrument | RecordedTick | LineProblem {
  const given = typeof record.type === 'string' && record.type !== '' ? record.type.toLowerCase() : record.type;
  const type =
    given ??
    (record.price !== undefined && record.price !== '' ? 'trade' : record.bid !== undefined && record.bid !== '' ? 'quote' : undefined);
  if (type !== 'instrument' && type !== 'trade' && type !== 'quote') return 'unknown-type';
  if (typeof record.symbol !== 'string' || record.symbol.trim() === '') return 'missing-symbol';
  const parts = splitSymbol(record.symbol.trim());
  if (parts.symbol === '') return 'missing-symbol';
  // The normaliser's own instrument check, so a line it would refuse later is refused here, counted.
  if (checkInstrument({ symbol: parts.symbol, priceDecimals: 0, sizeDecimals: 0 }) === 'bad-instrument') return 'bad-symbol';
  const venue = typeof record.venue === 'string' && parts.venue === '' ? record.venue : parts.venue;
  if (type === 'instrument') {
    const assetClass = readAssetClass(record.assetClass);
    const priceDecimals = readDecimals(record.priceDecimals);
    const sizeDecimals = readDecimals(record.sizeDecimals);
    if (assetClass === undefined || priceDecimals === undefined || sizeDecimals === undefined) return 'bad-instrument';
    return { type, venue, symbol: parts.symbol, assetClass, priceDecimals, sizeDecimals };
  }
  const timeUs = readTime(record);
  if (timeUs === undefined) return 'bad-time';
  if (type === 'trade') {
    const price = decimal(record.price);
    const size = decimal(record.size);
    if (price === undefined || size === undefined) return 'missing-field';
    const tradeId = record.tradeId ?? record.trade_id;
    return {
      type,
      venue,
      symbol: parts.symbol,
      timeUs,
      price,
      size,
      side: side(record.side),
      ...(typeof tradeId === 'string' || typeof tradeId === 'number' ? (tradeId === '' ? {} : { tradeId }) : {}),
    };
  }
  const bid = decimal(record.bid);
  const ask = decimal(record.ask);
  const bidSize = decimal(record.bidSize ?? record.bid_size);
  const askSize = decimal(record.askSize ?? record.ask_size);
  if (bid === undefined || ask === undefined || bidSize === undefined || askSize === undefined) return 'missing-field';
  return { type, venue, symbol: parts.symbol, timeUs, bid, bidSize, ask, askSize };
}

const SIDE_WORDS: Readonly<Record<Side, AdapterSide>> = { [Side.Unknown]: 'unknown', [Side.Buy]: 'buy', [Side.Sell]: 'sell' };

/** The instrument line for `instrument` (no trailing newline). */
export function instrumentLine(instrument: Instrument): string {
  return JSON.stringify({
    type: 'instrument',
    symbol: instrument.symbol,
    assetClass: assetClassName(instrument.assetClass),
    priceDecimals: instrument.priceDecimals,
    sizeDecimals: instrument.sizeDecimals,
  });
}

/** The line for a normalised tick of `instrument`, prices and sizes exact (no trailing newline). */
export function tickLine(tick: Trade | Quote, instrument: Instrument): string {
  const price = (m: number): string => formatDecimal(m, instrument.priceDecimals);
  const size = (m: number): string => formatDecimal(m, instrument.sizeDecimals);
  const time = formatIsoMicros(tick.eventTimeUs);
  if (tick.kind === 'trade') {
    const tradeId = tick.tradeId === '' ? {} : { tradeId: tick.tradeId };
    return JSON.stringify({
      type: 'trade',
      symbol: instrument.symbol,
      time,
      price: price(tick.price),
      size: size(tick.size),
      side: SIDE_WORDS[tick.side] ?? 'unknown',
      ...tradeId,
    });
  }
  return JSON.stringify({
    type: 'quote',
    symbol: instrument.symbol,
    time,
    bid: price(tick.bid),
    bidSize: size(tick.bidSize),
    ask: price(tick.ask),
    askSize: size(tick.askSize),
  });
}
