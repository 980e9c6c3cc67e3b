/**
 * Request-reply between a gateway and the active ingest, shared by the state and history services:
 * one subject per instrument (`<root>.<service>.<instrumentId>`), bodies as deflated JSON, a failure
 * answered as `{ "error": "<why>" }`, and an answer too large for the broker's max_payload replaced
 * by such an error rather than lost.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '../../log';
import type { NatsSettings } from './config';

/** The service's subject of one instrument. */
export const serviceSubject = (s: NatsSettings, service: string, instrumentId: number): string =>
  `${s.subjectRoot}.${service}.${instrumentId}`;

const encode = (value: unknown): Uint8Array => deflateRawSync(JSON.stringify(value));
const decode = (data: Uint8Array): unknown => JSON.parse(inflateRawSync(data).toString('utf8'));

/**
 * Answers `<root>.<service>.*` with `handle(instrumentId, request)` until unsubscribed. A handler
 * that throws or rejects is answered with its message as `error`.
 */
export function serveInstruments<Request, Reply>(
  nc: NatsConnection,
  settings: NatsSettings,
  service: string,
  handle: (instrumentId: number, request: Request | undefined) => Reply | Promise<Reply>,
  logger: Logger,
): Subscription {
  return nc.subscribe(`${settings.subjectRoot}.${service}.*`, {
    callback: (error, msg) => {
      if (error) {
        logger.warn(`${service} service subscription failed`, { error: String(error) });
        return;
      }
      const respond = (value: Reply | { readonly error: string }): void => {
        let body = encode(value);
        const max = nc.info?.max_payload ?? 1024 * 1024;
        if (body.byteLength > max - 1024) {
          const text = `the ${service} answer for ${msg.subject} is ${body.byteLength} bytes deflated, over the broker's max_payload ${max}: lower the history capacities or raise max_payload`;
          logger.error(`${service} answer too large to send`, { subject: msg.subject, bytes: body.byteLength, max });
          body = encode({ error: text });
        }
        msg.respond(body);
      };
      const id = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
      new Promise<Reply>((resolve) => {
        if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`no instrument in subject ${msg.subject}`);
        resolve(handle(id, msg.data.byteLength === 0 ? undefined : (decode(msg.data) as Request)));
      }).then(respond, (e: unknown) => respond({ error: e instanceof Error ? e.message : String(e) }));
    },
  });
}

/**
 * Asks the active ingest's `service` about one instrument.
 * @throws Error naming the service when nobody answers in `timeoutMs` (no active ingest), or the answer's `error`.
 */
export async function requestInstrument<Reply>(
  nc: NatsConnection,
  settings: NatsSettings,
  service: string,
  instrumentId: number,
  request: unknown,
  timeoutMs: number,
): Promise<Reply> {
  let data: Uint8Array;
  try {
    const msg = await nc.request(serviceSubject(settings, service, instrumentId), request === undefined ? undefined : encode(request), {
      timeout: timeoutMs,
    });
    data = msg.data;
  } catch (error) {
    throw new Error(`no active ingest answered the ${service} request (${(error as Error).message})`, { cause: error });
  }
  const reply = decode(data) as Reply | { readonly error?: string };
  if (typeof reply === 'object' && reply !== null && 'error' in reply && typeof reply.error === 'string') throw new Error(reply.error);
  return reply as Reply;
}
