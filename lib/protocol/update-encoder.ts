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

/**
 * Appends `update` relative to `baseTimeUs` (a validated non-negative safe integer, µs).
 * Throws TypeError/RangeError naming the field on invalid input; the writer may then hold a partial
 * update, so callers reset it before the next message.
 */
export function writeUpdate(w: Writer, update: MarketUpdate, baseTimeUs: number): void {
  if (typeof update !== 'object' || update === null) throw new TypeError(`update must be an object, got ${describe(update)}`);
  w.ensure(MAX_UPDATE_FIXED_BYTES);
  switch (update.kind) {
    case 'trade':
      writeHeader(w, UpdateKind.Trade, update, baseTimeUs);
      writeTradeBody(w, update);
      return;
    case 'quote':
      writeHeader(w, UpdateKind.Quote, update, baseTimeUs);
      writeQuoteBody(w, update);
      return;
    case 'bar':
      writeHeader(w, UpdateKind.Bar, update, baseTimeUs);
      writeBarBody(w, update, baseTimeUs);
      return;
    default:
      throw new TypeError(`update.kind must be 'trade', 'quote' or 'bar', got ${describe((update as { kind: unknown }).kind)}`);
  }
}

function writeHeader(w: Writer, kind: UpdateKind, u: MarketUpdate, baseTimeUs: number): void {
  const { instrumentId, seq, eventTimeUs, receiveTimeUs } = u;
  if (!(isSafeUint(instrumentId) && isSafeUint(seq) && isSafeUint(eventTimeUs) && isSafeUint(receiveTimeUs))) {
    assertSafeUint(instrumentId, `${u.kind}.instrumentId`);
    assertSafeUint(seq, `${u.kind}.seq`);
    assertSafeUint(eventTimeUs, `${u.kind}.eventTimeUs`);
    assertSafeUint(receiveTimeUs, `${u.kind}.receiveTimeUs`);
  }
  w.u8(kind);
  w.uvarint(instrumentId);
  w.uvarint(seq);
  w.svarint(eventTimeUs - baseTimeUs);
  w.svarint(receiveTimeUs - eventTimeUs);
}

function writeTradeBody(w: Writer, t: Trade): void {
  const { price, size, side, tradeId } = t;
  if (!(isSafeInt(price) && isSafeUint(size) && isSide(side))) {
    assertSafeInt(price, 'trade.price');
    assertSafeUint(size, 'trade.size');
    assertValue(isSide(side), side, 'trade.side', 'a Side (0, 1 or 2)');
  }
  w.svarint(price);
  w.uvarint(size);
  if (typeof tradeId === 'string') {
    w.u8(side | TRADE_FLAG_STRING_ID);
    w.string(tradeId, 'trade.tradeId');
    return;
  }
  if (!isSafeUint(tradeId)) {
    if (typeof tradeId !== 'number') assertString(tradeId, 'trade.tradeId');
    assertSafeUint(tradeId, 'trade.tradeId');
  }
  w.u8(side);
  w.uvarint(tradeId);
}

function writeQuoteBody(w: Writer, q: Quote): void {
  const { bid, bidSize, ask, askSize } = q;
  const spread = ask - bid;
  if (!(isSafeInt(bid) && isSafeUint(bidSize) && isSafeInt(ask) && isSafeUint(askSize) && isSafeInt(spread))) {
    assertSafeInt(bid, 'quote.bid');
    assertSafeUint(bidSize, 'quote.bidSize');
    assertSafeInt(ask, 'quote.ask');
    assertSafeUint(askSize, 'quote.askSize');
    assertSafeInt(spread, 'quote.ask - quote.bid');
  }
  w.svarint(bid);
  w.uvarint(bidSize);
  w.svarint(spread);
  w.uvarint(askSize);
}

function writeBarBody(w: Writer, b: Bar, baseTimeUs: number): void {
  const { interval, openTimeUs, open, volume, tradeCount } = b;
  const highDelta = b.high - open;
  const lowDelta = b.low - open;
  const closeDelta = b.close - open;
  const vwapDelta = b.vwap - open;
  if (
    !(
      isBarIntervalValue(interval) &&
      isSafeUint(openTimeUs) &&
      isSafeInt(open) &&
      isSafeUint(volume) &&
      isSafeUint(tradeCount) &&
      isSafeInt(b.high) &&
      isSafeInt(b.low) &&
      isSafeInt(b.close) &&
      isSafeInt(b.vwap) &&
      isSafeInt(highDelta) &&
      isSafeInt(lowDelta) &&
      isSafeInt(closeDelta) &&
      isSafeInt(vwapDelta)
    )
  ) {
    assertValue(isBarIntervalValue(interval), interval, 'bar.interval', 'one of BAR_INTERVALS (seconds)');
    assertSafeUint(openTimeUs, 'bar.openTimeUs');
    assertSafeUint(volume, 'bar.volume');
    assertSafeUint(tradeCount, 'bar.tradeCount');
    for (const field of ['open', 'high', 'low', 'close', 'vwap'] as const) assertSafeInt(b[field], `bar.${field}`);
    for (const field of ['high', 'low', 'close', 'vwap'] as const) assertSafeInt(b[field] - open, `bar.${field} - bar.open`);
  }
  w.uvarint(interval);
  w.svarint(openTimeUs - baseTimeUs);
  w.svarint(open);
  w.svarint(highDelta);
  w.svarint(lowDelta);
  w.svarint(closeDelta);
  w.uvarint(volume);
  w.uvarint(tradeCount);
  w.svarint(vwapDelta);
}
