/**
 * Binary decoder for Tickwire v2 (`tickwire.v2`), byte layouts in docs/protocol.md §5-6.
 * Total: any input gives a message or a {@link ProtocolError}, never another exception, and never
 * allocates more than the input could describe (counts are checked before arrays are built).
 */
import type { AssetClass, Bar, BarInterval } from '../market/types';
import {
  BATCH_FLAG_CONFLATED,
  HISTORY_PAGE_FLAG_MORE,
  INSTRUMENT_FLAG_REMOVED,
  MAX_HISTORY_PAGE_BARS,
  MAX_CLIENT_MESSAGE_BYTES,
  MessageType,
  SNAPSHOT_FLAG_BARS_ONLY,
  SNAPSHOT_FLAG_RECOVERED,
  SUBSCRIBE_FLAG_ALL,
  VENUE_STATES,
  type ErrorCode,
} from './constants';
import { protocolError } from './errors';
import type { ClientMessage, InstrumentEntry, PingMessage, PongMessage, ServerMessage, SubscribeEntry, VenueStatus } from './messages';
import { Reader } from './reader';
import { readUpdates } from './update-decoder';
import {
  historyBarsProblem,
  isAssetClass,
  isBarIntervalValue,
  isDecimals,
  isErrorCode,
  isIntervalOrNone,
  isRequestInterval,
} from './validation';

/** Fewest bytes of an `instruments` entry: id, two empty strings, four single bytes. */
const MIN_INSTRUMENT_ENTRY_BYTES = 7;
/** Fewest bytes of a `status` entry: empty venue, state byte, empty reason. */
const MIN_STATUS_ENTRY_BYTES = 3;
/** Fewest bytes of a `subscribe` entry: empty symbol, one-byte lastSeq. */
const MIN_SUBSCRIBE_ENTRY_BYTES = 2;
/** Fewest bytes of an `unsubscribe` symbol: an empty string. */
const MIN_UNSUBSCRIBE_ENTRY_BYTES = 1;
/** Fewest bytes of a `hello` capability: an empty string. */
const MIN_CAPABILITY_BYTES = 1;
/** Fewest bytes of a `hello` interval: a one-byte varint. */
const MIN_INTERVAL_BYTES = 1;

/** Decodes a binary message received by a client. Throws {@link ProtocolError} only. */
export function decodeServerMessage(bytes: Uint8Array): ServerMessage {
  const r = open(bytes);
  const type = r.u8();
  let msg: ServerMessage;
  switch (type) {
    case MessageType.Batch:
      msg = readBatch(r);
      break;
    case MessageType.Heartbeat:
      msg = { type: 'heartbeat', serverTimeUs: r.uvarint() };
      break;
    case MessageType.Snapshot:
      msg = readSnapshot(r);
      break;
    case MessageType.Hello:
      msg = readHello(r);
      break;
    case MessageType.Instruments:
      msg = readInstruments(r);
      break;
    case MessageType.Ack:
      msg = { type: 'ack', requestId: r.uvarint() };
      break;
    case MessageType.Error:
      msg = readError(r);
      break;
    case MessageType.Status:
      msg = readStatus(r);
      break;
    case MessageType.HistoryPage:
      msg = readHistoryPage(r);
      break;
    case MessageType.Ping:
    case MessageType.Pong:
      msg = readPingPong(r, type);
      break;
    case MessageType.Subscribe:
    case MessageType.Unsubscribe:
    case MessageType.History:
      throw protocolError('TW_ERR_WRONG_DIRECTION', `message type 0x${hex(type)} is sent by clients, not servers`);
    default:
      throw protocolError('TW_ERR_UNKNOWN_MESSAGE_TYPE', `unknown message type 0x${hex(type)}`);
  }
  r.finish();
  return msg;
}

/**
 * Decodes a binary message received by a server. Throws {@link ProtocolError} only; a message above
 * {@link MAX_CLIENT_MESSAGE_BYTES} is `TW_ERR_MESSAGE_TOO_BIG` (close 1009).
 */
export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  const r = open(bytes);
  if (bytes.length > MAX_CLIENT_MESSAGE_BYTES) {
    throw protocolError('TW_ERR_MESSAGE_TOO_BIG', `client message of ${bytes.length} bytes exceeds ${MAX_CLIENT_MESSAGE_BYTES}`);
  }
  const type = r.u8();
  let msg: ClientMessage;
  switch (type) {
    case MessageType.Subscribe:
      msg = readSubscribe(r);
      break;
    case MessageType.Unsubscribe:
      msg = readUnsubscribe(r);
      break;
    case MessageType.History:
      msg = readHistoryRequest(r);
      break;
    case MessageType.Ping:
    case MessageType.Pong:
      msg = readPingPong(r, type);
      break;
    case MessageType.Hello:
    case MessageType.Instruments:
    case MessageType.Batch:
    case MessageType.Snapshot:
    case MessageType.Ack:
    case MessageType.Error:
    case MessageType.Heartbeat:
    case MessageType.Status:
    case MessageType.HistoryPage:
      throw protocolError('TW_ERR_WRONG_DIRECTION', `message type 0x${hex(type)} is sent by servers, not clients`);
    default:
      throw protocolError('TW_ERR_UNKNOWN_MESSAGE_TYPE', `unknown message type 0x${hex(type)}`);
  }
  r.finish();
  return msg;
}

