/**
 * Folding trades and quotes into a {@link Ticker}. The store copies a ticker at most once per
 * frame ({@link draftTicker}) and then mutates the copy for every update of that frame, so a burst
 * of 300 updates for one instrument costs one allocation, not 300.
 */
import type { Quote, Trade } from '../market/types';
import type { Ticker } from './types';

/** A ticker the store may mutate while applying one frame's updates. */
export type TickerDraft = { -readonly [K in keyof Ticker]: Ticker[K] };

/** A ticker for an instrument nothing has been seen for yet. */
export function emptyTicker(instrumentId: number): Ticker {
  return {
    instrumentId,
    last: undefined,
    lastSize: undefined,
    lastSide: undefined,
    lastTimeUs: undefined,
    bid: undefined,
    bidSize: undefined,
    ask: undefined,
    askSize: undefined,
    open: undefined,
    high: undefined,
    low: undefined,
    volume: 0,
    direction: 0,
    tickCount: 0,
    lastMovedAtMs: 0,
    bidDirection: 0,
    bidMovedAtMs: 0,
    askDirection: 0,
    askMovedAtMs: 0,
    seq: 0,
  };
}

/** A mutable copy of `ticker` (or of an empty one). */
export function draftTicker(ticker: Ticker | undefined, instrumentId: number): TickerDraft {
  return { ...(ticker ?? emptyTicker(instrumentId)) };
}

/**
 * Applies a trade: last price and size, direction of the move, session open/high/low/volume.
 * `nowMs` is the frame time, recorded when the price moves. Returns false (and changes nothing)
 * for a trade at or below the sequence already applied, which happens when a snapshot and a live
 * batch overlap.
 */
export function applyTrade(draft: TickerDraft, trade: Trade, nowMs: number): boolean {
  if (trade.seq !== 0 && trade.seq <= draft.seq) return false;
  if (draft.last !== undefined && trade.price !== draft.last) {
    draft.direction = trade.price > draft.last ? 1 : -1;
    draft.tickCount += 1;
    draft.lastMovedAtMs = nowMs;
  }
  draft.last = trade.price;
  draft.lastSize = trade.size;
  draft.lastSide = trade.side;
  draft.lastTimeUs = trade.eventTimeUs;
  draft.open ??= trade.price;
  draft.high = draft.high === undefined ? trade.price : Math.max(draft.high, trade.price);
  draft.low = draft.low === undefined ? trade.price : Math.min(draft.low, trade.price);
  draft.volume += trade.size;
  if (trade.seq > draft.seq) draft.seq = trade.seq;
  return true;
}

/**
 * Applies a top-of-book quote; `nowMs` (frame time) is recorded for a side that moved. Returns
 * false for a stale (already applied) sequence.
 */
export function applyQuote(draft: TickerDraft, quote: Quote, nowMs: number): boolean {
  if (quote.seq !== 0 && quote.seq <= draft.seq) return false;
  if (draft.bid !== undefined && quote.bid !== draft.bid) {
    draft.bidDirection = quote.bid > draft.bid ? 1 : -1;
    draft.bidMovedAtMs = nowMs;
  }
  if (draft.ask !== undefined && quote.ask !== draft.ask) {
    draft.askDirection = quote.ask > draft.ask ? 1 : -1;
    draft.askMovedAtMs = nowMs;
  }
  draft.bid = quote.bid;
  draft.bidSize = quote.bidSize;
  draft.ask = quote.ask;
  draft.askSize = quote.askSize;
  if (quote.seq > draft.seq) draft.seq = quote.seq;
  return true;
}

/**
 * Change from the session open as a fraction of the open's size (0.0125 = +1.25 %), or undefined
 * before a trade or for a zero open. Divided by |open| so that its sign is the move's even when
 * prices are negative (spreads, some futures). Mantissas share a scale, so the ratio is the price ratio.
 */
export function sessionChange(ticker: Ticker): number | undefined {
  if (ticker.last === undefined || ticker.open === undefined || ticker.open === 0) return undefined;
  return (ticker.last - ticker.open) / Math.abs(ticker.open);
}

/** Ask minus bid as a mantissa, or undefined without a two-sided quote. */
export function spread(ticker: Ticker): number | undefined {
  if (ticker.bid === undefined || ticker.ask === undefined) return undefined;
  return ticker.ask - ticker.bid;
}
