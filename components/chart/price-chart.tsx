'use client';
/**
 * The main chart: candlesticks with volume in its own pane, crosshair legend (OHLCV), last-price
 * line. Live bars reach the canvas through a transient store subscription (no React render per
 * bar); React renders only the overlay text (loading / empty), which changes rarely.
 */
import { useEffect, useRef, useState } from 'react';
import { bareSymbol } from '../../lib/market/symbols';
import { BAR_INTERVAL_LABELS } from '../../lib/market/types';
import { useDashboard, useDashboardStoreApi } from '../../lib/store/react';
import { useEffectiveTheme } from '../providers/use-effective-theme';
import { CHART_PALETTES } from './chart-palette';
import { ChartController } from './chart-controller';

export function PriceChart() {
  const store = useDashboardStoreApi();
  const container = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const [controller, setController] = useState<ChartController | null>(null);
  const theme = useEffectiveTheme();
  const zone = useDashboard((s) => s.prefs.timeZone);
  const status = useDashboard((s) => s.chart.status);
  const empty = useDashboard((s) => s.chart.bars.length === 0);
  const interval = useDashboard((s) => s.chart.interval);
  const live = useDashboard((s) => s.connection.state === 'connected');
  const symbol = useDashboard((s) => (s.chart.instrumentId === undefined ? undefined : s.instruments[s.chart.instrumentId]?.symbol));

  useEffect(() => {
    if (!container.current || !legend.current) return;
    const state = store.getState();
    const chart = new ChartController(container.current, legend.current, CHART_PALETTES.dark, state.prefs.timeZone, {
      onNeedOlder: () => store.getState().actions.loadOlder(),
    });
    const sync = (s: typeof state): void =>
      chart.sync(s.chart, s.chart.instrumentId === undefined ? undefined : s.instruments[s.chart.instrumentId]);
    sync(state);
    const unsubscribe = store.subscribe((next, prev) => {
      if (next.chart !== prev.chart || next.instruments !== prev.instruments) sync(next);
    });
    setController(chart);
    return () => {
      unsubscribe();
      chart.dispose();
      setController(null);
    };
  }, [store]);

  useEffect(() => controller?.setPalette(CHART_PALETTES[theme]), [controller, theme]);
  useEffect(() => controller?.setTimeZone(zone), [controller, zone]);

  return (
    <div className="chart-area">
      <div ref={legend} className="chart-legend" data-testid="chart-legend" aria-live="off">
        <span className="legend-symbol" title={symbol}>
          {symbol === undefined ? '' : bareSymbol(symbol)}
        </span>
        <span className="legend-interval dim">{BAR_INTERVAL_LABELS[interval]}</span>
        <span className="legend-time dim" data-field="time" />
        <span className="legend-item">
          O <b data-field="open" />
        </span>
        <span className="legend-item">
          H <b data-field="high" />
        </span>
        <span className="legend-item">
          L <b data-field="low" />
        </span>
        <span className="legend-item">
          C <b data-field="close" />
        </span>
        <span className="legend-item">
          V <b data-field="volume" />
        </span>
        <b className="legend-change" data-field="change" />
      </div>
      <div
        ref={container}
        className="chart-canvas"
        data-testid="price-chart"
        data-symbol={symbol ?? ''}
        data-interval={BAR_INTERVAL_LABELS[interval]}
      />
      {(status === 'loading' || empty) && (
        <div className="chart-overlay" data-testid="chart-overlay">
          {!live
            ? 'Waiting for the feed…'
            : status === 'loading'
              ? `Loading ${symbol === undefined ? '' : bareSymbol(symbol)} ${BAR_INTERVAL_LABELS[interval]}…`
              : 'No trades in this interval yet'}
        </div>
      )}
    </div>
  );
}
