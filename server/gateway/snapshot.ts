/**
 * Builds `snapshot` messages from history: a fresh one (recent bars, recent trades, the session
 * figures, the last quote) or, when the client's resume position is still held, exactly the ticks
 * it missed ("recovered"). A pair whose instrument's ticks already flow to the connection gets a
 * bars-only snapshot: the same, without ticks or figures (docs/protocol.md §2.3).
 */
import type { BarInterval, MarketUpdate } from '../../lib/market/types';
import type { SnapshotMessage } from '../../lib/protocol/messages';
import type { Bar } from '../../lib/market/types';
import type { HistoryStore } from '../history/types';

/**
 * Bars older than memory holds, for a fresh snapshot whose in-memory bars are fewer than asked
 * (the all-in-one feed asks its history store): up to `count` bars of the instrument's `interval`
 * opening before `beforeOpenTimeUs`, oldest first; none when it has none or cannot answer.
 */
export type OlderBarsLookup = (instrumentId: number, interval: BarInterval, beforeOpenTimeUs: number, count: number) => readonly Bar[];

export interface SnapshotRequest {
  readonly requestId: number;
  readonly instrumentId: number;
  readonly interval: BarInterval | 0;
  /** Last sequence the client saw in the server's current epoch, or undefined when not resuming. */
  readonly resumeFromSeq: number | undefined;
  /** Trades in a fresh snapshot. */
  readonly trades: number;
  /** Bars in a fresh snapshot. */
  readonly bars: number;
  /**
   * Only the interval's bars (fresh: the last `bars`; recovered: those with seq > the resume
   * position): the connection already holds another pair of the instrument, so its ticks flow.
   */
  readonly barsOnly: boolean;
}

/**
 * Answers one (instrument, interval) pair of a subscribe. The snapshot's `seq` is always the
 * instrument's current seq. A fresh snapshot whose memory holds fewer than `request.bars` bars
 * fills the rest with older ones from `olderBars`, when given.
 */
export function buildSnapshot(history: HistoryStore, request: SnapshotRequest, olderBars?: OlderBarsLookup): SnapshotMessage {
  const { requestId, instrumentId, interval, resumeFromSeq, barsOnly } = request;
  const seq = history.lastSeq(instrumentId);
  if (resumeFromSeq !== undefined && resumeFromSeq <= seq) {
    const missed = history.ticksAfter(instrumentId, resumeFromSeq);
    if (missed) {
      const updates: MarketUpdate[] = barsOnly ? [] : [...missed];
      // Bars the missed trades changed, so a chart catches up without folding trades itself.
      if (interval !== 0) {
        for (const bar of history.bars(instrumentId, interval)) if (bar.seq > resumeFromSeq) updates.push(bar);
      }
      return { type: 'snapshot', requestId, instrumentId, recovered: true, barsOnly, seq, interval, updates };
    }
  }
  // Oldest to newest: bars, then trades, then the session figures and the quote (docs/protocol.md §2.3).
  const updates: MarketUpdate[] = [];
  if (interval !== 0 && request.bars > 0) {
    const recent = history.bars(instrumentId, interval, request.bars);
    if (olderBars !== undefined && recent.length < request.bars) {
      updates.push(...olderBars(instrumentId, interval, recent[0]?.openTimeUs ?? Number.MAX_SAFE_INTEGER, request.bars - recent.length));
    }
    updates.push(...recent);
  }
  if (barsOnly) return { type: 'snapshot', requestId, instrumentId, recovered: false, barsOnly, seq, interval, updates };
  if (request.trades > 0) updates.push(...history.recentTrades(instrumentId, request.trades));
  const session = history.session(instrumentId);
  if (session) updates.push(session);
  const quote = history.lastQuote(instrumentId);
  if (quote) updates.push(quote);
  return { type: 'snapshot', requestId, instrumentId, recovered: false, barsOnly, seq, interval, updates };
}
