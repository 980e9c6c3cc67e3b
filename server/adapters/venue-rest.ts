/**
 * What the exchange adapters' REST history clients share (binance-rest.ts, coinbase-rest.ts): one
 * GET of a JSON page with a deadline; the venue's rate-limit answers honoured (429 / 418 with
 * `Retry-After`, RFC 9110 §10.2.3: seconds or an HTTP date); server faults and network errors
 * retried with bounded, jittered backoff; a refusal (any other 4xx) turned into a
 * {@link VenueRestError} that names the venue, the status and the venue's own message; and a
 * {@link RestGate} that spaces the requests of every history walk of one adapter, so parallel walks
 * share one budget. Every wait ends at once when the walk's AbortSignal fires.
 */
import { backoffDelay } from '../../lib/net/backoff';

/** How one REST request is retried. */
export interface RestRetryOptions {
  /** Retries after the first attempt of one request (server faults, network errors, rate limits). @defaultValue 5 */
  readonly maxRetries: number;
  /** Backoff bounds after a server fault or network error, ms. @defaultValue 500 and 30000 */
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /**
   * A `Retry-After` longer than this is not waited out: the walk fails with the venue's words
   * (a Binance IP ban, HTTP 418, lasts from 2 minutes to 3 days), ms. @defaultValue 300000
   */
  readonly maxRetryAfterMs: number;
  /** Deadline of one request, body included, ms. @defaultValue 30000 */
  readonly requestTimeoutMs: number;
}

/** Defaults of {@link RestRetryOptions}. */
export const REST_RETRY_DEFAULTS: Readonly<RestRetryOptions> = Object.freeze({
  maxRetries: 5,
  minRetryDelayMs: 500,
  maxRetryDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  requestTimeoutMs: 30_000,
});

