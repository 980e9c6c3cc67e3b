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
    weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).format(timeSec * 1000);
}

/** Kinds of tick mark on the chart's time axis (the values of lightweight-charts' TickMarkType). */
export const TICK_MARK = { Year: 0, Month: 1, DayOfMonth: 2, Time: 3, TimeWithSeconds: 4 } as const;

/** Label for a time-axis tick mark at `timeSec` (seconds since the Unix epoch). */
export function formatTickMark(timeSec: number, tickMarkType: number, zone: TimeZoneChoice): string {
  const ms = timeSec * 1000;
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
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local';
}

/** The viewer's IANA zone ("America/New_York"), for tooltips. */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
}
