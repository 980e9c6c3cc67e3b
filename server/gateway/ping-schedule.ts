/**
 * How the gateway spreads its pings over the ping interval. Pinging every connection in one go put a
 * burst of two sends per client (a WebSocket ping and an app `ping`) plus their answers into a
 * single turn of the event loop: with 1,000 clients that stalled live batches by 40-50 ms every
 * 15 s (bench:fanout's stall report). Instead each connection gets a slot, and every tick pings the
 * connections of one slot, so each connection is still pinged once per interval.
 */

/** Aim for a ping tick about this often (ms): small bursts, and a cheap scan per tick. */
export const PING_TICK_TARGET_MS = 250;

export interface PingSchedule {
  /** Number of slots the connections are dealt into; one slot is pinged per tick. */
  readonly slots: number;
  /** Time between ticks (ms); `slots * tickMs` is the ping interval. */
  readonly tickMs: number;
}

/**
 * The slots and tick for a ping interval (ms, positive). An interval shorter than the target tick
 * keeps one slot, so every connection is pinged together as before.
 */
export function pingSchedule(intervalMs: number): PingSchedule {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs))
    throw new TypeError(`ping interval must be a positive number of ms, got ${intervalMs}`);
  const slots = Math.max(1, Math.round(intervalMs / PING_TICK_TARGET_MS));
  return { slots, tickMs: intervalMs / slots };
}

/**
 * The rota of a {@link pingSchedule}: deals each new connection a slot, round-robin so slots stay
 * even, and says which slot each tick pings. Pure counting; the gateway's timer calls
 * {@link PingRota.nextSlot} every `tickMs`.
 */
export class PingRota {
  readonly slots: number;
  /** Time between ticks (ms). */
  readonly tickMs: number;
  private ticks = 0;
  private dealt = 0;

  /** `intervalMs`: each connection is pinged once per this many ms (positive). */
  constructor(intervalMs: number) {
    ({ slots: this.slots, tickMs: this.tickMs } = pingSchedule(intervalMs));
  }

  /** The slot for a new connection. */
  assignSlot(): number {
    return this.dealt++ % this.slots;
  }

  /** The slot this tick pings: tick k pings slot k mod slots. */
  nextSlot(): number {
    return this.ticks++ % this.slots;
  }
}
