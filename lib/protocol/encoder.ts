/**
 * Binary encoder for Tickwire v2 (`tickwire.v2`), byte layouts in docs/protocol.md §5-6.
 * Encoders validate their input and throw TypeError/RangeError naming the offending field: bad
 * input here is a bug in the caller, not data from the network.
 */
import type { MarketUpdate } from '../market/types';
import {
  BATCH_FLAG_CONFLATED,
  HISTORY_PAGE_FLAG_MORE,
  INSTRUMENT_FLAG_REMOVED,
  MessageType,
  SNAPSHOT_FLAG_BARS_ONLY,
  SNAPSHOT_FLAG_RECOVERED,
  SUBSCRIBE_FLAG_ALL,
  VENUE_STATES,
} from './constants';
import type {
  AnyMessage,
  BatchMessage,
  ErrorMessage,
  HelloMessage,
  HistoryPageMessage,
  HistoryRequestMessage,
  InstrumentsMessage,
  PingMessage,
  PongMessage,
  SnapshotMessage,
  StatusMessage,
  SubscribeMessage,
  UnsubscribeMessage,
} from './messages';
import { writeUpdate } from './update-encoder';
import {
  assertArray,
  assertBoolean,
  assertObject,
  assertSafeUint,
  assertString,
  assertValue,
  describe,
  ERROR_CODE_RANGE,
  historyBarsProblem,
  isAssetClass,
  isBarIntervalValue,
  isDecimals,
  isErrorCode,
  isIntervalOrNone,
  isRequestInterval,
  isVenueState,
} from './validation';
import { Writer } from './writer';

/** Room reserved before a run of fixed-size fields: a type or flags byte and up to 7 varints of 8 bytes. */
const FIXED_FIELDS_RESERVE = 64;

/**
 * Capacity of the encoder's buffer (bytes). Results are handed out in place ({@link Writer.take}), so
 * one buffer holds a dozen 200-update batches or about a thousand per-instrument segments before
 * the next is allocated. Kept at 64 KiB: with 256 KiB, encoding was 6-8% slower (likely because an
 * allocation that size is mapped and faulted in fresh each time).
 */
const ENCODER_BUFFER_BYTES = 64 * 1024;

/** One writer for every encode: encoding is synchronous, and each result is a view the writer never writes again. */
const writer = new Writer(ENCODER_BUFFER_BYTES);

/**
 * Encodes any message as one binary WebSocket message. The result is a view into a buffer shared
 * with other results (its `byteOffset` is usually not 0), never written again: it stays valid and
 * independent of later calls, so it can be queued. Send the view, not its `.buffer`.
 */
export function encodeMessage(msg: AnyMessage): Uint8Array {
  assertObject(msg, 'message');
  const w = writer;
  w.reset();
  w.ensure(FIXED_FIELDS_RESERVE);
  switch (msg.type) {
    case 'hello':
      writeHello(w, msg);
      break;
    case 'instruments':
      writeInstruments(w, msg);
      break;
    case 'batch':
      writeBatch(w, msg);
      break;
    case 'snapshot':
      writeSnapshot(w, msg);
      break;
    case 'ack':
      w.u8(MessageType.Ack);
      writeUint(w, msg.requestId, 'ack.requestId');
      break;
    case 'error':
      writeError(w, msg);
      break;
    case 'heartbeat':
      w.u8(MessageType.Heartbeat);
      writeUint(w, msg.serverTimeUs, 'heartbeat.serverTimeUs');
      break;
    case 'status':
      writeStatus(w, msg);
      break;
    case 'subscribe':
      writeSubscribe(w, msg);
      break;
    case 'unsubscribe':
      writeUnsubscribe(w, msg);
      break;
    case 'historyPage':
      writeHistoryPage(w, msg);
      break;
    case 'history':
      writeHistoryRequest(w, msg);
      break;
    case 'ping':
    case 'pong':
      writePingPong(w, msg);
      break;
    default:
      throw new TypeError(`message.type is not a Tickwire v2 message type: ${describe((msg as { type: unknown }).type)}`);
  }
  return w.take();
}

