'use client';
/**
 * Keeps the page URL in step with the selection (`?symbol=...&interval=...`, other parameters such
 * as `?feed=` untouched) with `history.replaceState`, so a reload or a shared link restores it.
 * The symbol is written bare ("BTC-USD") while only one venue lists it, else in full ("SIM:BTC-USD").
 */
import { useEffect } from 'react';
import { SymbolIndex } from '../../lib/market/symbols';
import { BAR_INTERVAL_LABELS, type Instrument } from '../../lib/market/types';
import { useDashboardStoreApi } from '../../lib/store/react';

export function useUrlSync(): void {
  const store = useDashboardStoreApi();
  useEffect(() => {
    const write = (): void => {
      const { selectedSymbol, chart, instruments, instrumentIds } = store.getState();
      const url = new URL(window.location.href);
      const selected = chart.instrumentId === undefined ? undefined : instruments[chart.instrumentId];
      if (selected) {
        const index = new SymbolIndex(instrumentIds.map((id) => instruments[id]).filter((i): i is Instrument => !!i));
        url.searchParams.set('symbol', index.aliasOf(selected) ?? selected.symbol);
      } else if (selectedSymbol) {
        url.searchParams.set('symbol', selectedSymbol);
      }
      url.searchParams.set('interval', BAR_INTERVAL_LABELS[chart.interval]);
      if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
    };
    // At once too: an interval the URL named wrongly ("7m") was replaced by the default on the
    // server, and the URL should say what is shown.
    write();
    const unsubscribe = store.subscribe((state, prev) => {
      if (
        state.selectedSymbol !== prev.selectedSymbol ||
        state.chart.interval !== prev.chart.interval ||
        // A full name resolving (the selection keeps its name) or the table changing can change
        // whether the bare alias names the instrument unambiguously.
        state.chart.instrumentId !== prev.chart.instrumentId ||
        state.instrumentIds !== prev.instrumentIds
      ) {
        write();
      }
    });
    return unsubscribe;
  }, [store]);
}
