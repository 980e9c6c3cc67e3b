/**
 * How a flag's text (or an environment variable's) becomes a value: one parser per kind, so a
 * number flag means the same in every CLI. `--instruments 2.5` is refused by `npm run feed` and
 * `npm start` alike; a port is 0..65535 everywhere; a duration is whole ms a timer can wait.
 *
 * Every parser refuses blank text rather than reading it as 0 (`Number('')` is 0: `--port ""`
 * would have listened on a random port) and names where the text came from (`--port` or
 * `FEED_PORT`) in its {@link UsageError}.
 */
import { isWebSocketUrl } from '../../lib/net/url';
import { MAX_TIMER_MS } from '../gateway/options';

/** A bad command line or environment: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Turns text into a value of one kind. */
export interface ValueKind<T> {
  /**
   * @param text the flag's value or the environment variable's (never blank when from the environment)
   * @param source what to call it in a message: "--port" or "FEED_PORT"
   * @throws UsageError saying what was expected and what was given
   */
  parse(text: string, source: string): T;
}

/** Reads `text` as a finite number; undefined for blank or non-numeric text. */
function toNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** "in 1..65535", "a positive integer" ...: the range phrase of an integer kind. */
function integerRange(min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return `a number in ${min}..${max}`;
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  return `an integer >= ${min}`;
}

/** Bounds of an integer kind. */
export interface IntegerBounds {
  /** @defaultValue 0 */
  readonly min?: number;
  /** @defaultValue Number.MAX_SAFE_INTEGER */
  readonly max?: number;
}

/** A whole number in min..max (counts, seeds, bytes). */
export function integer(bounds: IntegerBounds = {}): ValueKind<number> {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const range = integerRange(min, max);
  return {
    parse(text, source) {
      const n = toNumber(text);
      // "a number in 1..100" would not say why 2.5 is refused; "a positive integer" already does.
      if (n !== undefined && !Number.isInteger(n) && n >= min && n <= max && max !== Number.MAX_SAFE_INTEGER) {
        throw new UsageError(`${source} must be a whole number in ${min}..${max}, got "${text}"`);
      }
      if (n === undefined || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${source} must be ${range}, got "${text}"`);
      return n;
    },
  };
}

/** A TCP port: 0..65535, where 0 asks the system for any free port. */
export const port: ValueKind<number> = integer({ min: 0, max: 65535 });

/**
 * A duration in whole ms, `min`..{@link MAX_TIMER_MS}: Node fires a longer timer after 1 ms, so a
 * flush interval meant to be long would flush a thousand times a second instead.
 */
export function durationMs(min = 0): ValueKind<number> {
  return integer({ min, max: MAX_TIMER_MS });
}

/** Options of {@link positiveNumber}. */
export interface PositiveNumberOptions {
  /** Largest value accepted. */
  readonly max?: number;
  /** Unit said after the number in messages ("updates per second"). */
  readonly unit?: string;
}

/** A number above 0, fractions allowed (rates, seconds). */
export function positiveNumber(options: PositiveNumberOptions = {}): ValueKind<number> {
  const unit = options.unit ? ` ${options.unit}` : '';
  const atMost = options.max === undefined ? '' : ` and at most ${options.max}`;
  return {
    parse(text, source) {
      const n = toNumber(text);
      if (n === undefined || n <= 0 || (options.max !== undefined && n > options.max)) {
        throw new UsageError(`${source} must be above 0${unit}${atMost} (fractions such as 0.5 work), got "${text}"`);
      }
      return n;
    },
  };
}

/** A `ws://` or `wss://` URL a WebSocket can open (lib/net/url.ts). */
export const wsUrl: ValueKind<string> = {
  parse(text, source) {
    const url = text.trim();
    if (!isWebSocketUrl(url)) {
      throw new UsageError(`${source} must be a ws:// or wss:// URL, got "${url}" (it needs a host, a port up to 65535 and no #)`);
    }
    return url;
  },
};

/** A NATS server URL: nats://host:port (or tls://; a bare host:port gets nats://). */
export const natsUrl: ValueKind<string> = {
  parse(text, source) {
    const given = text.trim();
    const url = /^[a-z]+:\/\//i.test(given) ? given : `nats://${given}`;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (
      parsed === undefined ||
      !['nats:', 'tls:'].includes(parsed.protocol) ||
      parsed.hostname === '' ||
      parsed.pathname.replace('/', '') !== ''
    ) {
      throw new UsageError(`${source} must be a NATS server URL such as nats://127.0.0.1:4222, got "${given}"`);
    }
    return url;
  },
};

/** Text taken as given (an address, a path); what it must look like is checked where it is used. */
export const text: ValueKind<string> = { parse: (value) => value };

/** One of a fixed list of words. */
export function oneOf<const T extends string>(choices: readonly T[]): ValueKind<T> {
  return {
    parse(value, source) {
      if (!(choices as readonly string[]).includes(value))
        throw new UsageError(`${source} must be one of ${choices.join(', ')}, got "${value}"`);
      return value as T;
    },
  };
}
