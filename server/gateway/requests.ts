/**
 * Client requests: subscribe, unsubscribe, ping, pong (`history` is async: history-requests.ts). A subscription is a pair (instrument, bar
 * interval), `all` a pseudo-instrument (docs/protocol.md §2.3). A bad request gets an `error` message
 * with the request id and the connection stays open; only abuse (rate, size, malformed frames)
 * closes it. No request can make the server fail to answer (close 1011): error texts that quote
 * client input are clipped to the protocol's string limit.
 */
import type { SymbolIndex } from '../../lib/market/symbols';
import type { BarInterval, Instrument } from '../../lib/market/types';
import { ErrorCode, MAX_STRING_BYTES } from '../../lib/protocol/constants';
import { clipUtf8 } from '../../lib/text/fit-utf8';
import type { ClientMessage, SubscribeMessage, UnsubscribeMessage } from '../../lib/protocol/messages';
import type { HistoryStore } from '../history/types';
import type { GatewayOptions } from './options';
import type { Connection } from './connection';
import { buildSnapshot, type OlderBarsLookup } from './snapshot';

/** What request handling needs from the gateway. */
export interface RequestContext {
  readonly options: GatewayOptions;
  readonly history: HistoryStore;
  /** Older bars than memory holds, for fresh snapshots (the feed's history store), if any. */
  readonly olderBars?: OlderBarsLookup;
  readonly epoch: number;
  /**
   * Instrument by name, from the current table: the full name ("SIM:BTC-USD") or a bare symbol
   * ("BTC-USD") that only one venue lists.
   */
  readonly symbols: SymbolIndex<Instrument>;
  /** Every instrument id in the current table. */
  readonly instrumentIds: () => Iterable<number>;
  /** Bar intervals (s) history builds, ascending: what `hello.intervals` offers. */
  readonly intervals: readonly BarInterval[];
  readonly nowMs: () => number;
  readonly nowUs: () => number;
}

/** Handles one decoded client message. */
export function handleClientMessage(connection: Connection, message: ClientMessage, ctx: RequestContext): void {
  switch (message.type) {
    case 'subscribe':
      handleSubscribe(connection, message, ctx);
      return;
    case 'unsubscribe':
      handleUnsubscribe(connection, message, ctx);
      return;
    case 'ping':
      connection.send({ type: 'pong', nonce: message.nonce, sentTimeUs: message.sentTimeUs }, ctx.nowMs());
      return;
    case 'pong':
      connection.markPongReceived(message.nonce, ctx.nowUs());
      return;
    case 'history':
      // Async: the gateway queues it (Gateway.dispatch, history-requests.ts) and never routes it here.
      throw new Error('history requests are handled by handleHistoryRequest');
  }
}

/**
 * Sends an `error`. Its text may quote the client's own names (up to ten unknown symbols of up to
 * 1024 bytes each), so it is clipped to the protocol's string limit: the answer always encodes.
 */
function sendError(connection: Connection, requestId: number, code: ErrorCode, text: string, nowMs: number): void {
  connection.send({ type: 'error', requestId, code, message: clipUtf8(text, MAX_STRING_BYTES) }, nowMs);
}

/**
 * The request's interval when it is 0 (no bars) or one history builds; otherwise answers
 * `error BadInterval` naming the offered intervals and returns undefined.
 */
function acceptInterval(connection: Connection, requestId: number, interval: number, ctx: RequestContext): BarInterval | 0 | undefined {
  if (interval === 0 || (ctx.intervals as readonly number[]).includes(interval)) return interval as BarInterval | 0;
  const offered = ctx.intervals.join(', ');
  sendError(
    connection,
    requestId,
    ErrorCode.BadInterval,
    `Interval ${interval} s is not built here; use 0 (no bars) or one of ${offered} (seconds)`,
    ctx.nowMs(),
  );
  return undefined;
}

/** Most names listed in one error message. */
const MAX_NAMES_IN_ERROR = 10;

/** Names that did not resolve: unknown ones, and ambiguous bare symbols with their candidates. */
interface Unresolved {
  readonly unknown: string[];
  readonly ambiguous: string[];
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES_IN_ERROR).join(', ');
  return names.length > MAX_NAMES_IN_ERROR ? `${shown}, and ${names.length - MAX_NAMES_IN_ERROR} more` : shown;
}

/** The error text for names that did not resolve, e.g. "Unknown instrument(s): X; ambiguous: BTC-USD (SIM:BTC-USD or CB:BTC-USD)". */
function unresolvedText(unresolved: Unresolved): string {
  const parts: string[] = [];
  if (unresolved.unknown.length > 0) parts.push(`Unknown instrument(s): ${listNames(unresolved.unknown)}`);
  if (unresolved.ambiguous.length > 0) parts.push(`Ambiguous instrument(s), name the venue: ${listNames(unresolved.ambiguous)}`);
  return parts.join('; ');
}

