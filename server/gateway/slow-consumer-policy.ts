/**
 * The slow-consumer rule, decided in one place (docs/protocol.md, "Slow consumers"): at each flush a
 * connection's buffered bytes decide whether it gets this flush's batch, gets nothing new (its
 * instruments are remembered as dirty), gets one conflated batch because it drained, or is closed
 * 1013 (RFC 6455 §7.4.1 / IANA "Try Again Later"). Pure: state, buffered bytes, time and limits in;
 * a decision and the next state out. The connection keeps the state; the gateway acts on the decision.
 */
import { CloseCode } from '../../lib/protocol/constants';

/** Slow-consumer mode of a connection. */
export enum ConsumerState {
  /** Gets every batch as flushed. */
  Normal = 'normal',
  /** Its socket is backed up: it gets nothing until it drains, then one conflated batch. */
  Conflating = 'conflating',
}

/** What the policy remembers about one connection between flushes. */
export interface SlowConsumerState {
  readonly mode: ConsumerState;
  /** When conflation started (ms); undefined in {@link ConsumerState.Normal}. */
  readonly conflatingSinceMs: number | undefined;
  /** When the buffer went past the hard limit (ms); undefined while under it. */
  readonly hardLimitSinceMs: number | undefined;
}

/** A connection's state when it opens. */
export const INITIAL_SLOW_CONSUMER_STATE: SlowConsumerState = Object.freeze({
  mode: ConsumerState.Normal,
  conflatingSinceMs: undefined,
  hardLimitSinceMs: undefined,
});

/** The limits the rule uses; the same names as the gateway options (server/gateway/options.ts). */
export interface SlowConsumerLimits {
  /** At or above this many buffered bytes a connection is conflated (bytes). */
  readonly softBufferLimitBytes: number;
  /** At or above this many buffered bytes for `hardLimitGraceMs` a connection is closed (bytes). */
  readonly hardBufferLimitBytes: number;
  /** How long a connection may stay at or above the hard limit (ms). */
  readonly hardLimitGraceMs: number;
  /** How long a connection may stay conflated without draining below the soft limit (ms). */
  readonly maxConflatedMs: number;
}

/** What to do with a connection at this flush. */
export type SlowConsumerAction =
  /** Send this flush's batch (or a heartbeat when there is none and one is due). */
  | { readonly kind: 'send' }
  /**
   * Send nothing; remember which of its instruments changed. `entered` is true on the flush that
   * started conflation (worth a log line).
   */
  | { readonly kind: 'hold'; readonly entered: boolean }
  /** It drained: send one conflated batch of its dirty instruments, this flush's included. */
  | { readonly kind: 'send-conflated' }
  /** Close it with `code` (1013) and `reason`; it is not reading. */
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

export interface SlowConsumerDecision {
  readonly action: SlowConsumerAction;
  /** The state to keep for the next flush. */
  readonly state: SlowConsumerState;
}

/**
 * The decision for a connection that was and stays normal, under the soft limit: by far the most
 * common one (every connection, every flush), so it is one shared object rather than three new
 * ones per connection per flush (1,000 connections at 40 flushes/s would make 120,000 a second).
 */
const STEADY: SlowConsumerDecision = Object.freeze({
  action: Object.freeze({ kind: 'send' as const }),
  state: Object.freeze({ mode: ConsumerState.Normal, conflatingSinceMs: undefined, hardLimitSinceMs: undefined }),
});

/**
 * Decides one connection's flush. `bufferedBytes` is what its socket has not yet handed to the
 * kernel; `nowMs` the flush time (ms).
 */
export function decideSlowConsumer(
  state: SlowConsumerState,
  bufferedBytes: number,
  nowMs: number,
  limits: SlowConsumerLimits,
): SlowConsumerDecision {
  if (bufferedBytes < limits.softBufferLimitBytes && state.mode === ConsumerState.Normal) return STEADY;
  let hardLimitSinceMs: number | undefined;
  if (bufferedBytes >= limits.hardBufferLimitBytes) {
    hardLimitSinceMs = state.hardLimitSinceMs ?? nowMs;
    if (nowMs - hardLimitSinceMs >= limits.hardLimitGraceMs) {
      return close(`slow consumer: ${bufferedBytes} bytes buffered past the hard limit`, { ...state, hardLimitSinceMs });
    }
  }
  if (bufferedBytes >= limits.softBufferLimitBytes) {
    if (state.mode === ConsumerState.Normal) {
      return {
        action: { kind: 'hold', entered: true },
        state: { mode: ConsumerState.Conflating, conflatingSinceMs: nowMs, hardLimitSinceMs },
      };
    }
    const since = state.conflatingSinceMs ?? nowMs;
    if (nowMs - since >= limits.maxConflatedMs) {
      return close('slow consumer: not reading', { ...state, conflatingSinceMs: since, hardLimitSinceMs });
    }
    return {
      action: { kind: 'hold', entered: false },
      state: { mode: ConsumerState.Conflating, conflatingSinceMs: since, hardLimitSinceMs },
    };
  }
  const normal: SlowConsumerState = { mode: ConsumerState.Normal, conflatingSinceMs: undefined, hardLimitSinceMs };
  if (state.mode === ConsumerState.Conflating) return { action: { kind: 'send-conflated' }, state: normal };
  return { action: { kind: 'send' }, state: normal };
}

/**
 * Whether a subscribe from a connection with `bufferedBytes` buffered is refused by closing it 1013
 * at once: past the hard limit it is not reading, and the snapshots a subscribe queues (every
 * instrument's, for `all` with bars) would grow its buffer by up to the request rate times the
 * grace period before a flush closed it.
 */
export function refusesSubscribe(bufferedBytes: number, limits: Pick<SlowConsumerLimits, 'hardBufferLimitBytes'>): boolean {
  return bufferedBytes >= limits.hardBufferLimitBytes;
}

function close(reason: string, state: SlowConsumerState): SlowConsumerDecision {
  return { action: { kind: 'close', code: CloseCode.TryAgainLater, reason }, state };
}
