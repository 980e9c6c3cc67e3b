/**
 * Writes one market update (trade, quote or bar) in the self-contained layout of docs/protocol.md §6.
 * Nothing here depends on neighbouring updates, only on the message's base time, so segments
 * encoded separately concatenate into a valid batch. Every field is validated as it is written.
 */
import type { Bar, MarketUpdate, Quote, SessionStats, Trade } from '../market/types';
import { TRADE_FLAG_STRING_ID, UpdateKind } from './constants';
import {
  assertSafeInt,
  assertSafeUint,
  assertString,
  assertValue,
  describe,
  isBarIntervalValue,
  isSafeInt,
  isSafeUint,
  isSide,
} from './validation';
import type { Writer } from './writer';

/**
 * Most bytes an update takes without its string trade id: kind byte, flags byte and at most 13
 * varints of 8 bytes. Reserved once per update so the varint writes need no bounds checks.
 */
export const MAX_UPDATE_FIXED_BYTES = 2 + 13 * 8;

// Varint fields after the kind byte, in wire order (docs/protocol.md §6); a mask bit set = zigzag.
/** Quote: instrumentId, seq, eventDelta±, receiveDelta±, bid±, bidSize, spread±, askSize. */
const QUOTE_FIELDS = 8;
const QUOTE_SIGNED = 0b0101_1100;
/** Trade (after kind and flags bytes): instrumentId, seq, eventDelta±, receiveDelta±, price±, size, then a numeric tradeId (one more varint) or a string. */
const TRADE_FIELDS = 6;
const TRADE_SIGNED = 0b01_1100;
/** Bar: instrumentId, seq, eventDelta±, receiveDelta±, interval, openDelta±, open±, highDelta±, lowDelta±, closeDelta±, volume, tradeCount, vwapDelta±. */
const BAR_FIELDS = 13;
const BAR_SIGNED = 0b1_0011_1110_1100;
/** Session: instrumentId, seq, eventDelta±, receiveDelta±, startDelta±, open±, highDelta±, lowDelta±, closeDelta±, volume, tradeCount. */
const SESSION_FIELDS = 11;
const SESSION_SIGNED = 0b001_1111_1100;

/**
 * Scratch space for one update's varint fields on the general path; encoding is synchronous, so one
 * array serves every call. A Float64Array rather than an array: every validated field (safe integers, trade ids above
 * 2^31 included) is stored exactly, without elements-kind transitions or checks (measured ~3% faster).
 */
const s = new Float64Array(16);

/**
 * Appends `update` relative to `baseTimeUs` (a validated non-negative safe integer, µs).
 * Throws TypeError/RangeError naming the field on invalid input; the writer may then hold a partial
 * update, so callers reset it before the next message.
 */
export function writeUpdate(w: Writer, update: MarketUpdate, baseTimeUs: number): void {
  if (typeof update !== 'object' || update === null) throw new TypeError(`update must be an object, got ${describe(update)}`);
  w.ensure(MAX_UPDATE_FIXED_BYTES);
  switch (update.kind) {
    case 'quote':
      writeQuote(w, update, baseTimeUs);
      return;
    case 'trade':
      writeTrade(w, update, baseTimeUs);
      return;
    case 'bar':
      writeBar(w, update, baseTimeUs);
      return;
    case 'session':
      writeSession(w, update, baseTimeUs);
      return;
    default:
      throw new TypeError(`update.kind must be 'trade', 'quote', 'bar' or 'session', got ${describe((update as { kind: unknown }).kind)}`);
  }
}

/**
 * Scratch for the fast path: each field already in wire form (zigzag applied) and below 2^32, so
 * {@link Writer.uint32s} runs on untagged integers, with no range cases and no calls in its loop.
 */
const u32 = new Uint32Array(16);

/** An integer in [0, 2^32): a valid unsigned field (a safe integer) that the fast path can write. */
function isUint32(value: number): boolean {
  return typeof value === 'number' && value >>> 0 === value;
}

/** An integer in [-2^31, 2^31): a valid signed field (a safe integer) whose zigzag form fits 32 bits. */
function isInt32(value: number): boolean {
  return typeof value === 'number' && (value | 0) === value;
}

/** Zigzag of an int32 as a uint32 (exact for the whole int32 range: the low 32 bits of 2v, or of -2v - 1). */
function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

