/**
 * One connection per page per feed: a page-level registry of {@link FeedHub}s keyed by feed URL,
 * reference-counted. The first chart of a feed creates its FeedClient and connects; the last one
 * to let go closes it, {@link HUB_LINGER_MS} later, so a chart that is unmounted and mounted again
 * straight away (React StrictMode, a route change, an attribute edit) keeps the same connection.
 *
 * The registry lives on `globalThis` under a key that names this release, so the `<LiveChart>`
 * package and the `<tickwire-chart>` script on one page share connections too.
 */
import { FeedClient, type FeedClientOptions } from '../client';
import { PROTOCOL_VERSION } from '../protocol/constants';
import { FeedHub, type FeedHubOptions, type HubClient } from './feed-hub';

/** How long a hub nobody holds stays open before closing (ms). */
export const HUB_LINGER_MS = 1000;

/** Bumped when {@link FeedHub}'s shape changes, so two releases on one page never share a hub. */
export const EMBED_REGISTRY_VERSION = 1;

/** A hold on a page's hub for one feed; `release()` lets go (once). */
export interface FeedHubLease {
  readonly hub: FeedHub;
  release(): void;
}

interface Entry {
  readonly hub: FeedHub;
  holders: number;
  lingerTimer: ReturnType<typeof setTimeout> | undefined;
}

/** How the registry makes a hub for a feed (replaceable in tests). */
export type HubFactory = (feedUrl: string) => FeedHub;

/** Makes a hub around a new, connected FeedClient. */
export function defaultHubFactory(
  feedUrl: string,
  clientOptions: Partial<FeedClientOptions> = {},
  hubOptions: Partial<FeedHubOptions> = {},
): FeedHub {
  const client: HubClient = new FeedClient({ ...clientOptions, url: feedUrl });
  const hub = new FeedHub(feedUrl, client, hubOptions);
  client.connect();
  return hub;
}

const REGISTRY_KEY = Symbol.for(`tickwire.embed.hubs.v${PROTOCOL_VERSION}.${EMBED_REGISTRY_VERSION}`);

/** The page's hubs by feed URL. */
function registry(): Map<string, Entry> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, Entry> };
  return (holder[REGISTRY_KEY] ??= new Map());
}

/** Registry key of a feed URL: scheme and host lowercased, no trailing slash. */
export function feedKey(feedUrl: string): string {
  try {
    const url = new URL(feedUrl);
    const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
    return `${url.protocol}//${url.host}${path}${url.search}`;
  } catch {
    return feedUrl;
  }
}

/**
 * Holds the page's hub for `feedUrl`, creating it (and its connection) for the first holder.
 * Call `release()` when the chart goes away.
 */
export function acquireFeedHub(feedUrl: string, factory: HubFactory = (url) => defaultHubFactory(url)): FeedHubLease {
  const hubs = registry();
  const key = feedKey(feedUrl);
  let entry = hubs.get(key);
  if (!entry) {
    entry = { hub: factory(feedUrl), holders: 0, lingerTimer: undefined };
    hubs.set(key, entry);
  }
  const held = entry;
  clearTimeout(held.lingerTimer);
  held.lingerTimer = undefined;
  held.holders += 1;
  let released = false;
  return {
    hub: held.hub,
    release() {
      if (released) return;
      released = true;
      held.holders -= 1;
      if (held.holders > 0) return;
      held.lingerTimer = setTimeout(() => {
        if (held.holders > 0 || hubs.get(key) !== held) return;
        hubs.delete(key);
        held.hub.close();
      }, HUB_LINGER_MS);
    },
  };
}

/**
 * Feeds this page holds a hub for, with their holder counts (diagnostics and tests).
 * @internal
 */
export function activeFeedHubs(): Array<{ feedUrl: string; holders: number; charts: number }> {
  return [...registry().entries()].map(([feedUrl, entry]) => ({ feedUrl, holders: entry.holders, charts: entry.hub.watchCount }));
}
