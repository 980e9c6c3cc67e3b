import { describe, expect, it } from 'vitest';
import { PING_TICK_TARGET_MS, pingSchedule } from '../../server/gateway/ping-schedule';

describe('pingSchedule', () => {
  it('splits the default 15 s interval into 60 slots a quarter of a second apart', () => {
    expect(pingSchedule(15_000)).toEqual({ slots: 60, tickMs: 250 });
  });
  it('makes slots x tick equal the interval when the interval is not a multiple of the tick', () => {
    const { slots, tickMs } = pingSchedule(1100);
    expect(slots).toBe(4);
    expect(slots * tickMs).toBeCloseTo(1100, 9);
  });
  it('keeps one slot for an interval shorter than the target tick', () => {
    expect(pingSchedule(PING_TICK_TARGET_MS / 2)).toEqual({ slots: 1, tickMs: PING_TICK_TARGET_MS / 2 });
  });
  it('refuses an interval that is not a positive number of ms', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => pingSchedule(bad)).toThrow(TypeError);
  });
});
