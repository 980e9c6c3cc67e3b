/**
 * Why a connection to the feed failed, told in words. A browser cannot read the HTTP answer to a
 * refused WebSocket handshake (it only sees close code 1006), so "feed down" and "this site is not
 * allowed" look alike. After a failed first connection an embed asks the feed service's
 * `GET /embed/check` (plain HTTP, CORS-enabled), which answers whether the page's origin is on the
 * gateway's allowlist; no answer at all means the service is unreachable.
 */
import { feedUnreachableText } from '../text/feed-errors';
import type { EmbedProblem } from './embed-problem';
import { feedHttpOrigin } from './embed-options';

/** Path of the origin check on the feed service. */
export const ORIGIN_CHECK_PATH = '/embed/check';
/** How long the check may take before the feed counts as unreachable (ms). */
export const ORIGIN_CHECK_TIMEOUT_MS = 5000;

/** The feed service's answer to `GET /embed/check` (JSON). */
export interface OriginCheckAnswer {
  /** The origin the service judged (the request's Origin header, else `?origin=`), or null. */
  readonly origin: string | null;
  /** True when the gateway accepts WebSocket connections from that origin. */
  readonly originAllowed: boolean;
  /** A sentence saying why. */
  readonly reason: string;
}

/** Outcome of {@link checkFeedOrigin}. */
export type FeedDiagnosis =
  { readonly reachable: false; readonly detail: string } | { readonly reachable: true; readonly answer: OriginCheckAnswer | undefined };

/** The subset of `fetch` the check uses (injectable for tests). */
export type FetchLike = (
  url: string,
  init: { signal?: AbortSignal; mode?: 'cors'; headers?: Record<string, string> },
) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}>;

/** True when `value` has the shape of an {@link OriginCheckAnswer}. */
export function isOriginCheckAnswer(value: unknown): value is OriginCheckAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.originAllowed === 'boolean' && typeof v.reason === 'string' && (v.origin === null || typeof v.origin === 'string');
}

/**
 * Asks the feed service behind `feedUrl` whether `pageOrigin` may connect. Never throws: a
 * network failure or timeout reads as unreachable; a service without the check (an older
 * release) reads as reachable with no answer.
 */
export async function checkFeedOrigin(
  feedUrl: string,
  pageOrigin: string | undefined,
  fetchImpl: FetchLike | undefined = globalThis.fetch as FetchLike | undefined,
  timeoutMs: number = ORIGIN_CHECK_TIMEOUT_MS,
): Promise<FeedDiagnosis> {
  if (!fetchImpl) return { reachable: true, answer: undefined };
  let url: string;
  try {
    url = `${feedHttpOrigin(feedUrl)}${ORIGIN_CHECK_PATH}${pageOrigin ? `?origin=${encodeURIComponent(pageOrigin)}` : ''}`;
  } catch {
    return { reachable: false, detail: 'malformed feed URL' };
  }
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), mode: 'cors' });
    if (!response.ok) return { reachable: true, answer: undefined };
    const body: unknown = await response.json();
    return { reachable: true, answer: isOriginCheckAnswer(body) ? body : undefined };
  } catch (error) {
    return { reachable: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The problem to show after the first connection to `feedUrl` failed, given the diagnosis. */
export function describeConnectFailure(feedUrl: string, diagnosis: FeedDiagnosis, pageOrigin: string | undefined): EmbedProblem {
  if (!diagnosis.reachable) {
    return {
      kind: 'feed-unreachable',
      message: feedUnreachableText(feedUrl),
      hint: 'The feed service may be down or the address wrong (check the feed setting). Retrying automatically.',
    };
  }
  const answer = diagnosis.answer;
  if (answer && !answer.originAllowed) {
    const origin = answer.origin ?? pageOrigin ?? 'this site';
    return {
      kind: 'origin-refused',
      message: `This site (${origin}) is not allowed to use the Tickwire feed at ${feedUrl}.`,
      hint: `Ask the feed's operator to allow it: npm run feed -- --allow-origin ${origin}`,
    };
  }
  return {
    kind: 'feed-unreachable',
    message: `The Tickwire feed at ${feedUrl} did not accept the connection.`,
    hint: 'It answers HTTP but not this WebSocket (a proxy in between?). Retrying automatically.',
  };
}
