/**
 * The `history` request (capability `history`, docs/protocol.md §2.12): checks it, asks the injected
 * {@link HistoryPages} for the page, and answers `historyPage` or one `error`. Never closes the
 * connection: a failing, slow or misbehaving history source is `error HistoryUnavailable` with the
 * reason, so no request can make the server answer 1011.
 */
import { isBarInterval, type BarInterval } from '../../lib/market/types';
import { ErrorCode, MAX_HISTORY_PAGE_BARS, MAX_STRING_BYTES } from '../../lib/protocol/constants';
import type { HistoryRequestMessage } from '../../lib/protocol/messages';
import { historyBarsProblem, isHistoryCount } from '../../lib/protocol/validation';
import { clipUtf8 } from '../../lib/text/fit-utf8';
import type { HistoryPageResult, HistoryPages } from '../history/types';
import type { Connection } from './connection';
import type { RequestContext } from './requests';

/** What a `history` request needs beyond the {@link RequestContext}. */
export interface HistoryRequestContext extends RequestContext {
  /** The source of pages; undefined when this gateway serves no history. */
  readonly historyPages: HistoryPages | undefined;
}

/** The `error` text for a gateway without a history source. */
export const HISTORY_NOT_SERVED = 'History is not served here (hello.capabilities lacks "history")';

/**
 * Answers one `history` request. Resolves once the answer (page or error) was sent, or at once
 * when the connection closed meanwhile; never rejects.
 */
export async function handleHistoryRequest(
  connection: Connection,
  message: HistoryRequestMessage,
  ctx: HistoryRequestContext,
): Promise<void> {
  const { requestId } = message;
  const fail = (code: ErrorCode, text: string): void => {
    if (!connection.closing) connection.send({ type: 'error', requestId, code, message: clipUtf8(text, MAX_STRING_BYTES) }, ctx.nowMs());
  };
  const pages = ctx.historyPages;
  if (pages === undefined) return fail(ErrorCode.HistoryUnavailable, HISTORY_NOT_SERVED);
  const interval = message.interval;
  if (!isBarInterval(interval) || !(ctx.intervals as readonly number[]).includes(interval)) {
    return fail(ErrorCode.BadInterval, `Interval ${interval} s has no history here; use one of ${ctx.intervals.join(', ')} (seconds)`);
  }
  if (!isHistoryCount(message.count)) {
    return fail(ErrorCode.BadRequest, `History count ${message.count} is outside 1..${MAX_HISTORY_PAGE_BARS} bars`);
  }
  const found = ctx.symbols.resolve(message.symbol);
  if (found.kind === 'ambiguous') {
    const candidates = found.candidates.map((c) => c.symbol).join(' or ');
    return fail(ErrorCode.UnknownInstrument, `Ambiguous instrument(s), name the venue: ${message.symbol} (${candidates})`);
  }
  if (found.kind !== 'found') return fail(ErrorCode.UnknownInstrument, `Unknown instrument(s): ${message.symbol}`);
  const instrumentId = found.instrument.id;

  let result: HistoryPageResult;
  try {
    result = await withTimeout(pages.page(instrumentId, interval, message.endTimeUs, message.count), ctx.options.historyTimeoutMs);
  } catch (error) {
    return fail(ErrorCode.HistoryUnavailable, `History unavailable: ${reasonOf(error)}`);
  }
  if (connection.closing) return;
  const problem = pageProblem(result, instrumentId, interval, message);
  if (problem !== undefined) return fail(ErrorCode.HistoryUnavailable, `History unavailable: the history source ${problem}`);
  try {
    connection.send({ type: 'historyPage', requestId, instrumentId, interval, bars: result.bars, more: result.more }, ctx.nowMs());
  } catch (error) {
    // A bar the encoder refuses (a price out of range): the source's fault, reported as such.
    fail(ErrorCode.HistoryUnavailable, `History unavailable: the history source returned a bar that cannot be sent (${reasonOf(error)})`);
  }
}

/** Why `result` cannot be the page asked for, or undefined when it can. */
function pageProblem(result: unknown, instrumentId: number, interval: BarInterval, message: HistoryRequestMessage): string | undefined {
  if (typeof result !== 'object' || result === null) return 'returned no page';
  const { bars, more } = result as Partial<HistoryPageResult>;
  if (!Array.isArray(bars) || typeof more !== 'boolean') return 'returned a page without bars or more';
  if (bars.length > message.count) return `returned ${bars.length} bars for a count of ${message.count}`;
  if (bars.some((bar) => typeof bar !== 'object' || bar === null)) return 'returned a bar that is not an object';
  const problem = historyBarsProblem(bars as readonly { kind: string }[], instrumentId, interval);
  if (problem !== undefined) return `returned a page that ${problem}`;
  const end = message.endTimeUs;
  if (end !== 0 && bars.length > 0 && (bars[bars.length - 1] as { openTimeUs: number }).openTimeUs >= end) {
    return `returned a bar opening at or after endTimeUs ${end}`;
  }
  return undefined;
}

/** The message of anything thrown or rejected with. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text === '' ? 'the history source failed' : text;
}

/** `promise`, or a rejection naming the wait when it takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${formatSeconds(ms)}`)), ms);
    timer.unref?.();
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