/**
 * Encodes updates as a concatenable segment relative to `baseTimeUs` (µs). The gateway encodes each
 * instrument's updates once per flush and hands the same segment to every subscriber's
 * {@link assembleBatch}. Like {@link encodeMessage}'s results, segments are views into a shared
 * buffer: treat them as read-only.
 */
export function encodeUpdateSegment(updates: readonly MarketUpdate[], baseTimeUs: number): Uint8Array {
  assertArray(updates, 'updates');
  assertSafeUint(baseTimeUs, 'baseTimeUs');
  const w = writer;
  w.reset();
  for (let i = 0; i < updates.length; i++) writeUpdate(w, updates[i] as MarketUpdate, baseTimeUs);
  return w.take();
}

/**
 * Builds a `batch` message from a header and pre-encoded segments (from {@link encodeUpdateSegment}
 * with the same `baseTimeUs`). `count` must be the total number of updates in `segments`: it cannot be
 * checked without decoding them, and a wrong count makes the receiver reject the batch.
 */
export function assembleBatch(conflated: boolean, baseTimeUs: number, count: number, segments: readonly Uint8Array[]): Uint8Array {
  assertBoolean(conflated, 'conflated');
  assertSafeUint(baseTimeUs, 'baseTimeUs');
  assertSafeUint(count, 'count');
  assertArray(segments, 'segments');
  const w = writer;
  w.reset();
  w.ensure(FIXED_FIELDS_RESERVE);
  w.u8(MessageType.Batch);
  w.u8(conflated ? BATCH_FLAG_CONFLATED : 0);
  w.uvarint(baseTimeUs);
  w.uvarint(count);
  const headerBytes = w.pos - w.start;
  let total = headerBytes;
  for (const segment of segments) {
    if (!(segment instanceof Uint8Array)) throw new TypeError(`segments must hold Uint8Arrays, got ${describe(segment)}`);
    total += segment.length;
  }
  const out = new Uint8Array(total);
  out.set(w.buf.subarray(w.start, w.pos));
  let offset = headerBytes;
  for (const segment of segments) {
    out.set(segment, offset);
    offset += segment.length;
  }
  return out;
}

function writeUint(w: Writer, value: number, field: string): void {
  assertSafeUint(value, field);
  w.uvarint(value);
}

function writeFlags(w: Writer, value: boolean, flag: number, field: string): void {
  assertBoolean(value, field);
  w.u8(value ? flag : 0);
}

function writeHello(w: Writer, msg: HelloMessage): void {
  w.u8(MessageType.Hello);
  writeUint(w, msg.protocolVersion, 'hello.protocolVersion');
  assertString(msg.serverId, 'hello.serverId');
  w.string(msg.serverId, 'hello.serverId');
  w.ensure(FIXED_FIELDS_RESERVE);
  writeUint(w, msg.epoch, 'hello.epoch');
  writeUint(w, msg.heartbeatIntervalMs, 'hello.heartbeatIntervalMs');
  writeUint(w, msg.serverTimeUs, 'hello.serverTimeUs');
  const capabilities = msg.capabilities;
  assertArray(capabilities, 'hello.capabilities');
  w.uvarint(capabilities.length);
  for (const name of capabilities) {
    assertString(name, 'hello.capabilities[]');
    w.string(name, 'hello.capabilities[]');
  }
  const intervals = msg.intervals;
  assertArray(intervals, 'hello.intervals');
  w.ensure(FIXED_FIELDS_RESERVE);
  w.uvarint(intervals.length);
  for (const interval of intervals) {
    assertValue(isRequestInterval(interval) && interval > 0, interval, 'hello.intervals[]', 'an interval 1 .. 2^31-1 (seconds)');
    w.ensure(FIXED_FIELDS_RESERVE);
    w.uvarint(interval);
  }
}

