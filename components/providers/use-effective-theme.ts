'use client';
/** The theme actually shown: the forced one, or the system's (prefers-color-scheme), live. */
import { useSyncExternalStore } from 'react';
import { useDashboard } from '../../lib/store/react';
import type { EffectiveTheme } from '../chart/chart-palette';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(QUERY);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

/** 'dark' or 'light'. Renders 'dark' on the server (the page's default look). */
export function useEffectiveTheme(): EffectiveTheme {
  const theme = useDashboard((s) => s.prefs.theme);
  const systemDark = useSyncExternalStore(
    subscribe,
    () => window.matchMedia(QUERY).matches,
    () => true,
  );
  if (theme !== 'system') return theme;
  return systemDark ? 'dark' : 'light';
}
