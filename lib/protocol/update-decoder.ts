/**
 * Reads the updates of a batch or snapshot (docs/protocol.md §5). Each update object is created by
 * one literal per kind, so every trade (quote, bar) the decoder yields has the same hidden class.
 */
import type { Bar, BarInterval, MarketUpdate, Quote, Side, Trade } from '../market/types';
import { MIN_UPDATE_BYTES, TRADE_FLAG_SIDE_MASK, TRADE_FLAG_STRING_ID, UpdateKind } from './constants';
import { protocolError } from './errors';
import type { Reader } from './reader';
import { isBarIntervalValue } from './validation';

/** Trade flags bits that may be set: side (bits 0-1) and string id (bit 2). */
const TRADE_FLAGS_DEFINED = TRADE_FLAG_SIDE_MASK | TRADE_FLAG_STRING_ID;
/** Side bits value 3 is not a {@link Side}. */
const INVALID_SIDE = 3;

/** Reads `count:uvarint update*count`, checking the count against the bytes left before allocating. */
export function readUpdates(r: Reader, baseTimeUs: number): MarketUpdate[] {
  const count = r.uvarint();
  r.checkCount(count, MIN_UPDATE_BYTES, 'update');
  const updates: MarketUpdate[] = [];
  for (let i = 0; i < count; i++) updates.push(readUpdate(r, baseTimeUs));
  return updates;
}

function readUpdate(r: Reader, baseTimeUs: number): MarketUpdate {
  const kind = r.u8();
  if (kind < UpdateKind.Trade || kind > UpdateKind.Bar) throw protocolError('TW_ERR_UNKNOWN_UPDATE_KIND', `unknown update kind ${kind}`);
  const instrumentId = r.uvarint();
  const seq = r.uvarint();
  const eventTimeUs = baseTimeUs + r.svarint();
  const receiveTimeUs = eventTimeUs + r.svarint();
  if (!(eventTimeUs >= 0 && eventTimeUs <= Number.MAX_SAFE_INTEGER && receiveTimeUs >= 0 && receiveTimeUs <= Number.MAX_SAFE_INTEGER)) {
    throw badValue('update timestamps fall outside 0 .. 2^53-1 µs');
  }
  switch (kind) {
    case UpdateKind.Quote:
      return readQuote(r, instrumentId, seq, eventTimeUs, receiveTimeUs);
    case UpdateKind.Trade:
      return readTrade(r, instrumentId, seq, eventTimeUs, receiveTimeUs);
    default:
      return readBar(r, instrumentId, seq, eventTimeUs, receiveTimeUs, baseTimeUs);
  }
}

function readTrade(r: Reader, instrumentId: number, seq: number, eventTimeUs: number, receiveTimeUs: number): Trade {
  const price = r.svarint();
  const size = r.uvarint();
  const flags = r.u8();
  const side = flags & TRADE_FLAG_SIDE_MASK;
  if (flags > TRADE_FLAGS_DEFINED || side === INVALID_SIDE) throw badValue(`trade flags 0x${flags.toString(16)} are invalid`);
  const tradeId = (flags & TRADE_FLAG_STRING_ID) === 0 ? r.uvarint() : r.string();
  return { kind: 'trade', instrumentId, seq, eventTimeUs, receiveTimeUs, price, size, side: side as Side, tradeId };
}

function readQuote(r: Reader, instrumentId: number, seq: number, eventTimeUs: number, receiveTimeUs: number): Quote {
  const bid = r.svarint();
  const bidSize = r.uvarint();
  const ask = bid + r.svarint();
  const askSize = r.uvarint();
  if (!Number.isSafeInteger(ask)) throw badValue('quote ask falls outside the safe integer range');
  return { kind: 'quote', instrumentId, seq, eventTimeUs, receiveTimeUs, bid, bidSize, ask, askSize };
}

function readBar(r: Reader, instrumentId: number, seq: number, eventTimeUs: number, receiveTimeUs: number, baseTimeUs: number): Bar {
  const interval = r.uvarint();
  if (!isBarIntervalValue(interval)) throw badValue(`bar interval ${interval} is not one of BAR_INTERVALS`);
  const openTimeUs = baseTimeUs + r.svarint();
  const open = r.svarint();
  const high = open + r.svarint();
  const low = open + r.svarint();
  const close = open + r.svarint();
  const volume = r.uvarint();
  const tradeCount = r.uvarint();
  const vwap = open + r.svarint();
  if (!(openTimeUs >= 0 && openTimeUs <= Number.MAX_SAFE_INTEGER)) throw badValue('bar openTimeUs falls outside 0 .. 2^53-1 µs');
  if (!(Number.isSafeInteger(high) && Number.isSafeInteger(low) && Number.isSafeInteger(close) && Number.isSafeInteger(vwap))) {
    throw badValue('bar price falls outside the safe integer range');
  }
  return {
    kind: 'bar',
    instrumentId,
    seq,
    eventTimeUs,
    receiveTimeUs,
    interval: interval as BarInterval,
    openTimeUs,
    open,
    high,
    low,
    close,
    volume,
    tradeCount,
    vwap,
  };
}

function badValue(message: string) {
  return protocolError('TW_ERR_BAD_VALUE', message);
}
