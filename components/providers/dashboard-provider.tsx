'use client';
/**
 * Creates the page's dashboard store (one per mounted provider, never a module global) and, in the
 * browser, a {@link FeedClient} bridged to it. Also persists display preferences, mirrors the theme
 * onto <html>, and exposes the lag probe as `window.__tickwireLag` for the browser benchmark.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { FeedClient } from '../../lib/client';
import type { BarInterval } from '../../lib/market/types';
import { createDashboardStore, type DashboardStore } from '../../lib/store/dashboard-store';
import { DashboardStoreContext } from '../../lib/store/react';
import { DEFAULT_PREFS, applyThemeAttribute, loadPrefs, savePrefs } from './display-prefs';
import { bridgeFeed } from './feed-bridge';
import { resolveFeedUrls } from './feed-url';

/** Props of {@link DashboardProvider}: what the server knows at request time. */
export interface DashboardProviderProps {
  readonly initialSymbol: string | undefined;
  readonly initialInterval: BarInterval;
  /** `?feed=` of the request: one URL or a comma-separated list. */
  readonly queryFeedUrl: string | undefined;
  /** `FEED_URL` of the server environment: one URL or a comma-separated list. */
  readonly configuredFeedUrl: string | undefined;
  /** `FEED_PORT` of the server environment. */
  readonly configuredFeedPort: number | undefined;
  readonly children: ReactNode;
}

declare global {
  interface Window {
    /** Update-to-screen lag samples (ms), read by bench/browser.ts. */
    __tickwireLag?: DashboardStore['lagProbe'];
    /** The page's store, for tests and benchmarks. */
    __tickwireStore?: DashboardStore;
  }
}

export function DashboardProvider(props: DashboardProviderProps) {
  const { initialSymbol, initialInterval, queryFeedUrl, configuredFeedUrl, configuredFeedPort, children } = props;
  const [store] = useState(() => createDashboardStore({ url: '', initialSymbol, initialInterval, prefs: DEFAULT_PREFS }));

  useEffect(() => {
    const { actions } = store.getState();
    actions.setPrefs(loadPrefs());
    const unsubscribe = store.subscribe((state, prev) => {
      if (state.prefs === prev.prefs) return;
      savePrefs(state.prefs);
      applyThemeAttribute(state.prefs.theme);
    });
    applyThemeAttribute(store.getState().prefs.theme);
    window.__tickwireLag = store.lagProbe;
    window.__tickwireStore = store;
    return () => {
      unsubscribe();
      if (window.__tickwireStore === store) {
        delete window.__tickwireLag;
        delete window.__tickwireStore;
      }
    };
  }, [store]);

  useEffect(() => {
    const { actions } = store.getState();
    let urls: string[];
    try {
      urls = resolveFeedUrls({
        queryUrl: queryFeedUrl,
        configuredUrl: configuredFeedUrl,
        configuredPort: configuredFeedPort,
        page: window.location,
      });
    } catch (error) {
      actions.reportError(
        'feed-unreachable',
        'config',
        (error as Error).message,
        'Fix the feed URL (for example ?feed=ws://127.0.0.1:8080) and reload.',
      );
      actions.setConnectionState('closed');
      return;
    }
    actions.setFeedUrl(urls[0] ?? '');
    const client = new FeedClient({ url: urls });
    const unbridge = bridgeFeed(client, store, urls);
    client.connect();
    return () => {
      unbridge();
      client.close();
    };
  }, [store, queryFeedUrl, configuredFeedUrl, configuredFeedPort]);

  return <DashboardStoreContext.Provider value={store}>{children}</DashboardStoreContext.Provider>;
}