// One function per kind, each reading every field of its own update: a property load then sees one
// object shape (a shared header reader saw three and paid polymorphic loads), and the JIT knows each
// field's representation, which makes most of the checks below nearly free.
//
// Fast path: when every field fits 32 bits (unsigned fields below 2^32, signed fields and every
// delta in int32 range; timestamps are checked as safe integers, their deltas as int32), those
// checks are the whole validation: `v >>> 0 === v` and `(v | 0) === v` hold only for integers in
// range, so a fast-path value is always a valid one. The values then go to Writer.uint32s, a loop
// without special cases (measured 1.16-1.3x the encode rate of the general path alone). Anything
// else, valid or not (a trade id of 2^32 or more, a bar volume past 2^32, a bad field), takes the
// general path, which checks every field again and throws naming the first invalid one.

function writeQuote(w: Writer, q: Quote, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, bid, bidSize, ask, askSize } = q;
  if (!(
    isUint32(instrumentId) &&
    isUint32(seq) &&
    isSafeUint(eventTimeUs) &&
    isSafeUint(receiveTimeUs) &&
    isInt32(eventTimeUs - baseTimeUs) &&
    isInt32(receiveTimeUs - eventTimeUs) &&
    isInt32(bid) &&
    isUint32(bidSize) &&
    isInt32(ask) &&
    isUint32(askSize) &&
    isInt32(ask - bid)
  )) {
    writeQuoteChecked(w, q, baseTimeUs);
    return;
  }
  w.u8(UpdateKind.Quote);
  u32[0] = instrumentId;
  u32[1] = seq;
  u32[2] = zigzag32(eventTimeUs - baseTimeUs);
  u32[3] = zigzag32(receiveTimeUs - eventTimeUs);
  u32[4] = zigzag32(bid);
  u32[5] = bidSize;
  u32[6] = zigzag32(ask - bid);
  u32[7] = askSize;
  w.uint32s(u32, QUOTE_FIELDS);
}

/** Trade: the flags byte (side, id type) comes right after the kind byte, so the varints form one run. */
function writeTrade(w: Writer, t: Trade, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, price, size, side, tradeId } = t;
  if (
    isUint32(instrumentId) &&
    isUint32(seq) &&
    isSafeUint(eventTimeUs) &&
    isSafeUint(receiveTimeUs) &&
    isInt32(eventTimeUs - baseTimeUs) &&
    isInt32(receiveTimeUs - eventTimeUs) &&
    isInt32(price) &&
    isUint32(size) &&
    isSide(side)
  ) {
    const stringId = typeof tradeId === 'string';
    if (stringId || isUint32(tradeId)) {
      w.u8(UpdateKind.Trade);
      w.u8(stringId ? side | TRADE_FLAG_STRING_ID : side);
      u32[0] = instrumentId;
      u32[1] = seq;
      u32[2] = zigzag32(eventTimeUs - baseTimeUs);
      u32[3] = zigzag32(receiveTimeUs - eventTimeUs);
      u32[4] = zigzag32(price);
      u32[5] = size;
      if (stringId) {
        w.uint32s(u32, TRADE_FIELDS);
        w.string(tradeId, 'trade.tradeId');
        return;
      }
      u32[6] = tradeId;
      w.uint32s(u32, TRADE_FIELDS + 1);
      return;
    }
  }
  writeTradeChecked(w, t, baseTimeUs);
}

