import { describe, expect, it } from 'vitest';
import { LAG_HISTOGRAM_MAX_MS, createLagProbe } from '../../../lib/store/lag-probe';

describe('LagProbe', () => {
  describe('#samples', () => {
    it('returns the newest samples, oldest first, once the ring wrapped', () => {
      const probe = createLagProbe(3);
      for (const lag of [1, 2, 3, 4, 5]) probe.record(lag);
      expect(probe.samples()).toEqual([3, 4, 5]);
      expect(probe.count()).toBe(5);
    });
  });

  describe('#percentile', () => {
    it('covers every sample since the reset, not only the ring', () => {
      const probe = createLagProbe(2);
      for (let i = 1; i <= 100; i += 1) probe.record(i - 0.5);
      expect(probe.percentile(50)).toBe(50);
      expect(probe.percentile(99)).toBe(99);
      expect(probe.percentile(100)).toBe(100);
    });

    it('puts samples beyond the range in the last bucket and is NaN when empty', () => {
      const probe = createLagProbe();
      expect(probe.percentile(50)).toBeNaN();
      probe.record(1e9);
      expect(probe.percentile(50)).toBe(LAG_HISTOGRAM_MAX_MS);
      probe.reset();
      expect(probe.count()).toBe(0);
      expect(probe.percentile(50)).toBeNaN();
    });
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => createLagProbe(0)).toThrow(TypeError);
  });
});
