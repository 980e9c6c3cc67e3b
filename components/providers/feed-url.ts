/**
 * Where the browser finds the feed, decided at runtime (not baked in at build time), first match
 * wins:
 *   1. `?feed=ws://host:port` in the page URL;
 *   2. `FEED_URL` in the dashboard server's environment (passed down by app/page.tsx);
 *   3. `ws://<page hostname>:<FEED_PORT or 8080>` (same host as the page: works on localhost and
 *      on a LAN address alike).
 * The first two may each name several gateways, comma-separated (`ws://a:8081,ws://b:8081`): the
 * client tries them in turn, moving to the next on every reconnect, and resumes where it left off
 * (README, "Configuration").
 */

import { DEFAULT_FEED_PORT } from '../../lib/net/feed-address';
import { isWebSocketUrl } from '../../lib/net/url';

/**
 * True for a ws:// or wss:// URL a browser can open (a host, a port up to 65535, no #fragment): the
 * client library's own check, so a typo such as `ws://localhost:80800` is reported on the page
 * instead of failing every reconnect attempt behind the "cannot reach the feed" banner.
 */
export function isFeedUrl(text: string | undefined): text is string {
  return typeof text === 'string' && isWebSocketUrl(text);
}

/** Inputs of {@link resolveFeedUrls}. */
export interface FeedUrlSources {
  /** `?feed=` from the page URL: one URL or a comma-separated list. */
  readonly queryUrl?: string | undefined;
  /** `FEED_URL` from the server environment: one URL or a comma-separated list. */
  readonly configuredUrl?: string | undefined;
  /** `FEED_PORT` from the server environment. */
  readonly configuredPort?: number | undefined;
  /** The page's location (hostname and protocol). */
  readonly page: { readonly hostname: string; readonly protocol: string };
}

/**
 * The URLs of a comma-separated list, each trimmed (blank entries, as a trailing comma leaves, are
 * dropped); throws TypeError naming `source` and the first entry that is no feed URL.
 */
function parseFeedUrlList(text: string, source: string): string[] {
  const urls = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = urls.find((url) => !isFeedUrl(url));
  if (bad !== undefined || urls.length === 0) {
    const list = urls.length > 1 ? ' (or a comma-separated list of them)' : '';
    throw new TypeError(`${source} must be a ws:// or wss:// URL with a host, a port up to 65535 and no #${list}, got "${bad ?? text}"`);
  }
  return [...new Set(urls)];
}

/**
 * The feed URLs to connect to, in the order the client tries them (duplicates dropped); throws
 * TypeError naming the source and the entry that is malformed.
 */
export function resolveFeedUrls(sources: FeedUrlSources): string[] {
  if (sources.queryUrl !== undefined && sources.queryUrl !== '') return parseFeedUrlList(sources.queryUrl, '?feed=');
  if (sources.configuredUrl !== undefined && sources.configuredUrl !== '') return parseFeedUrlList(sources.configuredUrl, 'FEED_URL');
  const port = sources.configuredPort ?? DEFAULT_FEED_PORT;
  const scheme = sources.page.protocol === 'https:' ? 'wss' : 'ws';
  const host = sources.page.hostname.includes(':') ? `[${sources.page.hostname}]` : sources.page.hostname || '127.0.0.1';
  return [`${scheme}://${host}:${port}`];
}
