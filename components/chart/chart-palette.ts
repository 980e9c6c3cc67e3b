/**
 * Colours the chart draws with, per theme. Canvas drawing cannot read CSS variables, so these
 * mirror the tokens in app/globals.css.
 */

/** Resolved theme (after following the system preference). */
export type EffectiveTheme = 'dark' | 'light';

/** Every colour the price chart uses. */
export interface ChartPalette {
  readonly background: string;
  readonly text: string;
  readonly grid: string;
  readonly border: string;
  readonly crosshair: string;
  readonly up: string;
  readonly down: string;
  readonly upVolume: string;
  readonly downVolume: string;
}

/** Palettes by theme. Up/down follow the usual green/red convention. */
export const CHART_PALETTES: Readonly<Record<EffectiveTheme, ChartPalette>> = {
  dark: {
    background: '#0f1318',
    text: '#9aa4b2',
    grid: 'rgba(148, 163, 184, 0.08)',
    border: '#242b35',
    crosshair: '#5b6675',
    up: '#22c08b',
    down: '#f0525f',
    upVolume: 'rgba(34, 192, 139, 0.45)',
    downVolume: 'rgba(240, 82, 95, 0.45)',
  },
  light: {
    background: '#ffffff',
    text: '#4b5563',
    grid: 'rgba(15, 23, 42, 0.06)',
    border: '#e2e6eb',
    crosshair: '#94a3b8',
    up: '#0e9f6e',
    down: '#dc3545',
    upVolume: 'rgba(14, 159, 110, 0.4)',
    downVolume: 'rgba(220, 53, 69, 0.4)',
  },
};