/** Resolves one name, recording it in `unresolved` when it does not name exactly one instrument. */
function resolveName(ctx: RequestContext, name: string, unresolved: Unresolved): Instrument | undefined {
  const result = ctx.symbols.resolve(name);
  if (result.kind === 'found') return result.instrument;
  if (result.kind === 'ambiguous') unresolved.ambiguous.push(`${name} (${result.candidates.map((c) => c.symbol).join(' or ')})`);
  else unresolved.unknown.push(name);
  return undefined;
}

function handleSubscribe(connection: Connection, message: SubscribeMessage, ctx: RequestContext): void {
  const now = ctx.nowMs();
  const interval = acceptInterval(connection, message.requestId, message.interval, ctx);
  if (interval === undefined) return;
  const resolved: { instrument: Instrument; lastSeq: number }[] = [];
  const unresolved: Unresolved = { unknown: [], ambiguous: [] };
  // One entry per instrument: a name repeated (or given both bare and in full) must not earn
  // another snapshot, or a 16 KiB request naming one symbol a thousand times would queue a
  // thousand snapshots. The first entry's resume position wins.
  const seen = new Set<number>();
  for (const entry of message.symbols) {
    const instrument = resolveName(ctx, entry.symbol, unresolved);
    if (instrument === undefined || seen.has(instrument.id)) continue;
    seen.add(instrument.id);
    resolved.push({ instrument, lastSeq: entry.lastSeq });
  }
  // Atomic: a request naming an unknown symbol changes nothing, so the client's view stays simple.
  // Symbols listed with an `all` subscription carry resume positions only; an unknown one is skipped.
  if ((unresolved.unknown.length > 0 || unresolved.ambiguous.length > 0) && !message.all) {
    sendError(connection, message.requestId, ErrorCode.UnknownInstrument, unresolvedText(unresolved), now);
    return;
  }
  const added = message.all
    ? connection.holdsAll(interval)
      ? 0
      : 1
    : resolved.filter((r) => !connection.holdsPair(r.instrument.id, interval)).length;
  if (connection.subscriptionCount() + added > ctx.options.maxSubscriptionsPerConnection) {
    sendError(
      connection,
      message.requestId,
      ErrorCode.TooManySubscriptions,
      `At most ${ctx.options.maxSubscriptionsPerConnection} subscriptions (instrument, interval pairs) per connection`,
      now,
    );
    return;
  }

  const resumeSeq = new Map<number, number>();
  if (message.resumeEpoch !== 0 && message.resumeEpoch === ctx.epoch) {
    for (const r of resolved) if (r.lastSeq > 0) resumeSeq.set(r.instrument.id, r.lastSeq);
  }
  const targets = message.all ? [...ctx.instrumentIds()] : resolved.map((r) => r.instrument.id);
  // Decided before the pairs are added: an instrument whose ticks already flow on another pair gets
  // only this interval's bars.
  const pair = { all: message.all, interval };
  const barsOnly = new Set(targets.filter((id) => connection.holdsOtherPair(id, pair)));
  if (message.all) connection.subscribeAll(interval);
  else connection.subscribePairs(targets, interval);
  // Whatever was pending during conflation is superseded by a full snapshot.
  connection.snapshotSent(targets.filter((id) => !barsOnly.has(id)));

  connection.send({ type: 'ack', requestId: message.requestId }, now);
  // An `all` subscription gets a light snapshot per instrument (last quote and last trade); a
  // subscription by name gets recent trades and bars for its chart.
  const trades = message.all ? 1 : ctx.options.snapshotTrades;
  for (const instrumentId of targets) {
    connection.send(
      buildSnapshot(
        ctx.history,
        {
          requestId: message.requestId,
          instrumentId,
          interval,
          resumeFromSeq: resumeSeq.get(instrumentId),
          trades,
          bars: ctx.options.snapshotBars,
          barsOnly: barsOnly.has(instrumentId),
        },
        ctx.olderBars,
      ),
      now,
    );
  }
}

function handleUnsubscribe(connection: Connection, message: UnsubscribeMessage, ctx: RequestContext): void {
  const now = ctx.nowMs();
  const interval = acceptInterval(connection, message.requestId, message.interval, ctx);
  if (interval === undefined) return;
  if (message.all) {
    connection.unsubscribeAll(interval);
  } else {
    const unresolved: Unresolved = { unknown: [], ambiguous: [] };
    const instruments = message.symbols.map((symbol) => resolveName(ctx, symbol, unresolved));
    if (unresolved.unknown.length > 0 || unresolved.ambiguous.length > 0) {
      sendError(connection, message.requestId, ErrorCode.UnknownInstrument, unresolvedText(unresolved), now);
      return;
    }
    connection.unsubscribePairs(
      instruments.flatMap((instrument) => (instrument ? [instrument.id] : [])),
      interval,
    );
  }
  connection.send({ type: 'ack', requestId: message.requestId }, now);
}
