/**
 * Pure checks that turn whatever an adapter emitted into canonical fields, or name the reason it
 * cannot be used. Nothing here throws on any input, and nothing allocates on the accept path
 * except the results the caller keeps: checked fields are written into a caller-owned draft.
 */
import { MAX_DECIMALS, toMantissa } from '../../lib/market/decimal';
import { MAX_SYMBOL_LENGTH, MAX_VENUE_LENGTH } from '../../lib/market/symbols';
import { AssetClass, Side, type Instrument } from '../../lib/market/types';
import type { AdapterInstrument } from '../adapters/types';
import type { RejectReason } from './reasons';

/** Longest string trade id accepted, in UTF-16 code units. */
export const MAX_TRADE_ID_LENGTH = 128;
/** Longest decimal string even looked at; anything longer cannot be a sane price or size. */
const MAX_DECIMAL_TEXT_LENGTH = 48;

const SYMBOL_RE = /^[^\s\p{C}]+$/u;
const VENUE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DECIMAL_TEXT_RE = /^-?\d+(?:\.(\d+))?$/;
const ASSET_CLASSES = new Set<unknown>(Object.values(AssetClass).filter((v) => typeof v === 'number'));

/** Accepted time skews between an event's time and its receive time. */
export interface SkewLimits {
  /** How far ahead of the receive time an event time may be, µs. */
  readonly maxFutureSkewUs: number;
  /** How far behind the receive time an event time may be, µs. */
  readonly maxPastSkewUs: number;
}

/** Result of reading a price or size: the mantissa, or why it is unusable. */
export type MantissaResult = number | 'bad' | 'inexact';

/**
 * Mantissa of a decimal string or number at `decimals` places: `'inexact'` when it is a valid
 * decimal finer than the precision, `'bad'` when it is no finite decimal or not a safe mantissa.
 */
export function readMantissa(value: unknown, decimals: number): MantissaResult {
  if (typeof value === 'number') {
    const mantissa = toMantissa(value, decimals);
    if (mantissa !== undefined) return mantissa;
    if (!Number.isFinite(value) || Math.abs(value) >= Number.MAX_SAFE_INTEGER / 10 ** decimals) return 'bad';
    return 'inexact';
  }
  if (typeof value === 'string') {
    if (value.length > MAX_DECIMAL_TEXT_LENGTH) return 'bad';
    const mantissa = toMantissa(value, decimals);
    if (mantissa !== undefined) return mantissa;
    const match = DECIMAL_TEXT_RE.exec(value);
    if (match === null) return 'bad';
    const significant = (match[1] ?? '').replace(/0+$/, '');
    return significant.length > decimals ? 'inexact' : 'bad';
  }
  return 'bad';
}

/** Canonical event time (integer µs) or why not. A missing time means "now" (the receive time). */
export function readEventTime(value: unknown, receiveTimeUs: number, limits: SkewLimits): number | RejectReason {
  if (value === undefined || value === null) return receiveTimeUs;
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'bad-time';
  const timeUs = Math.round(value);
  if (timeUs - receiveTimeUs > limits.maxFutureSkewUs) return 'future-time';
  if (receiveTimeUs - timeUs > limits.maxPastSkewUs) return 'stale-time';
  return timeUs;
}

/** Wire side for an adapter's side string, or `undefined` when it is not one. */
export function readSide(value: unknown): Side | undefined {
  switch (value) {
    case 'buy':
      return Side.Buy;
    case 'sell':
      return Side.Sell;
    case 'unknown':
      return Side.Unknown;
    default:
      return undefined;
  }
}

/** Canonical trade id: numbers stay numbers, a missing or empty id becomes `''`; `undefined` when insane. */
export function readTradeId(value: unknown): number | string | undefined {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string') return value.length <= MAX_TRADE_ID_LENGTH ? value : undefined;
  return undefined;
}

/**
 * Why `venue` cannot name a venue, or `undefined` when it can: 1..32 letters, digits, `_`, `.`,
 * `-`, starting with a letter or digit. No colon: it separates venue and symbol in names.
 */
export function checkVenue(venue: unknown): string | undefined {
  if (typeof venue !== 'string' || venue.length === 0) return 'must be a non-empty string';
  if (venue.length > MAX_VENUE_LENGTH) return `must be at most ${MAX_VENUE_LENGTH} characters`;
  if (!VENUE_RE.test(venue)) return 'may only hold letters, digits, "_", "." and "-" (no colon or spaces)';
  return undefined;
}

