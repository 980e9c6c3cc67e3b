'use client';
/**
 * Time & sales for the selected instrument: newest first, aggressor side coloured, bounded by the
 * store (`maxTape`). Renders at most every {@link TAPE_RENDER_INTERVAL_MS}: each render shifts
 * and repaints every visible row, and at hundreds of prints a second a faster tape is a blur.
 * Only the rows in view (plus an overscan) are in the DOM, placed by transform in a list as tall as
 * the whole tape: with all 200 prints as rows, laying out and painting them cost a third of the
 * main thread at 20,000 updates/s (bench/browser.ts, docs/performance.md). Rows are memoised by
 * their stable keys. While the person has scrolled down to read older prints, the view stays on
 * those prints as new ones arrive above (at the top, it follows the newest).
 */
import { memo, useLayoutEffect, useRef, type RefObject } from 'react';
import { bareSymbol } from '../../lib/market/symbols';
import { Side } from '../../lib/market/types';
import { useDashboard } from '../../lib/store/react';
import type { TapeEntry } from '../../lib/store/types';
import { formatPrice, formatSize } from '../shared/format';
import { formatClockMs, type TimeZoneChoice } from '../shared/time-format';
import { useThrottledSelector } from '../shared/use-throttled-selector';
import { useVirtualWindow } from '../shared/use-virtual-window';

/** Shortest time between two renders of the tape (ms): 10 per second. */
export const TAPE_RENDER_INTERVAL_MS = 100;
/** Height of one tape row (px); `.tape-row` in app/globals.css uses the same value. */
export const TAPE_ROW_HEIGHT = 22;

const selectTape = (s: { tape: readonly TapeEntry[] }): readonly TapeEntry[] => s.tape;

interface TapeRowProps {
  readonly entry: TapeEntry;
  /** Position in the tape, 0 = newest. */
  readonly index: number;
  readonly count: number;
  readonly symbol: string;
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  readonly zone: TimeZoneChoice;
}

const SIDE_CLASS: Readonly<Record<Side, string>> = { [Side.Buy]: 'buy', [Side.Sell]: 'sell', [Side.Unknown]: 'unknown' };
const SIDE_LABEL: Readonly<Record<Side, string>> = { [Side.Buy]: 'B', [Side.Sell]: 'S', [Side.Unknown]: '·' };

const TapeRow = memo(function TapeRow({ entry, index, count, symbol, priceDecimals, sizeDecimals, zone }: TapeRowProps) {
  return (
    <li
      className={`tape-row ${SIDE_CLASS[entry.side]}`}
      style={{ transform: `translateY(${index * TAPE_ROW_HEIGHT}px)` }}
      aria-posinset={index + 1}
      aria-setsize={count}
      data-testid="tape-row"
      data-key={entry.key}
      data-symbol={symbol}
      data-side={SIDE_CLASS[entry.side]}
    >
      <span className="tape-time">{formatClockMs(entry.timeUs, zone)}</span>
      <span className="num tape-price">{formatPrice(entry.price, priceDecimals)}</span>
      <span className="num tape-size">{formatSize(entry.size, sizeDecimals)}</span>
      <span className="tape-side" aria-label={SIDE_CLASS[entry.side]}>
        {SIDE_LABEL[entry.side]}
      </span>
    </li>
  );
});

/**
 * New prints go on top and push every row down one. Browsers keep a scrolled view still when rows
 * are inserted above it (scroll anchoring), but not for rows placed by transform, so this does it:
 * when the viewport is scrolled away from the top, it moves down by the rows added above.
 */
function useKeepScrolledPrintsInView(viewport: RefObject<HTMLDivElement | null>, tape: readonly TapeEntry[]): void {
  const newestKey = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const el = viewport.current;
    const previous = newestKey.current;
    newestKey.current = tape[0]?.key;
    if (!el || previous === undefined || el.scrollTop === 0) return;
    const added = tape.findIndex((entry) => entry.key === previous);
    // -1: the previous newest print is gone (another instrument, or a fresh snapshot): nothing to keep.
    if (added > 0) el.scrollTop += added * TAPE_ROW_HEIGHT;
  }, [viewport, tape]);
}

export function TradeTape() {
  const tape = useThrottledSelector(selectTape, TAPE_RENDER_INTERVAL_MS);
  const instruments = useDashboard((s) => s.instruments);
  const instrumentId = useDashboard((s) => s.chart.instrumentId);
  const instrument = instrumentId === undefined ? undefined : instruments[instrumentId];
  const zone = useDashboard((s) => s.prefs.timeZone);
  const viewport = useRef<HTMLDivElement>(null);
  const { start, end } = useVirtualWindow(viewport, TAPE_ROW_HEIGHT, tape.length);
  useKeepScrolledPrintsInView(viewport, tape);
  return (
    <div className="tape" data-testid="trade-tape" data-count={tape.length}>
      <div className="panel-head">
        <h2>Time &amp; sales</h2>
        <span className="dim" title={instrument?.symbol}>
          {instrument ? bareSymbol(instrument.symbol) : ''}
        </span>
      </div>
      <div className="tape-header" aria-hidden>
        <span>Time</span>
        <span className="num">Price</span>
        <span className="num">Size</span>
        <span />
      </div>
      <div ref={viewport} className="tape-viewport">
        <ol
          className="tape-list"
          style={{ height: tape.length * TAPE_ROW_HEIGHT }}
          aria-label={`Trades of ${instrument ? bareSymbol(instrument.symbol) : 'the selected instrument'}, newest first`}
        >
          {tape.slice(start, end).map((entry, i) => {
            // Each row names its own instrument (not the selection), so a stray print would show.
            const own = instruments[entry.instrumentId];
            return own ? (
              <TapeRow
                key={entry.key}
                entry={entry}
                index={start + i}
                count={tape.length}
                symbol={own.symbol}
                priceDecimals={own.priceDecimals}
                sizeDecimals={own.sizeDecimals}
                zone={zone}
              />
            ) : null;
          })}
        </ol>
      </div>
      {instrument && tape.length === 0 && <p className="empty">No trades yet.</p>}
    </div>
  );
}
