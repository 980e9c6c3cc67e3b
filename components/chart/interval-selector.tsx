'use client';
/** Timeframe buttons, one per BAR_INTERVALS entry: 1s 5s 1m 5m 15m 1h 4h 1D 1W. Changing it reloads the chart's history for the interval. */
import { BAR_INTERVALS, BAR_INTERVAL_LABELS } from '../../lib/market/types';
import { useDashboard, useDashboardActions } from '../../lib/store/react';

export function IntervalSelector() {
  const interval = useDashboard((s) => s.chart.interval);
  const { setInterval } = useDashboardActions();
  return (
    <div className="segmented" role="radiogroup" aria-label="Bar interval" data-testid="interval-selector">
      {BAR_INTERVALS.map((value) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={value === interval}
          className={value === interval ? 'active' : ''}
          data-testid={`interval-${BAR_INTERVAL_LABELS[value]}`}
          onClick={() => setInterval(value)}
        >
          {BAR_INTERVAL_LABELS[value]}
        </button>
      ))}
    </div>
  );
}