function writeBar(w: Writer, b: Bar, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, interval, openTimeUs, open, high, low, close, volume, tradeCount, vwap } = b;
  if (!(
    isUint32(instrumentId) &&
    isUint32(seq) &&
    isSafeUint(eventTimeUs) &&
    isSafeUint(receiveTimeUs) &&
    isInt32(eventTimeUs - baseTimeUs) &&
    isInt32(receiveTimeUs - eventTimeUs) &&
    isBarIntervalValue(interval) &&
    isSafeUint(openTimeUs) &&
    isInt32(openTimeUs - baseTimeUs) &&
    isInt32(open) &&
    isInt32(high) &&
    isInt32(low) &&
    isInt32(close) &&
    isInt32(vwap) &&
    isInt32(high - open) &&
    isInt32(low - open) &&
    isInt32(close - open) &&
    isInt32(vwap - open) &&
    isUint32(volume) &&
    isUint32(tradeCount)
  )) {
    writeBarChecked(w, b, baseTimeUs);
    return;
  }
  w.u8(UpdateKind.Bar);
  u32[0] = instrumentId;
  u32[1] = seq;
  u32[2] = zigzag32(eventTimeUs - baseTimeUs);
  u32[3] = zigzag32(receiveTimeUs - eventTimeUs);
  u32[4] = interval;
  u32[5] = zigzag32(openTimeUs - baseTimeUs);
  u32[6] = zigzag32(open);
  u32[7] = zigzag32(high - open);
  u32[8] = zigzag32(low - open);
  u32[9] = zigzag32(close - open);
  u32[10] = volume;
  u32[11] = tradeCount;
  u32[12] = zigzag32(vwap - open);
  w.uint32s(u32, BAR_FIELDS);
}

// General path: any valid values, written by Writer.varints (zigzag of any safe integer, varints up to 8 bytes).

/** True when the fields every update has are valid (non-negative safe integers). */
function isValidHeader(instrumentId: number, seq: number, eventTimeUs: number, receiveTimeUs: number): boolean {
  return isSafeUint(instrumentId) && isSafeUint(seq) && isSafeUint(eventTimeUs) && isSafeUint(receiveTimeUs);
}

/** Throws naming the first invalid field every update has (the slow path of {@link isValidHeader}). */
function assertHeader(u: MarketUpdate): void {
  assertSafeUint(u.instrumentId, `${u.kind}.instrumentId`);
  assertSafeUint(u.seq, `${u.kind}.seq`);
  assertSafeUint(u.eventTimeUs, `${u.kind}.eventTimeUs`);
  assertSafeUint(u.receiveTimeUs, `${u.kind}.receiveTimeUs`);
}

/**
 * General path of {@link writeQuote}: any valid values (varints up to 8 bytes); throws naming the first
 * invalid field. Deltas are computed only from validated fields, so a bad one (a bigint, say) is
 * reported by name rather than by the subtraction.
 */
function writeQuoteChecked(w: Writer, q: Quote, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, bid, bidSize, ask, askSize } = q;
  if (!(
    isValidHeader(instrumentId, seq, eventTimeUs, receiveTimeUs) &&
    isSafeInt(bid) &&
    isSafeUint(bidSize) &&
    isSafeInt(ask) &&
    isSafeUint(askSize) &&
    isSafeInt(ask - bid)
  )) {
    assertHeader(q);
    assertSafeInt(bid, 'quote.bid');
    assertSafeUint(bidSize, 'quote.bidSize');
    assertSafeInt(ask, 'quote.ask');
    assertSafeUint(askSize, 'quote.askSize');
    assertSafeInt(ask - bid, 'quote.ask - quote.bid');
  }
  w.u8(UpdateKind.Quote);
  s[0] = instrumentId;
  s[1] = seq;
  s[2] = eventTimeUs - baseTimeUs;
  s[3] = receiveTimeUs - eventTimeUs;
  s[4] = bid;
  s[5] = bidSize;
  s[6] = ask - bid;
  s[7] = askSize;
  w.varints(s, QUOTE_FIELDS, QUOTE_SIGNED);
}

/** General path of {@link writeTrade}: any valid values (varints up to 8 bytes); throws naming the first invalid field. */
function writeTradeChecked(w: Writer, t: Trade, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, price, size, side, tradeId } = t;
  if (!(isValidHeader(instrumentId, seq, eventTimeUs, receiveTimeUs) && isSafeInt(price) && isSafeUint(size) && isSide(side))) {
    assertHeader(t);
    assertSafeInt(price, 'trade.price');
    assertSafeUint(size, 'trade.size');
    assertValue(isSide(side), side, 'trade.side', 'a Side (0, 1 or 2)');
  }
  w.u8(UpdateKind.Trade);
  s[0] = instrumentId;
  s[1] = seq;
  s[2] = eventTimeUs - baseTimeUs;
  s[3] = receiveTimeUs - eventTimeUs;
  s[4] = price;
  s[5] = size;
  if (typeof tradeId === 'string') {
    w.u8(side | TRADE_FLAG_STRING_ID);
    w.varints(s, TRADE_FIELDS, TRADE_SIGNED);
    w.string(tradeId, 'trade.tradeId');
    return;
  }
  if (!isSafeUint(tradeId)) {
    if (typeof tradeId !== 'number') assertString(tradeId, 'trade.tradeId');
    assertSafeUint(tradeId, 'trade.tradeId');
  }
  s[6] = tradeId;
  w.u8(side);
  w.varints(s, TRADE_FIELDS + 1, TRADE_SIGNED);
}