function open(bytes: Uint8Array): Reader {
  if (!(bytes instanceof Uint8Array)) throw protocolError('TW_ERR_WRONG_FRAME_TYPE', 'binary decoder given something other than bytes');
  if (bytes.length === 0) throw protocolError('TW_ERR_EMPTY_MESSAGE', 'empty message');
  return new Reader(bytes);
}

function hex(type: number): string {
  return type.toString(16).padStart(2, '0');
}

function badValue(message: string) {
  return protocolError('TW_ERR_BAD_VALUE', message);
}

/** Reads a flags byte of which only `defined` bits may be set. */
function readFlags(r: Reader, defined: number, what: string): number {
  const flags = r.u8();
  if ((flags & ~defined) !== 0) throw badValue(`${what} flags 0x${hex(flags)} set undefined bits`);
  return flags;
}

function readInterval(r: Reader, what: string): BarInterval | 0 {
  const interval = r.uvarint();
  if (!isIntervalOrNone(interval)) throw badValue(`${what} interval ${interval} is neither 0 nor one of BAR_INTERVALS`);
  return interval;
}

/** A request's interval: any whole number of seconds 0 .. 2^31-1 (the gateway checks it is one it builds). */
function readRequestInterval(r: Reader, what: string): number {
  const interval = r.uvarint();
  if (!isRequestInterval(interval)) throw badValue(`${what} interval ${interval} is above 2^31-1 seconds`);
  return interval;
}

function readHello(r: Reader): ServerMessage {
  const protocolVersion = r.uvarint();
  const serverId = r.string();
  const epoch = r.uvarint();
  const heartbeatIntervalMs = r.uvarint();
  const serverTimeUs = r.uvarint();
  const capabilityCount = r.uvarint();
  r.checkCount(capabilityCount, MIN_CAPABILITY_BYTES, 'capability');
  const capabilities: string[] = [];
  for (let i = 0; i < capabilityCount; i++) capabilities.push(r.string());
  const intervalCount = r.uvarint();
  r.checkCount(intervalCount, MIN_INTERVAL_BYTES, 'interval');
  const intervals: number[] = [];
  for (let i = 0; i < intervalCount; i++) {
    const interval = r.uvarint();
    if (interval === 0 || !isRequestInterval(interval)) throw badValue(`hello interval ${interval} is not 1 .. 2^31-1 seconds`);
    intervals.push(interval);
  }
  return { type: 'hello', protocolVersion, serverId, epoch, heartbeatIntervalMs, serverTimeUs, capabilities, intervals };
}

function readInstruments(r: Reader): ServerMessage {
  const count = r.uvarint();
  r.checkCount(count, MIN_INSTRUMENT_ENTRY_BYTES, 'instrument');
  const instruments: InstrumentEntry[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.uvarint();
    const symbol = r.string();
    const venue = r.string();
    const assetClass = r.u8();
    const priceDecimals = r.u8();
    const sizeDecimals = r.u8();
    const flags = readFlags(r, INSTRUMENT_FLAG_REMOVED, 'instrument');
    if (!isAssetClass(assetClass)) throw badValue(`instrument assetClass ${assetClass} is not an AssetClass`);
    if (!isDecimals(priceDecimals) || !isDecimals(sizeDecimals)) {
      throw badValue(`instrument decimals ${priceDecimals}/${sizeDecimals} are not within 0..18`);
    }
    instruments.push({
      id,
      symbol,
      venue,
      assetClass: assetClass as AssetClass,
      priceDecimals,
      sizeDecimals,
      removed: flags === INSTRUMENT_FLAG_REMOVED,
    });
  }
  return { type: 'instruments', instruments };
}

function readBatch(r: Reader): ServerMessage {
  const flags = readFlags(r, BATCH_FLAG_CONFLATED, 'batch');
  const baseTimeUs = r.uvarint();
  const updates = readUpdates(r, baseTimeUs);
  return { type: 'batch', conflated: flags === BATCH_FLAG_CONFLATED, updates };
}

