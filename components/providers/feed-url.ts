/**
 * Where the browser finds the feed, decided at runtime (not baked in at build time), first match
 * wins:
 *   1. `?feed=ws://host:port` in the page URL;
 *   2. `FEED_URL` in the dashboard server's environment (passed down by app/page.tsx);
 *   3. `ws://<page hostname>:<FEED_PORT or 8080>` (same host as the page: works on localhost and
 *      on a LAN address alike).
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

/** Inputs of {@link resolveFeedUrl}. */
export interface FeedUrlSources {
  /** `?feed=` from the page URL. */
  readonly queryUrl?: string | undefined;
  /** `FEED_URL` from the server environment. */
  readonly configuredUrl?: string | undefined;
  /** `FEED_PORT` from the server environment. */
  readonly configuredPort?: number | undefined;
  /** The page's location (hostname and protocol). */
  readonly page: { readonly hostname: string; readonly protocol: string };
}

/** The feed URL to connect to; throws TypeError naming a malformed source. */
export function resolveFeedUrl(sources: FeedUrlSources): string {
  if (sources.queryUrl !== undefined && sources.queryUrl !== '') {
    if (!isFeedUrl(sources.queryUrl))
      throw new TypeError(`?feed= must be a ws:// or wss:// URL with a host, a port up to 65535 and no #, got "${sources.queryUrl}"`);
    return sources.queryUrl;
  }
  if (sources.configuredUrl !== undefined && sources.configuredUrl !== '') {
    if (!isFeedUrl(sources.configuredUrl))
      throw new TypeError(
        `FEED_URL must be a ws:// or wss:// URL with a host, a port up to 65535 and no #, got "${sources.configuredUrl}"`,
      );
    return sources.configuredUrl;
  }
  const port = sources.configuredPort ?? DEFAULT_FEED_PORT;
  const scheme = sources.page.protocol === 'https:' ? 'wss' : 'ws';
  const host = sources.page.hostname.includes(':') ? `[${sources.page.hostname}]` : sources.page.hostname || '127.0.0.1';
  return `${scheme}://${host}:${port}`;
}
