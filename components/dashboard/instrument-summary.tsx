'use client';
/** The selected instrument at a glance: symbol, last, change from session open, bid/ask, session range and volume. */
import { bareSymbol } from '../../lib/market/symbols';
import { useDashboard } from '../../lib/store/react';
import { sessionChange } from '../../lib/store/ticker';
import { changeDirection, formatChange, formatPrice, formatVolume } from '../shared/format';

export function InstrumentSummary() {
  const instrument = useDashboard((s) => (s.chart.instrumentId === undefined ? undefined : s.instruments[s.chart.instrumentId]));
  const ticker = useDashboard((s) => (s.chart.instrumentId === undefined ? undefined : s.tickers[s.chart.instrumentId]));
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
        <div><dt>Bid</dt><dd className="num">{formatPrice(ticker?.bid, d)}</dd></div>
        <div><dt>Ask</dt><dd className="num">{formatPrice(ticker?.ask, d)}</dd></div>
        <div><dt>High</dt><dd className="num">{formatPrice(ticker?.high, d)}</dd></div>
        <div><dt>Low</dt><dd className="num">{formatPrice(ticker?.low, d)}</dd></div>
        <div><dt>Vol</dt><dd className="num">{formatVolume(ticker?.volume, instrument.sizeDecimals)}</dd></div>
      </dl>
    </div>
  );
}
