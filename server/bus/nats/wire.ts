/**
 * One message on a tick subject: one instrument's ticks of one publish round, as a JSON array of
 * the normaliser's Trade/Quote objects (every field a safe integer or a string, so JSON round-trips
 * them exactly), with headers `Nats-Msg-Id: <epoch>.<instrumentId>.<firstSeq>.<publisher>` (a
 * retried publish is dropped by the stream's duplicate window; another publisher's message with the
 * same seqs is not a duplicate, so the broker's per-subject expectation fences it) and
 * `Tickwire-Epoch: <epoch>`. The seqs of
 * consecutive messages on a subject are contiguous: a message's first seq is the previous
 * message's last seq + 1 (docs/scaling.md "On the broker").
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { Tick } from '../types';

/** Header naming the epoch of the ticks in a message. */
export const EPOCH_HEADER = 'Tickwire-Epoch';

/** The dedup id of a message. */
export function messageId(epoch: number, instrumentId: number, firstSeq: number, publisher: string): string {
  return `${epoch}.${instrumentId}.${firstSeq}.${publisher}`;
}

/** Headers of a message of `ticks` (non-empty, one instrument). */
export function tickHeaders(epoch: number): MsgHdrs {
  const h = headers();
  h.set(EPOCH_HEADER, String(epoch));
  return h;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeTicks(ticks: readonly Tick[]): Uint8Array {
  return encoder.encode(JSON.stringify(ticks));
}

/** A message's epoch and ticks; undefined when it is not a Tickwire tick message. */
export function decodeTicks(data: Uint8Array, hdrs: MsgHdrs | undefined): { epoch: number; ticks: Tick[] } | undefined {
  const epoch = Number(hdrs?.get(EPOCH_HEADER));
  if (!Number.isSafeInteger(epoch) || epoch <= 0) return undefined;
  try {
    const ticks = JSON.parse(decoder.decode(data)) as unknown;
    if (!Array.isArray(ticks) || ticks.length === 0) return undefined;
    return { epoch, ticks: ticks as Tick[] };
  } catch {
    return undefined;
  }
}
