import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  mergeHistograms,
  nextMessage,
  percentileMs,
  seededSubscriptions,
  summariseLoads,
  type LoadReport,
} from '../../../bench/load-fleet';

function report(histogram: number[], deliveries: number): LoadReport {
  return {
    stalls: [],
    deliveries,
    gaps: 0,
    messages: 1,
    bytes: 10,
    histogram,
    bucketUs: 100,
    cpuCores: 0.25,
    closedByCode: {},
    loopDelayMs: [0, 0, 0],
  };
}

describe('mergeHistograms', () => {
  it('adds the load processes bucket by bucket', () => {
    expect(
      mergeHistograms([
        [1, 0, 2],
        [0, 3, 1],
      ]),
    ).toEqual([1, 3, 3]);
  });
});

describe('percentileMs', () => {
  it('reads the upper edge of the bucket where the running count reaches the quantile', () => {
    // 100 values: 50 in 0-0.1 ms, 49 in 0.1-0.2 ms, 1 in 0.4-0.5 ms.
    const histogram = [50, 49, 0, 0, 1];
    expect(percentileMs(histogram, 100, 0.5)).toBe(0.1);
    expect(percentileMs(histogram, 100, 0.99)).toBe(0.2);
    expect(percentileMs(histogram, 100, 0.999)).toBe(0.5);
  });

  it('is NaN for an empty histogram', () => {
    expect(percentileMs([0, 0], 100, 0.5)).toBeNaN();
  });
});

describe('summariseLoads', () => {
  it('takes percentiles of the merged histogram, not an average of each process', () => {
    // One process all fast, one all slow: the merged median is the fast bucket's edge.
    const summary = summariseLoads([report([60, 0, 0], 60), report([0, 0, 40], 40)]);
    expect(summary.deliveries).toBe(100);
    expect(summary.cpuCores).toBe(0.5);
    expect(summary.p50).toBe(0.1);
    expect(summary.p99).toBe(0.3);
  });

  it('adds the clients each process saw closed, by close code', () => {
    const a = { ...report([1], 1), closedByCode: { '1012': 3 } };
    const b = { ...report([1], 1), closedByCode: { '1012': 2, '1001': 1 } };
    expect(summariseLoads([a, b]).closedByCode).toEqual({ '1012': 5, '1001': 1 });
  });
});

describe('seededSubscriptions', () => {
  it('gives every client distinct symbols, the same on every call', () => {
    const symbols = ['A', 'B', 'C', 'D', 'E'];
    const first = seededSubscriptions(20, 3, symbols);
    expect(first).toEqual(seededSubscriptions(20, 3, symbols));
    for (const chosen of first) expect(new Set(chosen).size).toBe(3);
  });

  it('gives a client at most every symbol', () => {
    expect(seededSubscriptions(2, 10, ['A', 'B']).map((s) => [...s].sort())).toEqual([
      ['A', 'B'],
      ['A', 'B'],
    ]);
  });
});

describe('nextMessage', () => {
  const child = (code: string) => spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });

  it('resolves with the first message of the type asked for', async () => {
    const proc = child("process.send({ type: 'other' }); process.send({ type: 'ready', n: 1 }, () => process.exit(0));");
    await expect(nextMessage(proc, 'ready')).resolves.toEqual({ type: 'ready', n: 1 });
  });

  it('rejects when the process exits before sending it', async () => {
    const proc = child('process.exit(3)');
    await expect(nextMessage(proc, 'ready')).rejects.toThrow(/exited \(3\) before sending "ready"/);
  });

  it('rejects at once for a process that had already exited', async () => {
    const proc = child('process.exit(4)');
    await new Promise((resolve) => proc.once('exit', resolve));
    await expect(nextMessage(proc, 'ready')).rejects.toThrow(/had exited \(4\)/);
  });
});
