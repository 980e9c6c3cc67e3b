/**
 * How adapters reach the normaliser: a source names who emits (adapter, venue, symbol map), a
 * sink handle is one run's sink, and hooks let the owner (the supervisor) see activity and status.
 */
import type { AdapterSink, AdapterState } from '../adapters/types';

/** Who emits through a sink: names for logs and stats, and how its symbols are named. */
export interface AdapterSource {
  /** Adapter name, e.g. "binance". */
  readonly adapter: string;
  /** Venue, e.g. "BINANCE": the prefix of every instrument name it declares. */
  readonly venue: string;
  /** Adapter symbol -> displayed symbol (without venue), e.g. BTCUSDT -> BTC-USDT. */
  readonly symbolMap?: ReadonlyMap<string, string>;
  /**
   * Identity for rejection counting and "log once per kind"; pass the key of a previous
   * {@link SinkHandle} to keep counting for the same adapter across restarts.
   */
  readonly key?: number;
}

/** Callbacks of the sink's owner (the supervisor). */
export interface SinkHooks {
  /** A trade or quote was accepted, or the adapter called `heartbeat()`. */
  onActivity?(): void;
  /** The adapter reported a valid state. When given, the normaliser does not publish it itself. */
  onStatus?(state: AdapterState, reason: string): void;
}

/** One opened sink. */
export interface SinkHandle {
  /** Rejection-log identity of the source (reuse it for the next run of the same adapter). */
  readonly key: number;
  readonly sink: AdapterSink;
  /** Whether the sink still accepts input. */
  readonly isOpen: boolean;
  /** Publishes nothing more from this sink: every later call on it is ignored. */
  close(): void;
}
