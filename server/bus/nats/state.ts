/**
 * History state over core NATS request-reply: the active ingest answers `<root>.state.<id>` with
 * the instrument's {@link InstrumentHistoryState} (deflated JSON) so a gateway that starts serving
 * the instrument holds exactly what a gateway that applied every tick holds (docs/scaling.md
 * "Warming").
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { History, InstrumentHistoryState } from '../../history/history';
import type { Logger } from '../../log';
import { stateSubject, type NatsSettings } from './config';

/** The answer to a state request. */
export interface StateReply {
  readonly epoch: number;
  /** null: the instrument has no ticks yet. */
  readonly state: InstrumentHistoryState | null;
  /** Set when the state could not be sent (too large for the broker's max payload). */
  readonly error?: string;
}

/** Answers state requests from `history` until the returned subscription is unsubscribed. */
export function serveState(
  nc: NatsConnection,
  settings: NatsSettings,
  history: History,
  epoch: () => number,
  logger: Logger,
): Subscription {
  const wildcard = stateSubject(settings, 0).replace(/\.0$/, '.*');
  return nc.subscribe(wildcard, {
    callback: (error, msg) => {
      if (error) {
        logger.warn('state service subscription failed', { error: String(error) });
        return;
      }
      const id = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
      const state = Number.isSafeInteger(id) ? (history.exportInstrument(id) ?? null) : null;
      let body = deflateRawSync(JSON.stringify({ epoch: epoch(), state } satisfies StateReply));
      const max = nc.info?.max_payload ?? 1024 * 1024;
      if (body.byteLength > max - 1024) {
        const text = `state of instrument ${id} is ${body.byteLength} bytes deflated, over the broker's max_payload ${max}: lower --bar-capacity/--tick-capacity or raise max_payload`;
        logger.error('state too large to send', { instrumentId: id, bytes: body.byteLength, max });
        body = deflateRawSync(JSON.stringify({ epoch: epoch(), state: null, error: text } satisfies StateReply));
      }
      msg.respond(body);
    },
  });
}

/**
 * Asks the active ingest for an instrument's state.
 * @throws Error when nobody answers in `timeoutMs` (no active ingest) or the answer says why it cannot.
 */
export async function requestState(
  nc: NatsConnection,
  settings: NatsSettings,
  instrumentId: number,
  timeoutMs: number,
): Promise<StateReply> {
  const reply = await nc.request(stateSubject(settings, instrumentId), undefined, { timeout: timeoutMs });
  const parsed = JSON.parse(inflateRawSync(reply.data).toString('utf8')) as StateReply;
  if (parsed.error !== undefined) throw new Error(parsed.error);
  return parsed;
}