function writeInstruments(w: Writer, msg: InstrumentsMessage): void {
  const entries = msg.instruments;
  assertArray(entries, 'instruments.instruments');
  w.u8(MessageType.Instruments);
  w.uvarint(entries.length);
  for (const entry of entries) {
    assertObject(entry, 'instruments entry');
    w.ensure(FIXED_FIELDS_RESERVE);
    writeUint(w, entry.id, 'instrument.id');
    assertString(entry.symbol, 'instrument.symbol');
    w.string(entry.symbol, 'instrument.symbol');
    assertString(entry.venue, 'instrument.venue');
    w.string(entry.venue, 'instrument.venue');
    assertValue(isAssetClass(entry.assetClass), entry.assetClass, 'instrument.assetClass', 'an AssetClass (0..5)');
    assertValue(isDecimals(entry.priceDecimals), entry.priceDecimals, 'instrument.priceDecimals', 'an integer 0..18');
    assertValue(isDecimals(entry.sizeDecimals), entry.sizeDecimals, 'instrument.sizeDecimals', 'an integer 0..18');
    w.ensure(FIXED_FIELDS_RESERVE);
    w.u8(entry.assetClass);
    w.u8(entry.priceDecimals);
    w.u8(entry.sizeDecimals);
    writeFlags(w, entry.removed, INSTRUMENT_FLAG_REMOVED, 'instrument.removed');
  }
}

function writeUpdates(w: Writer, updates: readonly MarketUpdate[], baseTimeUs: number): void {
  w.uvarint(updates.length);
  for (let i = 0; i < updates.length; i++) writeUpdate(w, updates[i] as MarketUpdate, baseTimeUs);
}

/** Base time for a whole message: the first update's event time, so that one's delta is 0. */
function baseTimeOf(updates: readonly MarketUpdate[], field: string): number {
  assertArray(updates, field);
  if (updates.length === 0) return 0;
  const first = updates[0] as MarketUpdate;
  assertObject(first, `${field}[0]`);
  assertSafeUint(first.eventTimeUs, `${field}[0].eventTimeUs`);
  return first.eventTimeUs;
}

function writeBatch(w: Writer, msg: BatchMessage): void {
  const baseTimeUs = baseTimeOf(msg.updates, 'batch.updates');
  w.u8(MessageType.Batch);
  writeFlags(w, msg.conflated, BATCH_FLAG_CONFLATED, 'batch.conflated');
  w.uvarint(baseTimeUs);
  writeUpdates(w, msg.updates, baseTimeUs);
}

function writeSnapshot(w: Writer, msg: SnapshotMessage): void {
  const baseTimeUs = baseTimeOf(msg.updates, 'snapshot.updates');
  w.u8(MessageType.Snapshot);
  writeUint(w, msg.requestId, 'snapshot.requestId');
  assertBoolean(msg.recovered, 'snapshot.recovered');
  assertBoolean(msg.barsOnly, 'snapshot.barsOnly');
  w.u8((msg.recovered ? SNAPSHOT_FLAG_RECOVERED : 0) | (msg.barsOnly ? SNAPSHOT_FLAG_BARS_ONLY : 0));
  writeUint(w, msg.instrumentId, 'snapshot.instrumentId');
  writeUint(w, msg.seq, 'snapshot.seq');
  assertValue(isIntervalOrNone(msg.interval), msg.interval, 'snapshot.interval', '0 or one of BAR_INTERVALS (seconds)');
  w.uvarint(msg.interval);
  w.uvarint(baseTimeUs);
  writeUpdates(w, msg.updates, baseTimeUs);
}

function writeError(w: Writer, msg: ErrorMessage): void {
  w.u8(MessageType.Error);
  writeUint(w, msg.requestId, 'error.requestId');
  assertValue(isErrorCode(msg.code), msg.code, 'error.code', `an ErrorCode (${ERROR_CODE_RANGE})`);
  w.uvarint(msg.code);
  assertString(msg.message, 'error.message');
  w.string(msg.message, 'error.message');
}

function writeStatus(w: Writer, msg: StatusMessage): void {
  const venues = msg.venues;
  assertArray(venues, 'status.venues');
  w.u8(MessageType.Status);
  w.uvarint(venues.length);
  for (const venue of venues) {
    assertObject(venue, 'status entry');
    assertString(venue.venue, 'status.venue');
    w.string(venue.venue, 'status.venue');
    assertValue(isVenueState(venue.state), venue.state, 'status.state', `one of ${VENUE_STATES.join(', ')}`, 'string');
    w.ensure(1);
    w.u8(VENUE_STATES.indexOf(venue.state));
    assertString(venue.reason, 'status.reason');
    w.string(venue.reason, 'status.reason');
  }
}

