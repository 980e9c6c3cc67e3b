'use client';
/**
 * The watchlist: every instrument with last, change from session open, bid, ask, spread and
 * volume. Sortable by column, filterable by text, keyboard navigable (up/down, page up/down,
 * home/end), virtualised so 500+ rows stay smooth. Prices re-render at most every
 * WATCHLIST_RENDER_INTERVAL_MS (the store replaces the ticker map once per frame).
 */
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Instrument } from '../../lib/market/types';
import type { DashboardState } from '../../lib/store/dashboard-store';
import { useDashboard, useDashboardActions, useDashboardStoreApi } from '../../lib/store/react';
import { dataClockMs, useNow } from '../shared/use-now';
import { useThrottledSelector } from '../shared/use-throttled-selector';
import { SORT_KEYS, sortRows, type SortKey, type SortSpec } from './sort-rows';
import { useVirtualWindow } from '../shared/use-virtual-window';
import { WATCHLIST_ROW_HEIGHT, WatchlistRow } from './watchlist-row';

const COLUMN_LABELS: Readonly<Record<SortKey, string>> = {
  symbol: 'Symbol',
  last: 'Last',
  change: 'Chg %',
  bid: 'Bid',
  ask: 'Ask',
  spread: 'Spread',
  volume: 'Volume',
};

/** Header tooltips for columns whose meaning is not obvious from the label. */
const COLUMN_TITLES: Readonly<Partial<Record<SortKey, string>>> = {
  change: 'Change from the session open (the first trade of the UTC day)',
  spread: 'Ask minus bid. Sorts by the spread relative to the bid, so instruments at different price levels compare',
  volume: 'Volume traded this session (UTC day)',
};

/** Rows a Page Up / Page Down moves the selection. */
const PAGE_ROWS = 10;
/** How long a moved cell stays tinted (ms). */
export const FLASH_MS = 500;
/**
 * Step of the flash window (ms): rows whose ticker did not change re-render at most this often
 * to turn a flash off, instead of every frame.
 */
const FLASH_STEP_MS = 100;
/**
 * The rows re-render at most this often (ms): 10 updates a second is as fast as a person reads a
 * grid of prices, and re-rendering 100+ rows of text every frame costs most of the frame budget
 * (style, layout and paint), which the live chart needs.
 */
export const WATCHLIST_RENDER_INTERVAL_MS = 100;

const selectTickers = (s: DashboardState) => s.tickers;

