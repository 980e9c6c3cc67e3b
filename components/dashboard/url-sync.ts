'use client';
/**
 * Keeps the page URL in step with the selection (`?symbol=...&interval=...`, other parameters such
 * as `?feed=` untouched) with `history.replaceState`, so a reload or a shared link restores it.
 */
import { useEffect } from 'react';
import { BAR_INTERVAL_LABELS } from '../../lib/market/types';
import { useDashboardStoreApi } from '../../lib/store/react';

export function useUrlSync(): void {
  const store = useDashboardStoreApi();
  useEffect(() => {
    const write = (): void => {
      const { selectedSymbol, chart } = store.getState();
      const url = new URL(window.location.href);
      if (selectedSymbol) url.searchParams.set('symbol', selectedSymbol);
      url.searchParams.set('interval', BAR_INTERVAL_LABELS[chart.interval]);
      if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
    };
    const unsubscribe = store.subscribe((state, prev) => {
      if (state.selectedSymbol !== prev.selectedSymbol || state.chart.interval !== prev.chart.interval) write();
    });
    return unsubscribe;
  }, [store]);
}
