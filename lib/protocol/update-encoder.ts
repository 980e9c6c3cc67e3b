/**
 * Writes one market update (trade, quote or bar) in the self-contained layout of docs/protocol.md §5.
 * Nothing here depends on neighbouring updates, only on the message's base time, so segments
 * encoded separately concatenate into a valid batch. Every field is validated as it is written.
 */
import type { Bar, MarketUpdate, Quote, Trade } from '../market/types';
import { TRADE_FLAG_STRING_ID, UpdateKind } from './constants';
import { assertSafeInt, assertSafeUint, assertString, assertValue, describe, isBarIntervalValue, isSafeInt, isSafeUint, isSide } from './validation';
import type { Writer } from './writer';

/**
 * Most bytes an update takes without its string trade id: kind byte, flags byte and at most 13
 * varints of 8 bytes. Reserved once per update so the varint writes need no bounds checks.
 */
export const MAX_UPDATE_FIXED_BYTES = 2 + 13 * 8;

// Varint fields after the kind byte, in wire order (docs/protocol.md §5); a mask bit set = zigzag.
/** Quote: instrumentId, seq, eventDelta±, receiveDelta±, bid±, bidSize, spread±, askSize. */
const QUOTE_FIELDS = 8;
const QUOTE_SIGNED = 0b0101_1100;
/** Trade (after kind and flags bytes): instrumentId, seq, eventDelta±, receiveDelta±, price±, size, then a numeric tradeId (one more varint) or a string. */
const TRADE_FIELDS = 6;
const TRADE_SIGNED = 0b01_1100;
/** Bar: instrumentId, seq, eventDelta±, receiveDelta±, interval, openDelta±, open±, highDelta±, lowDelta±, closeDelta±, volume, tradeCount, vwapDelta±. */
const BAR_FIELDS = 13;
const BAR_SIGNED = 0b1_0011_1110_1100;

/**
 * Scratch space for one update's varint fields; encoding is synchronous, so one array serves every
 * call. A Float64Array rather than an array: every validated field (safe integers, trade ids above
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
    default:
      throw new TypeError(`update.kind must be 'trade', 'quote' or 'bar', got ${describe((update as { kind: unknown }).kind)}`);
  }
}

// One function per kind, each reading every field of its own update: a property load then sees one
// object shape (a shared header reader saw three and paid polymorphic loads), and the JIT knows each
// field's representation, which makes most of the validation below nearly free.

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

function writeQuote(w: Writer, q: Quote, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, bid, bidSize, ask, askSize } = q;
  const spread = ask - bid;
  if (
    !(
      isValidHeader(instrumentId, seq, eventTimeUs, receiveTimeUs) &&
      isSafeInt(bid) &&
      isSafeUint(bidSize) &&
      isSafeInt(ask) &&
      isSafeUint(askSize) &&
      isSafeInt(spread)
    )
  ) {
    assertHeader(q);
    assertSafeInt(bid, 'quote.bid');
    assertSafeUint(bidSize, 'quote.bidSize');
    assertSafeInt(ask, 'quote.ask');
    assertSafeUint(askSize, 'quote.askSize');
    assertSafeInt(spread, 'quote.ask - quote.bid');
  }
  w.u8(UpdateKind.Quote);
  s[0] = instrumentId;
  s[1] = seq;
  s[2] = eventTimeUs - baseTimeUs;
  s[3] = receiveTimeUs - eventTimeUs;
  s[4] = bid;
  s[5] = bidSize;
  s[6] = spread;
  s[7] = askSize;
  w.varints(s, QUOTE_FIELDS, QUOTE_SIGNED);
}

/** Trade: the flags byte (side, id type) comes right after the kind byte, so the varints form one run. */
function writeTrade(w: Writer, t: Trade, baseTimeUs: number): void {
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

function writeBar(w: Writer, b: Bar, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs, interval, openTimeUs, open, high, low, close, volume, tradeCount, vwap } = b;
  const highDelta = high - open;
  const lowDelta = low - open;
  const closeDelta = close - open;
  const vwapDelta = vwap - open;
  if (
    !(
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
      isSafeInt(highDelta) &&
      isSafeInt(lowDelta) &&
      isSafeInt(closeDelta) &&
      isSafeInt(vwapDelta)
    )
  ) {
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
  s[7] = highDelta;
  s[8] = lowDelta;
  s[9] = closeDelta;
  s[10] = volume;
  s[11] = tradeCount;
  s[12] = vwapDelta;
  w.varints(s, BAR_FIELDS, BAR_SIGNED);
}
