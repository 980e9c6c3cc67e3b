/**
 * React bindings of the dashboard store, kept apart from the vanilla store (as zustand keeps
 * `react.ts` apart from `vanilla.ts`). The store itself is created by the client provider
 * (components/providers/) and handed down through {@link DashboardStoreContext}.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { DashboardActions, DashboardState, DashboardStore } from './dashboard-store';

/** Carries the page's dashboard store; `null` outside a provider. */
export const DashboardStoreContext = createContext<DashboardStore | null>(null);

/** The page's store, for transient subscriptions (`store.subscribe`) that bypass React renders. */
export function useDashboardStoreApi(): DashboardStore {
  const store = useContext(DashboardStoreContext);
  if (!store) throw new Error('useDashboardStoreApi must be used inside <DashboardProvider>');
  return store;
}

/** Selects a slice of the dashboard state; the component renders when the slice changes (at most once a frame for market data). */
export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  return useStore(useDashboardStoreApi(), selector);
}

/** The store's actions (stable for the life of the store). */
export function useDashboardActions(): DashboardActions {
  return useDashboardStoreApi().getState().actions;
}
