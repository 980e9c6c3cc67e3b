/**
 * How the gateway spreads its pings over the ping interval. Pinging every session in one go put a
 * burst of two sends per client (a WebSocket ping and an app `ping`) plus their answers into a
 * single turn of the event loop: with 1,000 clients that stalled live batches by 40-50 ms every
 * 15 s (bench:fanout's stall report). Instead each session gets a slot, and every tick pings the
 * sessions of one slot, so each session is still pinged once per interval.
 */

/** Aim for a ping tick about this often (ms): small bursts, and a cheap scan per tick. */
export const PING_TICK_TARGET_MS = 250;

export interface PingSchedule {
  /** Number of slots the sessions are dealt into; one slot is pinged per tick. */
  readonly slots: number;
  /** Time between ticks (ms); `slots * tickMs` is the ping interval. */
  readonly tickMs: number;
}

/**
 * The slots and tick for a ping interval (ms, positive). An interval shorter than the target tick
 * keeps one slot, so every session is pinged together as before.
 */
export function pingSchedule(intervalMs: number): PingSchedule {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) throw new TypeError(`ping interval must be a positive number of ms, got ${intervalMs}`);
  const slots = Math.max(1, Math.round(intervalMs / PING_TICK_TARGET_MS));
  return { slots, tickMs: intervalMs / slots };
}
