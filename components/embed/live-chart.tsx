'use client';
/**
 * `<LiveChart symbol="BTC-USD" interval="1m" />`: the embeddable chart as a React component, for
 * this dashboard's iframe route and for other React / Next.js apps (`import { LiveChart } from
 * 'tickwire/react'`). It renders one `<div>` and mounts an {@link EmbedChartView} into it after
 * hydration, so it is safe in server components' trees; live data never re-renders React.
 * Every LiveChart and `<tickwire-chart>` of a page shares one connection per feed.
 */
import { useEffect, useMemo, useRef, type CSSProperties, type ReactElement } from 'react';
import { EMBED_DEFAULTS, EmbedOptionError, cssHeight } from '../../lib/embed/embed-options';
import { EmbedChartView } from './embed-chart-view';
import { resolveLiveChartProps } from './live-chart-options';
import type { LiveChartProps } from './live-chart-props';

/** A live candlestick chart of one instrument. */
export function LiveChart(props: LiveChartProps): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EmbedChartView | null>(null);
  const { symbol, interval, theme, height, volume, feedUrl, className, style } = props;
  const options = useMemo(
    () =>
      resolveLiveChartProps(
        { symbol, interval, theme, height, volume, feedUrl },
        typeof window === 'undefined' ? undefined : window.location,
      ),
    [symbol, interval, theme, height, volume, feedUrl],
  );

  useEffect(() => {
    if (!host.current) return;
    const created = new EmbedChartView(host.current);
    view.current = created;
    return () => {
      created.dispose();
      if (view.current === created) view.current = null;
    };
  }, []);

  useEffect(() => view.current?.render(options), [options]);

  // The height is set here too so server-rendered HTML reserves the space before hydration.
  const boxStyle: CSSProperties = {
    display: 'block',
    height: cssHeight(options instanceof EmbedOptionError ? EMBED_DEFAULTS.height : options.height),
    ...style,
  };
  return <div ref={host} className={className} style={boxStyle} data-tickwire-chart="" />;
}
