/**
 * History state over request-reply (rpc.ts): the active ingest answers `<root>.state.<id>` with the
 * instrument's {@link InstrumentHistoryState} so a gateway that starts serving the instrument holds
 * exactly what a gateway that applied every tick holds (docs/scaling.md "Warming").
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { History, InstrumentHistoryState } from '../../history/history';
import type { Logger } from '../../log';
import type { NatsSettings } from './config';
import { requestInstrument, serveInstruments } from './rpc';

const SERVICE = 'state';

/** The answer to a state request. */
export interface StateReply {
  readonly epoch: number;
  /** null: the instrument has no ticks yet. */
  readonly state: InstrumentHistoryState | null;
}

/** Answers state requests from `history` until the returned subscription is unsubscribed. */
export function serveState(
  nc: NatsConnection,
  settings: NatsSettings,
  history: History,
  epoch: () => number,
  logger: Logger,
): Subscription {
  return serveInstruments<undefined, StateReply>(
    nc,
    settings,
    SERVICE,
    (id) => ({ epoch: epoch(), state: history.exportInstrument(id) ?? null }),
    logger,
  );
}

/**
 * Asks the active ingest for an instrument's state.
 * @throws Error when nobody answers in `timeoutMs` (no active ingest) or the answer says why it cannot.
 */
export function requestState(nc: NatsConnection, settings: NatsSettings, instrumentId: number, timeoutMs: number): Promise<StateReply> {
  return requestInstrument<StateReply>(nc, settings, SERVICE, instrumentId, undefined, timeoutMs);
}
