import { describe, expect, it } from 'vitest';
import { RateWindow, StatsCollector } from '../../../lib/client/stats';

describe('RateWindow', () => {
  it('reports a steady rate as that rate', () => {
    const w = new RateWindow(0, 2000, 10);
    for (let t = 0; t < 5000; t += 10) w.add(1, t); // 100 per second
    expect(w.ratePerSec(5000)).toBeCloseTo(100, 0);
  });

  it('does not dilute the rate by time before counting started', () => {
    const w = new RateWindow(1000, 2000, 10);
    for (let t = 1000; t < 1500; t += 10) w.add(2, t); // 200 per second for 0.5 s
    expect(w.ratePerSec(1500)).toBeCloseTo(200, 0);
  });

  it('forgets amounts older than the window', () => {
    const w = new RateWindow(0, 2000, 10);
    w.add(1000, 100);
    expect(w.ratePerSec(1000)).toBeGreaterThan(0);
    expect(w.ratePerSec(2300)).toBe(0);
  });

  it('recycles a bucket slot instead of adding to a stale count', () => {
    const w = new RateWindow(0, 1000, 5); // 200 ms buckets
    w.add(100, 50); // bucket 0, slot 0
    w.add(1, 1050); // bucket 5, also slot 0: must not include the 100
    // The window now spans buckets 1..5, i.e. 200 ms .. 1100 ms = 0.9 s holding 1 unit.
    expect(w.ratePerSec(1100)).toBeCloseTo(1 / 0.9, 6);
  });

  it('rejects a window it cannot build', () => {
    expect(() => new RateWindow(0, 0, 10)).toThrow(RangeError);
    expect(() => new RateWindow(0, 1000, 0)).toThrow(RangeError);
  });
});

describe('StatsCollector', () => {
  it('computes data age from the freshest live update on the server clock', () => {
    const s = new StatsCollector(0);
    s.rtt(20);
    s.serverTime(10_000_000 /* µs = 10 000 ms */, 9_000); // server 1 s ahead (+10 ms one way)
    s.liveUpdate(9_950_000);
    s.liveUpdate(9_900_000); // older: ignored
    const out = s.snapshot(9_100);
    expect(out.clockOffsetMs).toBe(1010);
    expect(out.dataAgeMs).toBe(9_100 + 1010 - 9_950);
  });

  it('reports unknowns as null and the time since the last message', () => {
    const s = new StatsCollector(0);
    expect(s.snapshot(10)).toMatchObject({ rttMs: null, dataAgeMs: null, lastMessageAgeMs: null });
    s.message(100, 50);
    expect(s.snapshot(80).lastMessageAgeMs).toBe(30);
  });

  it('counts messages, bytes and updates per second', () => {
    const s = new StatsCollector(0);
    for (let t = 0; t < 2000; t += 100) {
      s.message(500, t);
      s.updates(4, t);
    }
    const out = s.snapshot(2000);
    expect(out.messagesPerSec).toBeCloseTo(10, 0);
    expect(out.bytesPerSec).toBeCloseTo(5000, -1);
    expect(out.updatesPerSec).toBeCloseTo(40, 0);
  });
});
