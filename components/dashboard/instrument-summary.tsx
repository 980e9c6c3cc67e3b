'use client';
/**
 * The selected instrument at a glance: symbol, last, change from the session open, bid/ask, the
 * session's range and volume (the feed's session: the UTC day, lib/market/session.ts). Its numbers
 * render at most every {@link SUMMARY_RENDER_INTERVAL_MS}, like the watchlist's: at 60 renders a
 * second the header's text alone took ~8% of the main thread at 20,000 updates/s (bench/browser.ts),
 * for changes nobody can read. The instrument itself switches at once.
 */
import { bareSymbol } from '../../lib/market/symbols';
import type { DashboardState } from '../../lib/store/dashboard-store';
import { useDashboard } from '../../lib/store/react';
import { sessionChange } from '../../lib/store/ticker';
import { changeDirection, formatChange, formatPrice, formatVolume } from '../shared/format';
import { useThrottledSelector } from '../shared/use-throttled-selector';

/** Shortest time between two renders of the summary's numbers (ms): 10 per second. */
export const SUMMARY_RENDER_INTERVAL_MS = 100;

const selectTickers = (s: DashboardState) => s.tickers;

export function InstrumentSummary() {
  const instrument = useDashboard((s) => (s.chart.instrumentId === undefined ? undefined : s.instruments[s.chart.instrumentId]));
  // The whole (throttled) map, indexed here: after a switch the numbers are the new instrument's.
  const tickers = useThrottledSelector(selectTickers, SUMMARY_RENDER_INTERVAL_MS);
  const ticker = instrument ? tickers[instrument.id] : undefined;
  if (!instrument) return <div className="summary" data-testid="instrument-summary" />;
  const d = instrument.priceDecimals;
  const change = ticker ? sessionChange(ticker) : undefined;
  const direction = changeDirection(change);
  const tone = direction === 0 ? '' : direction > 0 ? 'up' : 'down';
  return (
    <div className="summary" data-testid="instrument-summary" data-symbol={instrument.symbol}>
      <div className="summary-name">
        <strong data-testid="summary-symbol" title={instrument.symbol}>
          {bareSymbol(instrument.symbol)}
        </strong>
        <small>{instrument.venue}</small>
      </div>
      <div className={`summary-last num ${tone}`} data-testid="summary-last">
        {formatPrice(ticker?.last, d)}
      </div>
      <div className={`summary-change num ${tone}`}>{formatChange(change)}</div>
      <dl className="summary-stats">
        <div>
          <dt>Bid</dt>
          <dd className="num">{formatPrice(ticker?.bid, d)}</dd>
        </div>
        <div>
          <dt>Ask</dt>
          <dd className="num">{formatPrice(ticker?.ask, d)}</dd>
        </div>
        <div title="Session high (UTC day)">
          <dt>High</dt>
          <dd className="num">{formatPrice(ticker?.high, d)}</dd>
        </div>
        <div title="Session low (UTC day)">
          <dt>Low</dt>
          <dd className="num">{formatPrice(ticker?.low, d)}</dd>
        </div>
        <div title="Session volume (UTC day)">
          <dt>Vol</dt>
          <dd className="num">{formatVolume(ticker?.volume, instrument.sizeDecimals)}</dd>
        </div>
      </dl>
    </div>
  );
}
