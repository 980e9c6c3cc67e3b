/**
 * Folding trades and quotes into a {@link Ticker}. The store copies a ticker at most once per
 * frame ({@link draftTicker}) and then mutates the copy for every update of that frame, so a burst
 * of 300 updates for one instrument costs one allocation, not 300.
 */
import { foldSessionTrade } from '../market/session';
import type { Quote, SessionStats, Trade } from '../market/types';
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
    sessionStartUs: undefined,
    open: undefined,
    high: undefined,
    low: undefined,
    volume: 0,
    sessionTrades: 0,
    sessionSeq: 0,
    lastTradeSeq: 0,
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

/** Sets the last price, recording the direction and the frame time when it moved. */
function moveLast(draft: TickerDraft, price: number, nowMs: number): void {
  if (draft.last !== undefined && price !== draft.last) {
    draft.direction = price > draft.last ? 1 : -1;
    draft.tickCount += 1;
    draft.lastMovedAtMs = nowMs;
  }
  draft.last = price;
}

/**
 * Applies a trade: last price and size, direction of the move, and the trade folded into the
 * session figures (lib/market/session.ts). `nowMs` is the frame time, recorded when the price
 * moves. Returns false (and changes nothing) for a trade at or below the sequence already applied,
 * which happens when a snapshot and a live batch overlap.
 */
export function applyTrade(draft: TickerDraft, trade: Trade, nowMs: number): boolean {
  if (trade.seq !== 0 && trade.seq <= draft.seq) return false;
  moveLast(draft, trade.price, nowMs);
  draft.lastSize = trade.size;
  draft.lastSide = trade.side;
  draft.lastTimeUs = trade.eventTimeUs;
  if (foldSessionTrade(draft, trade.price, trade.size, trade.eventTimeUs)) draft.sessionSeq = trade.seq;
  if (trade.seq > draft.lastTradeSeq) draft.lastTradeSeq = trade.seq;
  if (trade.seq > draft.seq) draft.seq = trade.seq;
  return true;
}

/**
 * Applies the feed's session figures, which count every trade of the session up to `stats.seq`,
 * including any this page never received (before it connected, or dropped while it was
 * conflated). They replace the ticker's own unless it has already folded a later trade. When they
 * are newer than the last trade applied, their close becomes the last price (its size and side
 * are not known and keep their previous values). Returns false when they are older.
 */
export function applySession(draft: TickerDraft, stats: SessionStats, nowMs: number): boolean {
  if (stats.seq < draft.sessionSeq) return false;
  draft.sessionStartUs = stats.startTimeUs;
  draft.open = stats.open;
  draft.high = stats.high;
  draft.low = stats.low;
  draft.volume = stats.volume;
  draft.sessionTrades = stats.tradeCount;
  draft.sessionSeq = stats.seq;
  if (stats.seq > draft.lastTradeSeq) {
    moveLast(draft, stats.close, nowMs);
    draft.lastTimeUs = stats.eventTimeUs;
    draft.lastTradeSeq = stats.seq;
  }
  if (stats.seq > draft.seq) draft.seq = stats.seq;
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