/** A venue refused a history request, or kept failing it past the retries. */
export class VenueRestError extends Error {
  override readonly name = 'VenueRestError';
  constructor(
    /** Adapter name, e.g. "binance". */
    readonly venue: string,
    /** HTTP status of the last answer; 0 when there was none (network error, timeout). */
    readonly status: number,
    /** The venue's own message (Binance `msg`, Coinbase `message`), or a description of the fault. */
    readonly venueMessage: string,
    message: string,
  ) {
    super(message);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Spaces request start times for one venue: at most one request per `spacingMs`, and none before
 * a hold placed by a rate-limit answer or a weight window. Real (monotonic) time, whatever clock the
 * caller uses for bar times.
 */
export class RestGate {
  private nextAtMs = 0;
  constructor(private readonly spacingMs: number) {}

  /** Holds every request of this venue for `ms` from now (a Retry-After, a weight window). */
  holdFor(ms: number): void {
    this.nextAtMs = Math.max(this.nextAtMs, performance.now() + ms);
  }

  /** Waits for this request's turn and takes it. */
  async turn(signal: AbortSignal): Promise<void> {
    // Check and take happen in one synchronous step after each wake-up, so walks never share a turn.
    for (let wait = this.nextAtMs - performance.now(); wait > 0; wait = this.nextAtMs - performance.now()) {
      await abortableSleep(wait, signal);
    }
    signal.throwIfAborted();
    this.nextAtMs = performance.now() + this.spacingMs;
  }
}

/** `Retry-After` in ms (delay-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** One GET of {@link getVenueJson}. */
export interface VenueGet {
  /** Adapter name for messages, e.g. "binance". */
  readonly venue: string;
  /** What is fetched, for messages, e.g. "klines BTCUSDT 1m". */
  readonly what: string;
  readonly url: string;
  readonly signal: AbortSignal;
  readonly gate: RestGate;
  readonly retry: RestRetryOptions;
  /** The venue's own words from an error body (already JSON-parsed, may be anything). */
  readonly errorText: (body: unknown) => string | undefined;
  /** Sees every answer's headers before its status is acted on (Binance's used weight). */
  readonly onHeaders?: (headers: Headers) => void;
  /** Told about every wait that a venue answer caused, e.g. to count and log it. */
  readonly onNotice?: (kind: 'rateLimited' | 'retried', message: string) => void;
  /** Random source in [0, 1) for the backoff jitter. */
  readonly random?: () => number;
}

function venueWords(get: VenueGet, text: string): string {
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: the text itself (shortened) is the best we have
  }
  const words = get.errorText(body);
  if (words !== undefined && words !== '') return words;
  const trimmed = text.trim().slice(0, 200);
  return trimmed === '' ? 'no message' : trimmed;
}

function describeFault(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return error.name === 'TimeoutError' ? 'timed out' : `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * GETs `url` and returns the body text of a 2xx answer. 429 and 418 wait out their `Retry-After`
 * (holding the whole venue's gate; without the header, the backoff) unless it exceeds
 * `maxRetryAfterMs`; 5xx and network errors are retried after the backoff; after `maxRetries`
 * retries, or at once for any other status, it throws a {@link VenueRestError}. An abort rejects
 * with the signal's reason.
 */
export async function getVenueJson(get: VenueGet): Promise<string> {
  const { venue, what, signal, retry } = get;
  for (let attempt = 0; ; attempt++) {
    await get.gate.turn(signal);
    let status = 0;
    let problem: string;
    let waitMs = backoffDelay(attempt, { minDelayMs: retry.minRetryDelayMs, maxDelayMs: retry.maxRetryDelayMs }, get.random);
    try {
      const deadline = AbortSignal.timeout(retry.requestTimeoutMs);
      const response = await fetch(get.url, { signal: AbortSignal.any([signal, deadline]), headers: { accept: 'application/json' } });
      const text = await response.text();
      get.onHeaders?.(response.headers);
      if (response.ok) return text;
      status = response.status;
      const words = venueWords(get, text);
      problem = `HTTP ${status}, ${venue} says: ${words}`;
      if (status === 429 || status === 418) {
        const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
        if (retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterMs) {
          const ban = status === 418 ? 'has banned this IP' : 'is rate-limiting this IP';
          throw new VenueRestError(
            venue,
            status,
            words,
            `${venue} ${what}: the venue ${ban} (HTTP ${status}) for ${Math.ceil(retryAfterMs / 1000)} s, longer than maxRetryAfterMs (${retry.maxRetryAfterMs} ms); ${venue} says: ${words}`,
          );
        }
        waitMs = retryAfterMs ?? waitMs;
        get.gate.holdFor(waitMs);
        get.onNotice?.('rateLimited', `${venue} ${what}: rate limited (HTTP ${status}); waiting ${waitMs} ms as asked`);
      } else if (status < 500) {
        throw new VenueRestError(venue, status, words, `${venue} ${what} refused: ${problem}`);
      }
    } catch (error) {
      if (error instanceof VenueRestError) throw error;
      if (signal.aborted) throw signal.reason as Error;
      problem = `request failed: ${describeFault(error)}`;
    }
    if (attempt >= retry.maxRetries) {
      throw new VenueRestError(venue, status, problem, `${venue} ${what} failed after ${attempt + 1} attempts: ${problem}`);
    }
    // A rate-limit answer held the gate: the next turn waits it out (with every other walk of the venue).
    if (status === 429 || status === 418) continue;
    get.onNotice?.('retried', `${venue} ${what}: ${problem}; retrying in ${waitMs} ms`);
    await abortableSleep(waitMs, signal);
  }
}

/** Parses a plain decimal ("-12.340") into an integer and its scale (digits after the point). */
function scaled(text: string): { readonly units: bigint; readonly scale: number } | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = ''] = match;
  return { units: BigInt(`${sign}${whole}${fraction}`), scale: fraction.length };
}

/**
 * `numerator / denominator` as a decimal string with exactly `places` decimals, rounded half away
 * from zero, computed exactly (no binary floating point): Binance's quote volume / volume is the
 * bar's vwap, rounded to the instrument's price grid so it parses exactly. Undefined when either is
 * not a plain decimal or the denominator is zero.
 */
export function decimalQuotient(numerator: string, denominator: string, places: number): string | undefined {
  const n = scaled(numerator);
  const d = scaled(denominator);
  if (!n || !d || d.units === 0n) return undefined;
  // n/d = (n.units / 10^n.scale) / (d.units / 10^d.scale); times 10^places, as integers.
  let top = n.units * 10n ** BigInt(d.scale + places);
  let bottom = d.units * 10n ** BigInt(n.scale);
  if (bottom < 0n) [top, bottom] = [-top, -bottom];
  const negative = top < 0n;
  const magnitude = negative ? -top : top;
  const units = (magnitude * 2n + bottom) / (2n * bottom);
  const digits = units.toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative && units !== 0n ? `-${text}` : text;
}
