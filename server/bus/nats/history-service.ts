/**
 * History pages in a scaled deployment (docs/scaling.md "History"): the active ingest owns the
 * history (its in-memory rings and its store) and answers `<root>.history.<instrumentId>` requests;
 * a gateway forwards its clients' history requests there. Deflated JSON both ways.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { BarInterval } from '../../../lib/market/types';
import type { HistoryPageResult, HistoryPages } from '../../history/types';
import type { Logger } from '../../log';
import type { NatsSettings } from './config';

interface PageRequest {
  readonly interval: BarInterval;
  readonly endTimeUs: number;
  readonly count: number;
}

type PageReply = HistoryPageResult | { readonly error: string };

/** Subject of one instrument's history requests. */
export const historySubject = (s: NatsSettings, instrumentId: number): string => `${s.subjectRoot}.history.${instrumentId}`;

/** Answers history requests from `source` until the subscription is unsubscribed. */
export function serveHistory(nc: NatsConnection, settings: NatsSettings, source: HistoryPages, logger: Logger): Subscription {
  return nc.subscribe(`${settings.subjectRoot}.history.*`, {
    callback: (error, msg) => {
      if (error) {
        logger.warn('history service subscription failed', { error: String(error) });
        return;
      }
      const reply = (body: PageReply): void => {
        msg.respond(deflateRawSync(JSON.stringify(body)));
      };
      const id = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
      let request: PageRequest;
      try {
        request = JSON.parse(inflateRawSync(msg.data).toString('utf8')) as PageRequest;
      } catch {
        reply({ error: 'malformed history request' });
        return;
      }
      source
        .page(id, request.interval, request.endTimeUs, request.count)
        .then(reply, (e: unknown) => reply({ error: (e as Error).message ?? String(e) }));
    },
  });
}

/** A gateway's {@link HistoryPages}: the active ingest over request-reply. */
export class NatsHistoryPages implements HistoryPages {
  constructor(
    private readonly nc: NatsConnection,
    private readonly settings: NatsSettings,
    private readonly timeoutMs = 5000,
  ) {}

  async page(instrumentId: number, interval: BarInterval, endTimeUs: number, count: number): Promise<HistoryPageResult> {
    let data: Uint8Array;
    try {
      const msg = await this.nc.request(
        historySubject(this.settings, instrumentId),
        deflateRawSync(JSON.stringify({ interval, endTimeUs, count } satisfies PageRequest)),
        {
          timeout: this.timeoutMs,
        },
      );
      data = msg.data;
    } catch (error) {
      throw new Error(`no active ingest answered the history request (${(error as Error).message})`, { cause: error });
    }
    const reply = JSON.parse(inflateRawSync(data).toString('utf8')) as PageReply;
    if ('error' in reply) throw new Error(reply.error);
    return reply;
  }
}
