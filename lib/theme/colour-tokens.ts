/**
 * Every colour of the house, per theme, in one place. Three consumers read it:
 * - the dashboard's stylesheets, through CSS custom properties (`--bg`, `--up`, ...) that
 *   app/layout.tsx defines from {@link colourTokenCss} for the theme in force;
 * - the chart's canvas palette (components/chart/chart-palette.ts), since a canvas cannot read CSS;
 * - the embed's shadow-DOM styles (components/embed/embed-styles.ts), which the page's CSS cannot reach.
 * Stylesheets and those two files hold no colour literals of their own (a unit test checks it).
 */

/** A colour theme after following the system preference. */
export type ColourTheme = 'dark' | 'light';

/** One token's colour in each theme (any CSS colour: `#rrggbb`, `rgba(...)`). */
export interface ThemedColour {
  readonly light: string;
  readonly dark: string;
}

/** The tokens, by name; a name is also its CSS custom property (`--name`). */
export const COLOUR_TOKENS = {
  // Surfaces
  bg: { light: '#eef1f5', dark: '#0b0e12' },
  panel: { light: '#ffffff', dark: '#0f1318' },
  'panel-raised': { light: '#f7f9fb', dark: '#151a21' },
  border: { light: '#e2e6eb', dark: '#1e252e' },
  'border-strong': { light: '#cfd6de', dark: '#2a333e' },
  'row-hover': { light: '#f3f6f9', dark: '#141a21' },
  'row-selected': { light: '#e8f0fe', dark: '#16223a' },
  // Text
  text: { light: '#111827', dark: '#d8dee6' },
  'text-dim': { light: '#6b7280', dark: '#7d8896' },
  'text-faint': { light: '#9ca3af', dark: '#4f5966' },
  'on-accent': { light: '#ffffff', dark: '#ffffff' },
  // Signals: up/down follow the usual green/red convention.
  accent: { light: '#2563eb', dark: '#4c8dff' },
  'accent-soft': { light: 'rgba(37, 99, 235, 0.1)', dark: 'rgba(76, 141, 255, 0.14)' },
  up: { light: '#0e9f6e', dark: '#22c08b' },
  down: { light: '#dc3545', dark: '#f0525f' },
  warn: { light: '#b45309', dark: '#f5a524' },
  'warn-soft': { light: 'rgba(245, 165, 36, 0.14)', dark: 'rgba(245, 165, 36, 0.12)' },
  // The gateway lost its broker (venue state upstream_lost): neither the venue's warn nor its down.
  'upstream-lost': { light: '#7c3aed', dark: '#a78bfa' },
  'flash-up': { light: 'rgba(14, 159, 110, 0.22)', dark: 'rgba(34, 192, 139, 0.28)' },
  'flash-down': { light: 'rgba(220, 53, 69, 0.2)', dark: 'rgba(240, 82, 95, 0.28)' },
  'flash-up-soft': { light: 'rgba(14, 159, 110, 0.1)', dark: 'rgba(34, 192, 139, 0.13)' },
  'flash-down-soft': { light: 'rgba(220, 53, 69, 0.09)', dark: 'rgba(240, 82, 95, 0.13)' },
  'error-bg': { light: '#fdecee', dark: '#2a1216' },
  'error-border': { light: '#f5c2c7', dark: '#5c1f27' },
  // Dialogs
  shadow: { light: 'rgba(0, 0, 0, 0.35)', dark: 'rgba(0, 0, 0, 0.35)' },
  backdrop: { light: 'rgba(5, 8, 12, 0.55)', dark: 'rgba(5, 8, 12, 0.55)' },
  // The price chart (canvas) and the embed's frame around it
  'chart-text': { light: '#4b5563', dark: '#9aa4b2' },
  'chart-grid': { light: 'rgba(15, 23, 42, 0.06)', dark: 'rgba(148, 163, 184, 0.08)' },
  'chart-border': { light: '#e2e6eb', dark: '#242b35' },
  'chart-crosshair': { light: '#94a3b8', dark: '#5b6675' },
  'up-volume': { light: 'rgba(14, 159, 110, 0.4)', dark: 'rgba(34, 192, 139, 0.45)' },
  'down-volume': { light: 'rgba(220, 53, 69, 0.4)', dark: 'rgba(240, 82, 95, 0.45)' },
  // The embed: its interval pill, and its error panel laid over the chart (slightly see-through)
  'interval-pill': { light: '#f3f5f8', dark: '#151a21' },
  'overlay-error-bg': { light: 'rgba(253, 236, 238, 0.96)', dark: 'rgba(42, 18, 22, 0.94)' },
} as const satisfies Record<string, ThemedColour>;

/** A token's name. */
export type ColourToken = keyof typeof COLOUR_TOKENS;

/** Every token name, in declaration order. */
export const COLOUR_TOKEN_NAMES = Object.keys(COLOUR_TOKENS) as ColourToken[];

/** The colour of `token` in `theme`. */
export function colour(token: ColourToken, theme: ColourTheme): string {
  return COLOUR_TOKENS[token][theme];
}

/** `--name: colour;` for every token in one theme, one per line. */
function declarations(theme: ColourTheme): string {
  return COLOUR_TOKEN_NAMES.map((name) => `  --${name}: ${COLOUR_TOKENS[name][theme]};`).join('\n');
}

/**
 * The dashboard's colour custom properties. Light unless dark is asked for: by the system
 * (`prefers-color-scheme`) when `<html data-theme>` forces nothing, or by `data-theme="dark"`
 * (set before paint by the theme boot script, components/providers/display-prefs.ts). Plain rules
 * rather than `light-dark()`, which browsers before 2024 do not know and which this inline style,
 * unlike app/globals.css, gets no build step to translate.
 */
export function colourTokenCss(): string {
  const light = declarations('light');
  const dark = declarations('dark');
  return [
    `:root {\n${light}\n}`,
    `@media (prefers-color-scheme: dark) {\n:root:not([data-theme='light']) {\n${dark}\n}\n}`,
    `:root[data-theme='dark'] {\n${dark}\n}`,
    '',
  ].join('\n');
}
