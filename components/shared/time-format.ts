/**
 * Time formatting in the viewer's local zone or in UTC. lightweight-charts only knows UTC
 * timestamps, so the chart's axis and crosshair labels come from these formatters too
 * (its `localization.timeFormatter` and `timeScale.tickMarkFormatter`).
 */

/** Which clock times are shown in. */
export type TimeZoneChoice = 'local' | 'utc';

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: TimeZoneChoice, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { ...options, hourCycle: 'h23', timeZone: zone === 'utc' ? 'UTC' : undefined });
    cache.set(key, format);
  }
  return format;
}

/** "14:03:07.123" for a time in µs since the Unix epoch (trade tape). */
export function formatClockMs(timeUs: number, zone: TimeZoneChoice): string {
  const ms = Math.floor(timeUs / 1000);
  const text = formatter(zone, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
  return `${text}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
}

/** "Tue 14 Jan 14:03:07" for a time in seconds since the Unix epoch (crosshair label, legend). */
export function formatDateTime(timeSec: number, zone: TimeZoneChoice): string {
  return formatter(zone, {
    weekday: 'short',
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(timeSec * 1000);
}

/** Kinds of tick mark on the chart's time axis (the values of lightweight-charts' TickMarkType). */
export const TICK_MARK = { Year: 0, Month: 1, DayOfMonth: 2, Time: 3, TimeWithSeconds: 4 } as const;

/**
 * Label for a time-axis tick mark at `timeSec` (seconds since the Unix epoch).
 *
 * lightweight-charts picks the kind of each mark on UTC's calendar. In the local zone a UTC day
 * boundary is an ordinary local hour and local midnight an ordinary UTC hour, so marks are
 * relabelled by the local calendar: local midnight is named by its day (month, year), and a UTC
 * boundary elsewhere in the local day shows its date with its time ("01 Jan 19:00"), not a bare
 * date that reads as the start of that day.
 */
export function formatTickMark(timeSec: number, tickMarkType: number, zone: TimeZoneChoice): string {
  const ms = timeSec * 1000;
  if (zone === 'local') {
    const parts = formatter('local', {
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(ms);
    const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
    const midnight = part('hour') === 0 && part('minute') === 0 && part('second') === 0;
    if (midnight) {
      return markLabel(ms, part('day') !== 1 ? TICK_MARK.DayOfMonth : part('month') !== 1 ? TICK_MARK.Month : TICK_MARK.Year, zone);
    }
    if (tickMarkType <= TICK_MARK.DayOfMonth) {
      return `${markLabel(ms, TICK_MARK.DayOfMonth, zone)} ${markLabel(ms, TICK_MARK.Time, zone)}`;
    }
  }
  return markLabel(ms, tickMarkType, zone);
}

/** Label of a mark of kind `tickMarkType` at `ms` (ms since the Unix epoch) in `zone`. */
function markLabel(ms: number, tickMarkType: number, zone: TimeZoneChoice): string {
  switch (tickMarkType) {
    case TICK_MARK.Year:
      return formatter(zone, { year: 'numeric' }).format(ms);
    case TICK_MARK.Month:
      return formatter(zone, { month: 'short' }).format(ms);
    case TICK_MARK.DayOfMonth:
      return formatter(zone, { day: '2-digit', month: 'short' }).format(ms);
    case TICK_MARK.Time:
      return formatter(zone, { hour: '2-digit', minute: '2-digit' }).format(ms);
    default:
      return formatter(zone, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
  }
}

/** Short name of the zone times are shown in: "UTC", or the viewer's zone now ("EST", "GMT+1"). */
export function zoneLabel(zone: TimeZoneChoice): string {
  if (zone === 'utc') return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local';
}

/** The viewer's IANA zone ("America/New_York"), for tooltips. */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
}