/** True for a plain non-null object (what every adapter payload must be). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Trade fields checked by {@link checkTrade}; the caller adds id, seq and receive time. */
export interface TradeDraft {
  eventTimeUs: number;
  price: number;
  size: number;
  side: Side;
  tradeId: number | string;
}

/** Quote fields checked by {@link checkQuote}. */
export interface QuoteDraft {
  eventTimeUs: number;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

/** A price mantissa > 0, or the reason. */
function readPrice(value: unknown, decimals: number): number | RejectReason {
  const price = readMantissa(value, decimals);
  if (price === 'inexact') return 'inexact-price';
  if (price === 'bad' || price <= 0) return 'bad-price';
  return price;
}

/** A size mantissa >= `min`, or the reason. */
function readSize(value: unknown, decimals: number, min: number): number | RejectReason {
  const size = readMantissa(value, decimals);
  if (size === 'inexact') return 'inexact-size';
  if (size === 'bad' || size < min) return 'bad-size';
  return size;
}

/** Checks a raw trade for `instrument`; fills `out` and returns `undefined` when it is good. */
export function checkTrade(
  raw: Record<string, unknown>,
  instrument: Instrument,
  receiveTimeUs: number,
  limits: SkewLimits,
  out: TradeDraft,
): RejectReason | undefined {
  const price = readPrice(raw.price, instrument.priceDecimals);
  if (typeof price === 'string') return price;
  const size = readSize(raw.size, instrument.sizeDecimals, 1);
  if (typeof size === 'string') return size;
  const side = readSide(raw.side);
  if (side === undefined) return 'bad-side';
  const tradeId = readTradeId(raw.tradeId);
  if (tradeId === undefined) return 'bad-trade-id';
  const eventTimeUs = readEventTime(raw.eventTimeUs, receiveTimeUs, limits);
  if (typeof eventTimeUs === 'string') return eventTimeUs;
  out.price = price;
  out.size = size;
  out.side = side;
  out.tradeId = tradeId;
  out.eventTimeUs = eventTimeUs;
  return undefined;
}

/** Checks a raw quote for `instrument`; fills `out` and returns `undefined` when it is good. */
export function checkQuote(
  raw: Record<string, unknown>,
  instrument: Instrument,
  receiveTimeUs: number,
  limits: SkewLimits,
  out: QuoteDraft,
): RejectReason | undefined {
  const bid = readPrice(raw.bid, instrument.priceDecimals);
  if (typeof bid === 'string') return bid;
  const ask = readPrice(raw.ask, instrument.priceDecimals);
  if (typeof ask === 'string') return ask;
  if (bid > ask) return 'crossed-quote';
  const bidSize = readSize(raw.bidSize, instrument.sizeDecimals, 0);
  if (typeof bidSize === 'string') return bidSize;
  const askSize = readSize(raw.askSize, instrument.sizeDecimals, 0);
  if (typeof askSize === 'string') return askSize;
  const eventTimeUs = readEventTime(raw.eventTimeUs, receiveTimeUs, limits);
  if (typeof eventTimeUs === 'string') return eventTimeUs;
  out.bid = bid;
  out.bidSize = bidSize;
  out.ask = ask;
  out.askSize = askSize;
  out.eventTimeUs = eventTimeUs;
  return undefined;
}

/** An adapter's instrument declaration with defaults applied. */
export interface InstrumentSpec {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
}

function isDecimals(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DECIMALS;
}

/** Validates one declared instrument: non-empty printable symbol, decimals 0..18, known asset class. */
export function checkInstrument(raw: unknown): InstrumentSpec | 'bad-instrument' {
  if (!isRecord(raw)) return 'bad-instrument';
  const { symbol, priceDecimals, sizeDecimals } = raw as Partial<Record<keyof AdapterInstrument, unknown>>;
  const assetClass = raw.assetClass ?? AssetClass.Other;
  if (typeof symbol !== 'string' || symbol.length === 0 || symbol.length > MAX_SYMBOL_LENGTH || !SYMBOL_RE.test(symbol)) {
    return 'bad-instrument';
  }
  if (!isDecimals(priceDecimals) || !isDecimals(sizeDecimals) || !ASSET_CLASSES.has(assetClass)) return 'bad-instrument';
  return { symbol, assetClass: assetClass as AssetClass, priceDecimals, sizeDecimals };
}