export function Watchlist() {
  const instrumentsById = useDashboard((s) => s.instruments);
  const instrumentIds = useDashboard((s) => s.instrumentIds);
  const tickers = useThrottledSelector(selectTickers, WATCHLIST_RENDER_INTERVAL_MS);
  const selectedSymbol = useDashboard((s) => s.selectedSymbol);
  // When data last arrived, read as of each (throttled) tickers snapshot rather than subscribed:
  // it changes every frame, and a subscription would re-render the list 60 times a second and
  // re-render every row at the flash steps as well as at the ticker renders.
  const store = useDashboardStoreApi();
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `tickers` is the re-read trigger, not an input.
  const lastDataAtMs = useMemo(() => store.getState().lastDataAtMs, [store, tickers]);
  // Turns flashes off when data pauses (no ticker render would otherwise re-render the rows).
  const clock = useNow(FLASH_MS, dataClockMs);
  const flashSince = Math.floor((Math.max(lastDataAtMs, clock) - FLASH_MS) / FLASH_STEP_MS) * FLASH_STEP_MS;
  const actions = useDashboardActions();
  const [filter, setFilter] = useState('');
  const deferredFilter = useDeferredValue(filter);
  const [sort, setSort] = useState<SortSpec>({ key: 'symbol', descending: false });
  const viewport = useRef<HTMLDivElement>(null);

  const instruments = useMemo(
    () => instrumentIds.map((id) => instrumentsById[id]).filter((i): i is Instrument => i !== undefined),
    [instrumentIds, instrumentsById],
  );
  const rows = useMemo(() => sortRows(instruments, tickers, deferredFilter, sort), [instruments, tickers, deferredFilter, sort]);
  const { start, end } = useVirtualWindow(viewport, WATCHLIST_ROW_HEIGHT, rows.length);
  const showVenue = useMemo(() => new Set(instruments.map((i) => i.venue)).size > 1, [instruments]);
  const selectedIndex = rows.findIndex((r) => r.symbol === selectedSymbol);

  // Keep the selected row in view when the selection moves to another instrument (keyboard, a
  // link's ?symbol=, the fallback for an unknown one), but not when sorting or prices move the
  // row, so a person scrolling with the mouse is not pulled back.
  const scrolledTo = useRef<string | undefined>(undefined);
  useEffect(() => {
    const el = viewport.current;
    if (!el || selectedIndex < 0 || scrolledTo.current === selectedSymbol) return;
    scrolledTo.current = selectedSymbol;
    const top = selectedIndex * WATCHLIST_ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + WATCHLIST_ROW_HEIGHT > el.scrollTop + el.clientHeight) {
      el.scrollTop = top + WATCHLIST_ROW_HEIGHT - el.clientHeight;
    }
  }, [selectedSymbol, selectedIndex]);

  // A person picking a row has acted on "Instrument X is not offered... pick another from the
  // watchlist": that banner (which also says what is shown instead) is over.
  const pick = useCallback(
    (symbol: string): void => {
      actions.clearErrors('unknown-instrument');
      actions.select(symbol);
    },
    [actions],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      const offsets: Record<string, number> = {
        ArrowDown: 1,
        ArrowUp: -1,
        PageDown: PAGE_ROWS,
        PageUp: -PAGE_ROWS,
        Home: -Infinity,
        End: Infinity,
      };
      const offset = offsets[event.key];
      if (offset === undefined) return;
      event.preventDefault();
      const symbols = rows.map((r) => r.symbol);
      const bounded = Number.isFinite(offset) ? offset : offset > 0 ? symbols.length : -symbols.length;
      actions.clearErrors('unknown-instrument');
      actions.selectRelative(symbols, bounded);
    },
    [rows, actions],
  );

  const toggleSort = (key: SortKey): void =>
    setSort((prev) => (prev.key === key ? { key, descending: !prev.descending } : { key, descending: key !== 'symbol' }));

  const visible = rows.slice(start, end);
  return (
    <div className="watchlist" data-testid="watchlist" data-row-count={rows.length} data-total={instruments.length}>
      <div className="panel-head">
        <h2>Watchlist</h2>
        <span className="dim" data-testid="watchlist-count">
          {rows.length === instruments.length ? `${instruments.length}` : `${rows.length} / ${instruments.length}`}
        </span>
        <input
          className="wl-filter"
          type="search"
          placeholder="Filter symbol or venue"
          aria-label="Filter instruments"
          data-testid="watchlist-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      <div className="wl-header" role="row">
        {SORT_KEYS.map((key) => (
          <button
            key={key}
            type="button"
            role="columnheader"
            className={`wl-col ${key === 'symbol' ? '' : 'num'}${sort.key === key ? ' sorted' : ''}`}
            aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
            data-testid={`sort-${key}`}
            title={COLUMN_TITLES[key]}
            onClick={() => toggleSort(key)}
          >
            {COLUMN_LABELS[key]}
            <span className="sort-mark">{sort.key === key ? (sort.descending ? '▼' : '▲') : ''}</span>
          </button>
        ))}
      </div>
      <div
        ref={viewport}
        className="wl-viewport"
        role="grid"
        aria-label="Instruments"
        aria-rowcount={rows.length}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="watchlist-grid"
      >
        <div className="wl-canvas" style={{ height: rows.length * WATCHLIST_ROW_HEIGHT }}>
          {visible.map((instrument, i) => (
            <WatchlistRow
              key={instrument.id}
              instrument={instrument}
              ticker={tickers[instrument.id]}
              selected={instrument.symbol === selectedSymbol}
              index={start + i}
              showVenue={showVenue}
              flashSince={flashSince}
              onSelect={pick}
            />
          ))}
        </div>
        {instruments.length === 0 && <p className="empty">Waiting for the instrument table…</p>}
        {instruments.length > 0 && rows.length === 0 && <p className="empty">No instrument matches “{filter}”.</p>}
      </div>
    </div>
  );
}
