/**
 * `<LiveChart>` props -> embed options: defaults applied, every value checked, the first problem
 * returned (the chart shows it) rather than thrown into the host app.
 */
import {
  EMBED_DEFAULTS,
  EmbedOptionError,
  parseFeedUrl,
  parseHeight,
  parseIntervalOption,
  parseSymbol,
  parseTheme,
  type EmbedChartOptions,
} from '../../lib/embed/embed-options';
import type { LiveChartProps } from './live-chart-props';

/** Feed port assumed when nothing says where the feed is (as `npm run feed` and `npm start` use). */
export const FALLBACK_FEED_PORT = 8080;

/** Where the page is (hostname and protocol), for the default feed URL. */
export interface PageLocation {
  readonly hostname: string;
  readonly protocol: string;
}

/** Props after defaults and validation, or the first problem with them. */
export function resolveLiveChartProps(props: LiveChartProps, page: PageLocation | undefined): EmbedChartOptions | EmbedOptionError {
  try {
    return {
      symbol: parseSymbol(props.symbol),
      interval: parseIntervalOption(props.interval),
      theme: parseTheme(props.theme),
      height: parseHeight(props.height),
      volume: props.volume ?? EMBED_DEFAULTS.volume,
      feedUrl: parseFeedUrl(props.feedUrl ?? defaultFeedUrl(page), 'feedUrl'),
    };
  } catch (error) {
    if (error instanceof EmbedOptionError) return error;
    throw error;
  }
}

/** ws://<page host>:8080 (wss:// on https pages): the feed service's default address beside the page. */
export function defaultFeedUrl(page: PageLocation | undefined): string {
  const host = page?.hostname || '127.0.0.1';
  return `${page?.protocol === 'https:' ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${FALLBACK_FEED_PORT}`;
}
