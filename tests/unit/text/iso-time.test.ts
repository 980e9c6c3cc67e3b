import { describe, expect, it } from 'vitest';
import { formatIsoMicros, parseIsoMicros } from '../../../lib/text/iso-time';

const T = 1_714_564_800_123_456; // 2024-05-01T12:00:00.123456Z

describe('formatIsoMicros', () => {
  it('keeps all six fractional digits', () => {
    expect(formatIsoMicros(T)).toBe('2024-05-01T12:00:00.123456Z');
    expect(formatIsoMicros(1_714_564_800_000_007)).toBe('2024-05-01T12:00:00.000007Z');
  });

  it('rounds a fractional µs time to six digits, never seven', () => {
    expect(formatIsoMicros(1_714_564_800_001_999.75)).toBe('2024-05-01T12:00:00.002000Z');
  });

  it('reads back what it writes', () => {
    expect(parseIsoMicros(formatIsoMicros(T))).toBe(T);
  });
});