function readSnapshot(r: Reader): ServerMessage {
  const requestId = r.uvarint();
  const flags = readFlags(r, SNAPSHOT_FLAG_RECOVERED | SNAPSHOT_FLAG_BARS_ONLY, 'snapshot');
  const instrumentId = r.uvarint();
  const seq = r.uvarint();
  const interval = readInterval(r, 'snapshot');
  const baseTimeUs = r.uvarint();
  const updates = readUpdates(r, baseTimeUs);
  const recovered = (flags & SNAPSHOT_FLAG_RECOVERED) !== 0;
  const barsOnly = (flags & SNAPSHOT_FLAG_BARS_ONLY) !== 0;
  return { type: 'snapshot', requestId, instrumentId, recovered, barsOnly, seq, interval, updates };
}

function readError(r: Reader): ServerMessage {
  const requestId = r.uvarint();
  const code = r.uvarint();
  if (!isErrorCode(code)) throw badValue(`error code ${code} is not an ErrorCode`);
  const message = r.string();
  return { type: 'error', requestId, code: code as ErrorCode, message };
}

function readStatus(r: Reader): ServerMessage {
  const count = r.uvarint();
  r.checkCount(count, MIN_STATUS_ENTRY_BYTES, 'status');
  const venues: VenueStatus[] = [];
  for (let i = 0; i < count; i++) {
    const venue = r.string();
    const stateIndex = r.u8();
    const state = VENUE_STATES[stateIndex];
    if (state === undefined) throw badValue(`venue state ${stateIndex} is not defined`);
    const reason = r.string();
    venues.push({ venue, state, reason });
  }
  return { type: 'status', venues };
}

function readSubscribe(r: Reader): ClientMessage {
  const requestId = r.uvarint();
  const flags = readFlags(r, SUBSCRIBE_FLAG_ALL, 'subscribe');
  const interval = readRequestInterval(r, 'subscribe');
  const resumeEpoch = r.uvarint();
  const count = r.uvarint();
  r.checkCount(count, MIN_SUBSCRIBE_ENTRY_BYTES, 'subscribe symbol');
  const symbols: SubscribeEntry[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = r.string();
    const lastSeq = r.uvarint();
    symbols.push({ symbol, lastSeq });
  }
  return { type: 'subscribe', requestId, all: flags === SUBSCRIBE_FLAG_ALL, interval, resumeEpoch, symbols };
}

function readUnsubscribe(r: Reader): ClientMessage {
  const requestId = r.uvarint();
  const flags = readFlags(r, SUBSCRIBE_FLAG_ALL, 'unsubscribe');
  const interval = readRequestInterval(r, 'unsubscribe');
  const count = r.uvarint();
  r.checkCount(count, MIN_UNSUBSCRIBE_ENTRY_BYTES, 'unsubscribe symbol');
  const symbols: string[] = [];
  for (let i = 0; i < count; i++) symbols.push(r.string());
  return { type: 'unsubscribe', requestId, all: flags === SUBSCRIBE_FLAG_ALL, interval, symbols };
}

function readHistoryPage(r: Reader): ServerMessage {
  const requestId = r.uvarint();
  const flags = readFlags(r, HISTORY_PAGE_FLAG_MORE, 'historyPage');
  const instrumentId = r.uvarint();
  const interval = r.uvarint();
  if (!isBarIntervalValue(interval)) throw badValue(`historyPage interval ${interval} is not one of BAR_INTERVALS`);
  const baseTimeUs = r.uvarint();
  // Checked before readUpdates allocates: a page never holds more than the most a request may ask for.
  const countAt = r.pos;
  const count = r.uvarint();
  if (count > MAX_HISTORY_PAGE_BARS) throw badValue(`historyPage holds ${count} bars, more than ${MAX_HISTORY_PAGE_BARS}`);
  r.pos = countAt;
  const bars = readUpdates(r, baseTimeUs);
  const problem = historyBarsProblem(bars, instrumentId, interval);
  if (problem !== undefined) throw badValue(`historyPage ${problem}`);
  return { type: 'historyPage', requestId, instrumentId, interval, bars: bars as Bar[], more: flags === HISTORY_PAGE_FLAG_MORE };
}

function readHistoryRequest(r: Reader): ClientMessage {
  const requestId = r.uvarint();
  const symbol = r.string();
  const interval = readRequestInterval(r, 'history');
  const endTimeUs = r.uvarint();
  const count = r.uvarint();
  return { type: 'history', requestId, symbol, interval, endTimeUs, count };
}

function readPingPong(r: Reader, type: number): PingMessage | PongMessage {
  const nonce = r.uvarint();
  const sentTimeUs = r.uvarint();
  return type === MessageType.Ping ? { type: 'ping', nonce, sentTimeUs } : { type: 'pong', nonce, sentTimeUs };
}
