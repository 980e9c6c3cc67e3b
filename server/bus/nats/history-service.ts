/**
 * History pages in a scaled deployment (docs/scaling.md "History"): the active ingest owns the
 * history (its in-memory rings and its store) and answers `<root>.history.<instrumentId>` requests
 * over request-reply (rpc.ts); a gateway forwards its clients' history requests there.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { BarInterval } from '../../../lib/market/types';
import type { HistoryPageResult, HistoryPages } from '../../history/types';
import type { Logger } from '../../log';
import type { NatsSettings } from './config';
import { requestInstrument, serveInstruments } from './rpc';

const SERVICE = 'history';

interface PageRequest {
  readonly interval: BarInterval;
  readonly endTimeUs: number;
  readonly count: number;
}

/** Answers history requests from `source` until the subscription is unsubscribed. */
export function serveHistory(nc: NatsConnection, settings: NatsSettings, source: HistoryPages, logger: Logger): Subscription {
  return serveInstruments<PageRequest, HistoryPageResult>(
    nc,
    settings,
    SERVICE,
    (id, request) => {
      if (request === undefined) throw new Error('malformed history request');
      return source.page(id, request.interval, request.endTimeUs, request.count);
    },
    logger,
  );
}

/** A gateway's {@link HistoryPages}: the active ingest over request-reply. */
export class NatsHistoryPages implements HistoryPages {
  constructor(
    private readonly nc: NatsConnection,
    private readonly settings: NatsSettings,
    private readonly timeoutMs = 5000,
  ) {}

  page(instrumentId: number, interval: BarInterval, endTimeUs: number, count: number): Promise<HistoryPageResult> {
    const request: PageRequest = { interval, endTimeUs, count };
    return requestInstrument<HistoryPageResult>(this.nc, this.settings, SERVICE, instrumentId, request, this.timeoutMs);
  }
}
