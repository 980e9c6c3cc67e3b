'use client';
/**
 * Like `useDashboard(selector)`, but renders at most once per `intervalMs` (the newest value
 * always lands, at the latest `intervalMs` after it changed). For dense text a person cannot read
 * at 60 Hz anyway, such as the trade tape at hundreds of prints a second: every render of it
 * shifts and repaints every visible row.
 */
import { useEffect, useState } from 'react';
import type { DashboardState } from '../../lib/store/dashboard-store';
import { useDashboardStoreApi } from '../../lib/store/react';

/** The selected value, refreshed at most every `intervalMs`. */
export function useThrottledSelector<T>(selector: (state: DashboardState) => T, intervalMs: number): T {
  const store = useDashboardStoreApi();
  const [value, setValue] = useState(() => selector(store.getState()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastRenderAt = 0;
    const publish = (): void => {
      timer = undefined;
      lastRenderAt = performance.now();
      setValue(() => selector(store.getState()));
    };
    publish();
    const unsubscribe = store.subscribe((state, prev) => {
      if (selector(state) === selector(prev) || timer !== undefined) return;
      const wait = lastRenderAt + intervalMs - performance.now();
      if (wait <= 0) publish();
      else timer = setTimeout(publish, wait);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
    // The selector is expected to be a stable module-level function.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, intervalMs]);
  return value;
}
