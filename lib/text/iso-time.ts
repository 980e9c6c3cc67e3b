/**
 * ISO-8601 timestamps <-> µs since the Unix epoch, exact to the microsecond. Venues (Coinbase)
 * and recordings write "2022-10-19T23:28:22.061769Z"; `Date.parse` alone would drop the last
 * three digits. One home for the rule: recordings (server), `npm run tail` records and anything
 * else that prints a tick's time read and write it here.
 */

const ISO_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/;
const US_PER_MS = 1000;
const MICRO_DIGITS = 6;

/**
 * µs since the Unix epoch for an ISO-8601 UTC or offset timestamp with up to 9 fractional digits
 * (digits beyond the µs are dropped), or `undefined` when `text` is not one.
 */
export function parseIsoMicros(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_RE.exec(text);
  if (match === null) return undefined;
  const [, seconds = '', fraction = '', zone = 'Z'] = match;
  const wholeMs = Date.parse(`${seconds}${zone}`);
  if (!Number.isFinite(wholeMs)) return undefined;
  return wholeMs * US_PER_MS + Number(fraction.padEnd(MICRO_DIGITS, '0').slice(0, MICRO_DIGITS));
}

/** "2024-05-01T12:00:00.123456Z" for µs since the Unix epoch (always six fractional digits). */
export function formatIsoMicros(us: number): string {
  // Rounded first: a fractional 1999.7 µs must become .002000, not .001 followed by "1000".
  const whole = Math.round(us);
  const ms = Math.floor(whole / US_PER_MS);
  const micros = whole - ms * US_PER_MS;
  const iso = new Date(ms).toISOString(); // ...T12:00:00.123Z
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}
