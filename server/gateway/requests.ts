/**
 * Client requests: subscribe, unsubscribe, ping, pong. A bad request gets an `error` message with
 * the request id and the connection stays open; only abuse (rate, size, malformed frames) closes it.
 */
import type { SymbolIndex } from '../../lib/market/symbols';
import type { Instrument } from '../../lib/market/types';
import { ErrorCode } from '../../lib/protocol/constants';
import type { ClientMessage, SubscribeMessage, UnsubscribeMessage } from '../../lib/protocol/messages';
import type { HistoryStore } from '../history/types';
import type { GatewayOptions } from './options';
import type { Connection } from './connection';
import { buildSnapshot } from './snapshot';

/** What request handling needs from the gateway. */
export interface RequestContext {
  readonly options: GatewayOptions;
  readonly history: HistoryStore;
  readonly epoch: number;
  /**
   * Instrument by name, from the current table: the full name ("SIM:BTC-USD") or a bare symbol
   * ("BTC-USD") that only one venue lists.
   */
  readonly symbols: SymbolIndex<Instrument>;
  /** Every instrument id in the current table. */
  readonly instrumentIds: () => Iterable<number>;
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
  }
}

function sendError(connection: Connection, requestId: number, code: ErrorCode, text: string, nowMs: number): void {
  connection.send({ type: 'error', requestId, code, message: text }, nowMs);
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
  if ((unresolved.unknown.length > 0 || unresolved.ambiguous.length > 0) && !message.all) {
    sendError(connection, message.requestId, ErrorCode.UnknownInstrument, unresolvedText(unresolved), now);
    return;
  }
  const added = message.all ? 0 : resolved.filter((r) => !connection.subscribesTo(r.instrument.id)).length;
  const allAdded = message.all && !connection.subscribesAll ? 1 : 0;
  if (connection.subscriptionCount() + added + allAdded > ctx.options.maxSubscriptionsPerConnection) {
    sendError(
      connection,
      message.requestId,
      ErrorCode.TooManySubscriptions,
      `At most ${ctx.options.maxSubscriptionsPerConnection} subscriptions per connection`,
      now,
    );
    return;
  }

  const resumeSeq = new Map<number, number>();
  if (message.resumeEpoch !== 0 && message.resumeEpoch === ctx.epoch) {
    for (const r of resolved) if (r.lastSeq > 0) resumeSeq.set(r.instrument.id, r.lastSeq);
  }
  const targets: number[] = [];
  if (message.all) {
    connection.subscribeAll(message.interval);
    targets.push(...ctx.instrumentIds());
    // Symbols listed with an `all` subscription carry resume positions only.
  } else {
    for (const r of resolved) targets.push(r.instrument.id);
    connection.subscribe(targets, message.interval);
  }

  connection.send({ type: 'ack', requestId: message.requestId }, now);
  // An `all` subscription gets a light snapshot per instrument (last quote and last trade); an
  // explicit one gets recent trades and bars for its chart.
  const trades = message.all ? 1 : ctx.options.snapshotTrades;
  for (const instrumentId of targets) {
    const interval = connection.intervalFor(instrumentId) ?? 0;
    connection.send(
      buildSnapshot(ctx.history, {
        requestId: message.requestId,
        instrumentId,
        interval,
        resumeFromSeq: resumeSeq.get(instrumentId),
        trades,
        bars: ctx.options.snapshotBars,
      }),
      now,
    );
  }
}

function handleUnsubscribe(connection: Connection, message: UnsubscribeMessage, ctx: RequestContext): void {
  const now = ctx.nowMs();
  if (message.all) {
    connection.unsubscribeAll();
  } else {
    const unresolved: Unresolved = { unknown: [], ambiguous: [] };
    const instruments = message.symbols.map((symbol) => resolveName(ctx, symbol, unresolved));
    if (unresolved.unknown.length > 0 || unresolved.ambiguous.length > 0) {
      sendError(connection, message.requestId, ErrorCode.UnknownInstrument, unresolvedText(unresolved), now);
      return;
    }
    connection.unsubscribe(instruments.flatMap((instrument) => (instrument ? [instrument.id] : [])));
  }
  connection.send({ type: 'ack', requestId: message.requestId }, now);
}
