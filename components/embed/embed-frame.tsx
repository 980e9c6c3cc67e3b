'use client';
/**
 * The body of the iframe route `/embed/chart/<symbol>`: one embedded chart filling the frame.
 * Query options arrive as text and are checked here, so a wrong one shows a readable problem in
 * the frame instead of an error page. The feed URL is resolved in the browser like the
 * dashboard's (`?feed=`, else FEED_URL, else the page's host and FEED_PORT); of a list of gateway
 * URLs the frame takes the first.
 */
import { useEffect, useRef } from 'react';
import { EmbedOptionError, parseEmbedOptions, type EmbedChartOptions } from '../../lib/embed/embed-options';
import { resolveFeedUrls } from '../providers/feed-url';
import { EmbedChartView } from './embed-chart-view';

/** Height of the chart inside the frame when `?height=` is absent: the whole frame. */
export const FRAME_DEFAULT_HEIGHT = '100%';

/** The route's inputs, as text from the request. */
export interface EmbedFrameProps {
  readonly symbol: string;
  readonly interval: string | undefined;
  readonly theme: string | undefined;
  readonly height: string | undefined;
  readonly volume: string | undefined;
  /** `?feed=` of the request. */
  readonly queryFeedUrl: string | undefined;
  /** `FEED_URL` of the dashboard server's environment. */
  readonly configuredFeedUrl: string | undefined;
  /** `FEED_PORT` of the dashboard server's environment. */
  readonly configuredFeedPort: number | undefined;
}

/** The route's text inputs as embed options, or the first problem with them. Browser only (feed URL). */
export function frameOptions(props: EmbedFrameProps, page: { hostname: string; protocol: string }): EmbedChartOptions | EmbedOptionError {
  let feedUrl: string;
  try {
    // An embed connects to one feed URL (the page's charts share a connection per URL): the first
    // of a list. Failover across gateways is the dashboard's, not the embeds', today.
    const urls = resolveFeedUrls({
      queryUrl: props.queryFeedUrl,
      configuredUrl: props.configuredFeedUrl,
      configuredPort: props.configuredFeedPort,
      page,
    });
    feedUrl = urls[0] ?? '';
  } catch (error) {
    return new EmbedOptionError('feed', (error as Error).message);
  }
  return parseEmbedOptions({ ...props, feedUrl }, { defaultHeight: FRAME_DEFAULT_HEIGHT });
}

export function EmbedFrame(props: EmbedFrameProps) {
  const host = useRef<HTMLDivElement>(null);
  const { symbol, interval, theme, height, volume, queryFeedUrl, configuredFeedUrl, configuredFeedPort } = props;

  useEffect(() => {
    if (!host.current) return;
    const view = new EmbedChartView(host.current);
    view.render(
      frameOptions({ symbol, interval, theme, height, volume, queryFeedUrl, configuredFeedUrl, configuredFeedPort }, window.location),
    );
    return () => view.dispose();
  }, [symbol, interval, theme, height, volume, queryFeedUrl, configuredFeedUrl, configuredFeedPort]);

  return <div ref={host} className="tw-frame" data-testid="embed-chart" style={{ height: '100%' }} />;
}
