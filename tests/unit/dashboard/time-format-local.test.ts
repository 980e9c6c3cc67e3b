import { afterAll, describe, expect, it } from 'vitest';

// The viewer's zone for this file: five hours behind UTC in January. Set before the module under
// test creates its formatters, and restored for the files that run after this one.
const savedZone = process.env.TZ;
process.env.TZ = 'America/New_York';
afterAll(() => {
  if (savedZone === undefined) delete process.env.TZ;
  else process.env.TZ = savedZone;
});

const { formatTickMark, TICK_MARK } = await import('../../../components/shared/time-format');

/** Seconds since the Unix epoch of a UTC wall time in January 2024. */
const utc = (day: number, hour: number, minute = 0): number => Date.UTC(2024, 0, day, hour, minute) / 1000;

describe('formatTickMark in the local zone', () => {
  it('names the day at local midnight, where the chart marks it as an ordinary hour', () => {
    // 05:00 UTC on 2 Jan is 00:00 on 2 Jan in New York; the chart's marks follow UTC days.
    expect(formatTickMark(utc(2, 5), TICK_MARK.Time, 'local')).toBe('02 Jan');
    expect(formatTickMark(utc(1, 5), TICK_MARK.TimeWithSeconds, 'local')).toBe('2024');
  });

  it('does not label a UTC day boundary that falls in the local evening as the start of a day', () => {
    // 00:00 UTC on 2 Jan is 19:00 on 1 Jan in New York.
    expect(formatTickMark(utc(2, 0), TICK_MARK.DayOfMonth, 'local')).toBe('01 Jan 19:00');
    expect(formatTickMark(utc(1, 0), TICK_MARK.Year, 'local')).toBe('31 Dec 19:00');
  });

  it('leaves ordinary hours and UTC labels alone', () => {
    expect(formatTickMark(utc(2, 7, 30), TICK_MARK.Time, 'local')).toBe('02:30');
    expect(formatTickMark(utc(2, 0), TICK_MARK.DayOfMonth, 'utc')).toBe('02 Jan');
    expect(formatTickMark(utc(2, 5), TICK_MARK.Time, 'utc')).toBe('05:00');
  });
});