/** General path of {@link writeBar}: any valid values (varints up to 8 bytes); throws naming the first invalid field. */
function writeBarChecked(w: Writer, b: Bar, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, interval, openTimeUs, open, high, low, close, volume, tradeCount, vwap } = b;
  if (!(
    isValidHeader(instrumentId, seq, eventTimeUs, receiveTimeUs) &&
    isBarIntervalValue(interval) &&
    isSafeUint(openTimeUs) &&
    isSafeInt(open) &&
    isSafeUint(volume) &&
    isSafeUint(tradeCount) &&
    isSafeInt(high) &&
    isSafeInt(low) &&
    isSafeInt(close) &&
    isSafeInt(vwap) &&
    isSafeInt(high - open) &&
    isSafeInt(low - open) &&
    isSafeInt(close - open) &&
    isSafeInt(vwap - open)
  )) {
    assertHeader(b);
    assertValue(isBarIntervalValue(interval), interval, 'bar.interval', 'one of BAR_INTERVALS (seconds)');
    assertSafeUint(openTimeUs, 'bar.openTimeUs');
    assertSafeUint(volume, 'bar.volume');
    assertSafeUint(tradeCount, 'bar.tradeCount');
    for (const field of ['open', 'high', 'low', 'close', 'vwap'] as const) assertSafeInt(b[field], `bar.${field}`);
    for (const field of ['high', 'low', 'close', 'vwap'] as const) assertSafeInt(b[field] - open, `bar.${field} - bar.open`);
  }
  w.u8(UpdateKind.Bar);
  s[0] = instrumentId;
  s[1] = seq;
  s[2] = eventTimeUs - baseTimeUs;
  s[3] = receiveTimeUs - eventTimeUs;
  s[4] = interval;
  s[5] = openTimeUs - baseTimeUs;
  s[6] = open;
  s[7] = high - open;
  s[8] = low - open;
  s[9] = close - open;
  s[10] = volume;
  s[11] = tradeCount;
  s[12] = vwap - open;
  w.varints(s, BAR_FIELDS, BAR_SIGNED);
}

/**
 * Session statistics: general path only. They travel in snapshots and conflated batches, one per
 * instrument, never in the live stream, so a 32-bit fast path would buy nothing.
 */
function writeSession(w: Writer, t: SessionStats, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, startTimeUs, open, high, low, close, volume, tradeCount } = t;
  if (!(
    isValidHeader(instrumentId, seq, eventTimeUs, receiveTimeUs) &&
    isSafeUint(startTimeUs) &&
    isSafeInt(open) &&
    isSafeInt(high) &&
    isSafeInt(low) &&
    isSafeInt(close) &&
    isSafeUint(volume) &&
    isSafeUint(tradeCount) &&
    isSafeInt(high - open) &&
    isSafeInt(low - open) &&
    isSafeInt(close - open)
  )) {
    assertHeader(t);
    assertSafeUint(startTimeUs, 'session.startTimeUs');
    assertSafeUint(volume, 'session.volume');
    assertSafeUint(tradeCount, 'session.tradeCount');
    for (const field of ['open', 'high', 'low', 'close'] as const) assertSafeInt(t[field], `session.${field}`);
    for (const field of ['high', 'low', 'close'] as const) assertSafeInt(t[field] - open, `session.${field} - session.open`);
  }
  w.u8(UpdateKind.Session);
  s[0] = instrumentId;
  s[1] = seq;
  s[2] = eventTimeUs - baseTimeUs;
  s[3] = receiveTimeUs - eventTimeUs;
  s[4] = startTimeUs - baseTimeUs;
  s[5] = open;
  s[6] = high - open;
  s[7] = low - open;
  s[8] = close - open;
  s[9] = volume;
  s[10] = tradeCount;
  w.varints(s, SESSION_FIELDS, SESSION_SIGNED);
}
