'use client';
/**
 * One watchlist row. Memoised: it renders only when its own ticker (a new object at most once per
 * frame), its selection, its position or the flash window changes.
 *
 * Up/down flashes are static highlights, not animations: a cell is tinted while its last move is
 * newer than `flashSince`. Hundreds of restarting CSS animations cost a style recalculation and a
 * repaint per cell per frame (measured: a third of the main thread at 20,000 updates/s); a class
 * that turns on and off costs one paint each way.
 */
import { memo } from 'react';
import { bareSymbol } from '../../lib/market/symbols';
import type { Instrument } from '../../lib/market/types';
import { sessionChange, spread } from '../../lib/store/ticker';
import type { Ticker } from '../../lib/store/types';
import { changeDirection, formatChange, formatPrice, formatVolume } from '../shared/format';

/** Height of one row in px; the list virtualises on it (keep in step with .wl-row in globals.css). */
export const WATCHLIST_ROW_HEIGHT = 26;

/** Props of {@link WatchlistRow}. */
export interface WatchlistRowProps {
  readonly instrument: Instrument;
  readonly ticker: Ticker | undefined;
  readonly selected: boolean;
  /** Position in the sorted list (sets the row's offset). */
  readonly index: number;
  /** Show the venue beside the symbol (only useful when the feed carries several venues). */
  readonly showVenue: boolean;
  /** Moves at or before this wall time (ms) no longer flash. */
  readonly flashSince: number;
  readonly onSelect: (symbol: string) => void;
}

/** Flash class for a cell that moved after `since`; `soft` for the quieter bid/ask tint. */
function flashClass(direction: -1 | 0 | 1, movedAtMs: number, since: number, soft = false): string {
  if (direction === 0 || movedAtMs <= since) return '';
  return `${soft ? 'soft' : 'flash'}-${direction > 0 ? 'up' : 'down'}`;
}

function tone(direction: -1 | 0 | 1 | undefined): string {
  if (!direction) return '';
  return direction > 0 ? 'up' : 'down';
}

function WatchlistRowView({ instrument, ticker, selected, index, showVenue, flashSince, onSelect }: WatchlistRowProps) {
  const d = instrument.priceDecimals;
  const change = ticker ? sessionChange(ticker) : undefined;
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`wl-row${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${index * WATCHLIST_ROW_HEIGHT}px)` }}
      data-testid="watchlist-row"
      data-symbol={instrument.symbol}
      onMouseDown={() => onSelect(instrument.symbol)}
    >
      <span role="gridcell" className="wl-symbol" title={instrument.symbol}>
        {bareSymbol(instrument.symbol)}
        {showVenue && <small>{instrument.venue}</small>}
      </span>
      <span
        role="gridcell"
        data-testid="cell-last"
        className={`num ${tone(ticker?.direction)} ${ticker ? flashClass(ticker.direction, ticker.lastMovedAtMs, flashSince) : ''}`}
      >
        {formatPrice(ticker?.last, d)}
      </span>
      <span role="gridcell" data-testid="cell-change" className={`num ${tone(changeDirection(change))}`}>
        {formatChange(change)}
      </span>
      <span
        role="gridcell"
        data-testid="cell-bid"
        className={`num ${ticker ? flashClass(ticker.bidDirection, ticker.bidMovedAtMs, flashSince, true) : ''}`}
      >
        {formatPrice(ticker?.bid, d)}
      </span>
      <span
        role="gridcell"
        data-testid="cell-ask"
        className={`num ${ticker ? flashClass(ticker.askDirection, ticker.askMovedAtMs, flashSince, true) : ''}`}
      >
        {formatPrice(ticker?.ask, d)}
      </span>
      <span role="gridcell" data-testid="cell-spread" className="num dim">
        {formatPrice(ticker ? spread(ticker) : undefined, d)}
      </span>
      <span role="gridcell" data-testid="cell-volume" className="num dim">
        {formatVolume(ticker?.volume, instrument.sizeDecimals)}
      </span>
    </div>
  );
}

/** A memoised watchlist row. */
export const WatchlistRow = memo(WatchlistRowView);
