/**
 * Events of {@link FeedClient}. Message-shaped payloads (`hello`, `instruments`, `status`,
 * `snapshot`, `batch`) are the server messages themselves (plus a few client-side fields), so a
 * store can buffer them as `ServerMessage`s and fold them once per animation frame.
 */
import type { Instrument } from '../market/types';
import type { BatchMessage, HelloMessage, InstrumentsMessage, SnapshotMessage, StatusMessage } from '../protocol/messages';
import type { FeedClientError } from './errors';
import type { StateChange } from './states';

/** `hello` accepted (protocol version matches): the connection is up. */
export interface HelloEvent extends HelloMessage {
  /** Gateway URL this connection went to. */
  readonly url: string;
}

/** The instrument table changed. */
export interface InstrumentsEvent extends InstrumentsMessage {
  /** The whole table after applying this message, by id (live view, updated in place). */
  readonly table: ReadonlyMap<number, Instrument>;
}

/**
 * A snapshot of one (instrument, interval) pair: bars of `interval` (none for 0) and, unless
 * `barsOnly`, the instrument's last quote, recent trades and session figures.
 */
export interface SnapshotEvent extends SnapshotMessage {
  /** The instrument, when the table knows its id. */
  readonly instrument: Instrument | undefined;
}

/**
 * Live updates, already sequence-checked: duplicates and updates of instruments waiting for a
 * resync snapshot are removed. `conflated` says the server dropped updates on purpose.
 */
export type BatchEvent = BatchMessage;

/** A missed update was detected; the instrument is being resynced with a fresh snapshot. */
export interface GapEvent {
  readonly instrumentId: number;
  /** Symbol, when the table knows the id. */
  readonly symbol: string | undefined;
  /** Sequence number that should have come next. */
  readonly expectedSeq: number;
  /** Sequence number that came instead. */
  readonly receivedSeq: number;
}

/**
 * The server's epoch changed (the feed restarted): sequence numbers, instrument ids and every
 * piece of state built from the old epoch are void. Consumers reset; fresh snapshots follow.
 */
export interface EpochEvent {
  readonly previousEpoch: number;
  readonly epoch: number;
}

/** Event name -> payload. */
export interface FeedClientEvents {
  state: StateChange;
  hello: HelloEvent;
  instruments: InstrumentsEvent;
  status: StatusMessage;
  snapshot: SnapshotEvent;
  batch: BatchEvent;
  gap: GapEvent;
  error: FeedClientError;
  epoch: EpochEvent;
}

/** Names of {@link FeedClientEvents}. */
export type FeedClientEventName = keyof FeedClientEvents;
