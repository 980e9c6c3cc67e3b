/**
 * Reads the updates of a batch or snapshot (docs/protocol.md §6). Each update object is created by
 * one literal per kind per path, with the same keys in the same order, so every trade (quote, bar)
 * the decoder yields has the same hidden class. The varints of an update are read in one call: on
 * the fast path, when each is below 2^32, by {@link Reader.uint32s} into a Uint32Array; otherwise (a
 * larger value, or the last bytes of a message) by {@link Reader.varints} into a generic array (see
 * there for why), then checked and turned into the object.
 */
import type { BarInterval, MarketUpdate, SessionStats, Side } from '../market/types';
import { MIN_UPDATE_BYTES, TRADE_FLAG_SIDE_MASK, TRADE_FLAG_STRING_ID, UpdateKind } from './constants';
import { protocolError } from './errors';
import type { Reader } from './reader';
import { isBarIntervalValue } from './validation';

/** Trade flags bits that may be set: side (bits 0-1) and string id (bit 2). */
const TRADE_FLAGS_DEFINED = TRADE_FLAG_SIDE_MASK | TRADE_FLAG_STRING_ID;
/** Side bits value 3 is not a {@link Side}. */
const INVALID_SIDE = 3;

// Varint fields after the kind byte, in wire order; a mask bit set = zigzag (signed) field.
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
 * Scratch space for one update's varints; decoding is synchronous, so one array serves every call.
 * It starts with non-number elements on purpose: V8 then keeps it a generic array, so small values
 * stay small integers (Smis). A number-only array would switch to unboxed doubles the first time
 * a value exceeds 2^31 (a trade id), and every field copied out of it would then be a heap-allocated
 * double in the decoded objects.
 */
// prettier-ignore
const f = [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null] as unknown as number[];

/** Reads `count:uvarint update*count`, checking the count against the bytes left before allocating. */
export function readUpdates(r: Reader, baseTimeUs: number): MarketUpdate[] {
  const count = r.uvarint();
  r.checkCount(count, MIN_UPDATE_BYTES, 'update');
  const updates = new Array<MarketUpdate>(count);
  for (let i = 0; i < count; i++) updates[i] = readUpdate(r, baseTimeUs);
  return updates;
}

function readUpdate(r: Reader, baseTimeUs: number): MarketUpdate {
  const kind = r.u8();
  if (kind === UpdateKind.Quote) return readQuote(r, baseTimeUs);
  if (kind === UpdateKind.Trade) return readTrade(r, baseTimeUs);
  if (kind === UpdateKind.Bar) return readBar(r, baseTimeUs);
  if (kind === UpdateKind.Session) return readSession(r, baseTimeUs);
  throw protocolError('TW_ERR_UNKNOWN_UPDATE_KIND', `unknown update kind ${kind}`);
}

/**
 * Scratch for the fast path: raw varint values below 2^32 (zigzag not undone). The JIT loads them as
 * untagged integers; a value below 2^31 goes into the object as a small integer, a larger one (a
 * trade id) as a heap number, just as on the general path. Measured 1.3x the decode rate of the
 * general path alone (its loop has calls and stores into a generic array).
 */
const v = new Uint32Array(16);

/** Undoes zigzag for a raw value below 2^32: an int32. */
function unzigzag(raw: number): number {
  return (raw >>> 1) ^ -(raw & 1);
}

function readQuote(r: Reader, baseTimeUs: number): MarketUpdate {
  if (!r.uint32s(QUOTE_FIELDS, v)) return readQuoteGeneral(r, baseTimeUs);
  const eventTimeUs = timestamp(baseTimeUs + unzigzag(v[2] as number));
  const bid = unzigzag(v[4] as number);
  return {
    kind: 'quote',
    instrumentId: v[0] as number,
    seq: v[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + unzigzag(v[3] as number)),
    bid,
    bidSize: v[5] as number,
    // int32 + int32: always a safe integer.
    ask: bid + unzigzag(v[6] as number),
    askSize: v[7] as number,
  };
}

function readTrade(r: Reader, baseTimeUs: number): MarketUpdate {
  const flags = r.u8();
  const side = flags & TRADE_FLAG_SIDE_MASK;
  if (flags > TRADE_FLAGS_DEFINED || side === INVALID_SIDE) throw badValue(`trade flags 0x${flags.toString(16)} are invalid`);
  const numericId = (flags & TRADE_FLAG_STRING_ID) === 0;
  if (!r.uint32s(numericId ? TRADE_FIELDS + 1 : TRADE_FIELDS, v)) return readTradeGeneral(r, baseTimeUs, side, numericId);
  const eventTimeUs = timestamp(baseTimeUs + unzigzag(v[2] as number));
  return {
    kind: 'trade',
    instrumentId: v[0] as number,
    seq: v[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + unzigzag(v[3] as number)),
    price: unzigzag(v[4] as number),
    size: v[5] as number,
    side: side as Side,
    tradeId: numericId ? (v[6] as number) : r.string(),
  };
}

