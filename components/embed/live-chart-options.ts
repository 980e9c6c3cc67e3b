/**
 * `<LiveChart>` props -> embed options: defaults applied, every value checked, the first problem
 * returned (the chart shows it) rather than thrown into the host app.
 */
import { EMBED_DEFAULTS, parseEmbedOptions, type EmbedChartOptions, type EmbedOptionError } from '../../lib/embed/embed-options';
import { DEFAULT_FEED_PORT } from '../../lib/net/feed-address';
import type { BarIntervalLabel } from '../../lib/market/types';
import type { LiveChartInterval, LiveChartProps } from './live-chart-props';

// live-chart-props.ts spells the labels out (no imports in the published types): keep them equal.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const LABELS_MATCH: Same<LiveChartInterval, BarIntervalLabel> = true;
void LABELS_MATCH;

/** Where the page is (hostname and protocol), for the default feed URL. */
export interface PageLocation {
  readonly hostname: string;
  readonly protocol: string;
}

/** Props after defaults and validation, or the first problem with them. */
export function resolveLiveChartProps(props: LiveChartProps, page: PageLocation | undefined): EmbedChartOptions | EmbedOptionError {
  return parseEmbedOptions(
    { ...props, volume: props.volume ?? EMBED_DEFAULTS.volume, feedUrl: props.feedUrl ?? defaultFeedUrl(page) },
    { feedOption: 'feedUrl' },
  );
}

/** ws://<page host>:8080 (wss:// on https pages): the feed service's default address beside the page. */
export function defaultFeedUrl(page: PageLocation | undefined): string {
  const host = page?.hostname || '127.0.0.1';
  return `${page?.protocol === 'https:' ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${DEFAULT_FEED_PORT}`;
}
