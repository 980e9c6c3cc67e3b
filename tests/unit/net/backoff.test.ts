import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from '../../../lib/net/backoff';

/** Deterministic PRNG (mulberry32) so the distribution test is repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('backoffDelay', () => {
  it('never goes below minDelayMs nor above maxDelayMs, whatever the attempt', () => {
    const random = seeded(1);
    for (let attempt = 0; attempt < 50; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF, random);
        expect(delay).toBeGreaterThanOrEqual(500);
        expect(delay).toBeLessThanOrEqual(20_000);
      }
    }
  });

  it('spans [min, 2*min] on the first retry so simultaneous clients spread out', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(500);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999999)).toBe(1000);
  });

  it('doubles the window per attempt until it reaches maxDelayMs', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffCeiling(a, DEFAULT_BACKOFF))).toEqual([1000, 2000, 4000, 8000, 16_000, 20_000, 20_000]);
  });

  it('stays finite for absurd attempt numbers', () => {
    expect(backoffDelay(1e9, DEFAULT_BACKOFF, () => 0.5)).toBe(10_250);
  });

  it('spreads delays uniformly across the window (full jitter)', () => {
    const random = seeded(42);
    const buckets = new Array<number>(10).fill(0);
    const samples = 20_000;
    for (let i = 0; i < samples; i++) {
      const delay = backoffDelay(10, DEFAULT_BACKOFF, random); // window [500, 20000]
      buckets[Math.min(9, Math.floor(((delay - 500) / 19_500) * 10))]! += 1;
    }
    for (const count of buckets) {
      expect(count / samples).toBeGreaterThan(0.09);
      expect(count / samples).toBeLessThan(0.11);
    }
  });

  it('honours custom bounds', () => {
    const options = { minDelayMs: 10, maxDelayMs: 15 };
    expect(backoffDelay(5, options, () => 0.999999)).toBe(15);
    expect(backoffDelay(5, options, () => 0)).toBe(10);
  });
});