function readBar(r: Reader, baseTimeUs: number): MarketUpdate {
  if (!r.uint32s(BAR_FIELDS, v)) return readBarGeneral(r, baseTimeUs);
  const eventTimeUs = timestamp(baseTimeUs + unzigzag(v[2] as number));
  const interval = v[4] as number;
  if (!isBarIntervalValue(interval)) throw badValue(`bar interval ${interval} is not one of BAR_INTERVALS`);
  const open = unzigzag(v[6] as number);
  // open and each delta are int32, so every price below is a safe integer.
  return {
    kind: 'bar',
    instrumentId: v[0] as number,
    seq: v[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + unzigzag(v[3] as number)),
    interval: interval as BarInterval,
    openTimeUs: timestamp(baseTimeUs + unzigzag(v[5] as number)),
    open,
    high: open + unzigzag(v[7] as number),
    low: open + unzigzag(v[8] as number),
    close: open + unzigzag(v[9] as number),
    volume: v[10] as number,
    tradeCount: v[11] as number,
    vwap: open + unzigzag(v[12] as number),
  };
}

// General path: any varints up to 8 bytes (values up to 2^53-1), and the last bytes of a message.
// One function per kind: each stays small enough for the JIT to inline its varint run into it
// (one function for all three kinds exceeded the inlining budget, and trades paid a real call).

function readQuoteGeneral(r: Reader, baseTimeUs: number): MarketUpdate {
  r.varints(QUOTE_FIELDS, QUOTE_SIGNED, f);
  const eventTimeUs = timestamp(baseTimeUs + (f[2] as number));
  const bid = f[4] as number;
  const ask = bid + (f[6] as number);
  if (!Number.isSafeInteger(ask)) throw badValue('quote ask falls outside the safe integer range');
  return {
    kind: 'quote',
    instrumentId: f[0] as number,
    seq: f[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + (f[3] as number)),
    bid,
    bidSize: f[5] as number,
    ask,
    askSize: f[7] as number,
  };
}

function readTradeGeneral(r: Reader, baseTimeUs: number, side: number, numericId: boolean): MarketUpdate {
  r.varints(numericId ? TRADE_FIELDS + 1 : TRADE_FIELDS, TRADE_SIGNED, f);
  const eventTimeUs = timestamp(baseTimeUs + (f[2] as number));
  return {
    kind: 'trade',
    instrumentId: f[0] as number,
    seq: f[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + (f[3] as number)),
    price: f[4] as number,
    size: f[5] as number,
    side: side as Side,
    tradeId: numericId ? (f[6] as number) : r.string(),
  };
}

function readBarGeneral(r: Reader, baseTimeUs: number): MarketUpdate {
  r.varints(BAR_FIELDS, BAR_SIGNED, f);
  const eventTimeUs = timestamp(baseTimeUs + (f[2] as number));
  const interval = f[4] as number;
  if (!isBarIntervalValue(interval)) throw badValue(`bar interval ${interval} is not one of BAR_INTERVALS`);
  const open = f[6] as number;
  return {
    kind: 'bar',
    instrumentId: f[0] as number,
    seq: f[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + (f[3] as number)),
    interval: interval as BarInterval,
    openTimeUs: timestamp(baseTimeUs + (f[5] as number)),
    open,
    high: price(open + (f[7] as number)),
    low: price(open + (f[8] as number)),
    close: price(open + (f[9] as number)),
    volume: f[10] as number,
    tradeCount: f[11] as number,
    vwap: price(open + (f[12] as number)),
  };
}

/** Session statistics: general path only (one per instrument in snapshots and conflated batches). */
function readSession(r: Reader, baseTimeUs: number): SessionStats {
  r.varints(SESSION_FIELDS, SESSION_SIGNED, f);
  const eventTimeUs = timestamp(baseTimeUs + (f[2] as number));
  const open = f[5] as number;
  return {
    kind: 'session',
    instrumentId: f[0] as number,
    seq: f[1] as number,
    eventTimeUs,
    receiveTimeUs: timestamp(eventTimeUs + (f[3] as number)),
    startTimeUs: timestamp(baseTimeUs + (f[4] as number)),
    open,
    high: price(open + (f[6] as number), 'session'),
    low: price(open + (f[7] as number), 'session'),
    close: price(open + (f[8] as number), 'session'),
    volume: f[9] as number,
    tradeCount: f[10] as number,
  };
}

/** A base + delta time must land in 0 .. 2^53-1 µs. */
function timestamp(us: number): number {
  if (us >= 0 && us <= Number.MAX_SAFE_INTEGER) return us;
  throw badValue(`update time ${us} falls outside 0 .. 2^53-1 µs`);
}

/** An anchor + delta price must stay a safe integer. */
function price(value: number, kind: 'bar' | 'session' = 'bar'): number {
  if (Number.isSafeInteger(value)) return value;
  throw badValue(`${kind} price falls outside the safe integer range`);
}

function badValue(message: string) {
  return protocolError('TW_ERR_BAD_VALUE', message);
}