function writeSubscribe(w: Writer, msg: SubscribeMessage): void {
  w.u8(MessageType.Subscribe);
  writeUint(w, msg.requestId, 'subscribe.requestId');
  writeFlags(w, msg.all, SUBSCRIBE_FLAG_ALL, 'subscribe.all');
  assertValue(isRequestInterval(msg.interval), msg.interval, 'subscribe.interval', 'an interval 0 .. 2^31-1 (seconds)');
  w.uvarint(msg.interval);
  writeUint(w, msg.resumeEpoch, 'subscribe.resumeEpoch');
  const symbols = msg.symbols;
  assertArray(symbols, 'subscribe.symbols');
  w.uvarint(symbols.length);
  for (const entry of symbols) {
    assertObject(entry, 'subscribe entry');
    assertString(entry.symbol, 'subscribe.symbol');
    w.string(entry.symbol, 'subscribe.symbol');
    w.ensure(FIXED_FIELDS_RESERVE);
    writeUint(w, entry.lastSeq, 'subscribe.lastSeq');
  }
}

function writeUnsubscribe(w: Writer, msg: UnsubscribeMessage): void {
  w.u8(MessageType.Unsubscribe);
  writeUint(w, msg.requestId, 'unsubscribe.requestId');
  writeFlags(w, msg.all, SUBSCRIBE_FLAG_ALL, 'unsubscribe.all');
  assertValue(isRequestInterval(msg.interval), msg.interval, 'unsubscribe.interval', 'an interval 0 .. 2^31-1 (seconds)');
  w.uvarint(msg.interval);
  const symbols = msg.symbols;
  assertArray(symbols, 'unsubscribe.symbols');
  w.uvarint(symbols.length);
  for (const symbol of symbols) {
    assertString(symbol, 'unsubscribe.symbol');
    w.string(symbol, 'unsubscribe.symbol');
  }
}

function writeHistoryPage(w: Writer, msg: HistoryPageMessage): void {
  const baseTimeUs = baseTimeOf(msg.bars, 'historyPage.bars');
  w.u8(MessageType.HistoryPage);
  writeUint(w, msg.requestId, 'historyPage.requestId');
  assertBoolean(msg.more, 'historyPage.more');
  w.u8(msg.more ? HISTORY_PAGE_FLAG_MORE : 0);
  writeUint(w, msg.instrumentId, 'historyPage.instrumentId');
  assertValue(isBarIntervalValue(msg.interval), msg.interval, 'historyPage.interval', 'one of BAR_INTERVALS (seconds)');
  w.uvarint(msg.interval);
  w.uvarint(baseTimeUs);
  for (let i = 0; i < msg.bars.length; i++) assertObject(msg.bars[i], `historyPage.bars[${i}]`);
  const problem = historyBarsProblem(msg.bars, msg.instrumentId, msg.interval);
  if (problem !== undefined) throw new RangeError(`historyPage ${problem}`);
  writeUpdates(w, msg.bars, baseTimeUs);
}

function writeHistoryRequest(w: Writer, msg: HistoryRequestMessage): void {
  w.u8(MessageType.History);
  writeUint(w, msg.requestId, 'history.requestId');
  assertString(msg.symbol, 'history.symbol');
  w.string(msg.symbol, 'history.symbol');
  w.ensure(FIXED_FIELDS_RESERVE);
  assertValue(isRequestInterval(msg.interval), msg.interval, 'history.interval', 'an interval 0 .. 2^31-1 (seconds)');
  w.uvarint(msg.interval);
  writeUint(w, msg.endTimeUs, 'history.endTimeUs');
  writeUint(w, msg.count, 'history.count');
}

function writePingPong(w: Writer, msg: PingMessage | PongMessage): void {
  w.u8(msg.type === 'ping' ? MessageType.Ping : MessageType.Pong);
  writeUint(w, msg.nonce, `${msg.type}.nonce`);
  writeUint(w, msg.sentTimeUs, `${msg.type}.sentTimeUs`);
}
