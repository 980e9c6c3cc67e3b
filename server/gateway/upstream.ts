/**
 * What a gateway needs from a bus that feeds it only the instruments its clients want (the JetStream
 * upstream of a scaled deployment, docs/scaling.md). The in-process bus has no such thing: it
 * delivers every instrument, always warm.
 */
import type { Unsubscribe } from '../bus/types';

export interface GatewayUpstream {
  /**
   * Starts receiving the instruments (and warms their history) if not already. Returns a promise
   * that settles once every one of them is warm, or undefined when they all already are.
   */
  want(instrumentIds: readonly number[]): Promise<void> | undefined;
  /** Every instrument some client holds now; others are released after a linger. */
  setInterest(instrumentIds: ReadonlySet<number>): void;
  /** The instruments' stream was discontinuous and was re-warmed: their holders must resume. */
  onResync(handler: (instrumentIds: readonly number[]) => void): Unsubscribe;
  /** The deployment's epoch changed: every client must reconnect for fresh snapshots. */
  onEpochChange(handler: (epoch: number) => void): Unsubscribe;
}
