/**
 * Colours the chart draws with, per theme. Canvas drawing cannot read CSS variables, so the palette
 * takes the same tokens the stylesheets use straight from lib/theme/colour-tokens.ts.
 */
import { colour, type ColourTheme, type ColourToken } from '../../lib/theme/colour-tokens';

/** Resolved theme (after following the system preference). */
export type EffectiveTheme = ColourTheme;

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

/** The token each palette colour is (lib/theme/colour-tokens.ts). */
export const CHART_PALETTE_TOKENS: Readonly<Record<keyof ChartPalette, ColourToken>> = {
  background: 'panel',
  text: 'chart-text',
  grid: 'chart-grid',
  border: 'chart-border',
  crosshair: 'chart-crosshair',
  up: 'up',
  down: 'down',
  upVolume: 'up-volume',
  downVolume: 'down-volume',
};

function paletteFor(theme: EffectiveTheme): ChartPalette {
  const entries = Object.entries(CHART_PALETTE_TOKENS).map(([key, token]) => [key, colour(token, theme)]);
  return Object.fromEntries(entries) as unknown as ChartPalette;
}

/** Palettes by theme. */
export const CHART_PALETTES: Readonly<Record<EffectiveTheme, ChartPalette>> = {
  dark: paletteFor('dark'),
  light: paletteFor('light'),
};
