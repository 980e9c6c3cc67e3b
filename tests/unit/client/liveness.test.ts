import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Liveness, type LivenessOptions } from '../../../lib/client/liveness';

function liveness(overrides: Partial<LivenessOptions> = {}) {
  const dead: string[] = [];
  const pings: number[] = [];
  const rtts: number[] = [];
  const now = vi.fn(() => Date.now());
  const l = new Liveness({
    now,
    connectTimeoutMs: 1000,
    heartbeatTimeoutFactor: 3,
    pingIntervalMs: 0,
    sendPing: (nonce) => pings.push(nonce),
    onDead: (reason) => dead.push(reason),
    onRtt: (ms) => rtts.push(ms),
    ...overrides,
  });
  return { l, dead, pings, rtts, now };
}

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe('Liveness', () => {
  it('declares the connection dead when hello does not come within connectTimeoutMs', () => {
    const { l, dead } = liveness();
    l.start();
    vi.advanceTimersByTime(999);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(dead[0]).toMatch(/no hello within 1000 ms/);
  });

  it('keeps a connection that hears something within factor x interval alive, however long', () => {
    const { l, dead } = liveness();
    l.start();
    l.hello(100);
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(250);
      l.message(Date.now());
    }
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(300);
    expect(dead[0]).toMatch(/heartbeat timeout: no message for 300 ms/);
  });

  it('does not spin when a server announces a heartbeat interval beyond what timers can hold', () => {
    const { l, dead, now } = liveness();
    l.start();
    l.hello(1e12);
    const calls = now.mock.calls.length;
    vi.advanceTimersByTime(10_000);
    expect(now.mock.calls.length).toBe(calls);
    expect(dead).toEqual([]);
    l.stop();
  });

  it('judges silence by its own pings when the server announces no heartbeats (interval 0)', () => {
    const { l, dead, pings } = liveness({ pingIntervalMs: 1000 });
    l.start();
    l.hello(0);
    vi.advanceTimersByTime(2_900);
    expect(dead).toEqual([]);
    expect(pings.length).toBeGreaterThan(1);
    vi.advanceTimersByTime(100);
    expect(dead[0]).toMatch(/heartbeat timeout: no message for 3000 ms/);
  });

  it('keeps a connection with neither heartbeats nor pings without a watchdog', () => {
    const { l, dead } = liveness({ pingIntervalMs: 0 });
    l.start();
    l.hello(0);
    vi.advanceTimersByTime(60_000);
    expect(dead).toEqual([]);
    l.stop();
  });

  it('pings on an interval and measures RTT from the matching pong only', () => {
    const { l, pings, rtts } = liveness({ pingIntervalMs: 1000 });
    l.start();
    l.hello(5000);
    expect(pings).toEqual([1]);
    vi.advanceTimersByTime(30);
    l.pong(99, Date.now()); // not ours
    l.pong(1, Date.now());
    l.pong(1, Date.now() + 5); // answered already
    expect(rtts).toEqual([30]);
    vi.advanceTimersByTime(1000);
    expect(pings).toEqual([1, 2]);
    l.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
