/**
 * Styles of an embedded chart, inside its shadow root so the host page's CSS cannot break it and
 * it cannot leak into the page. Colours are the house tokens (lib/theme/colour-tokens.ts), which
 * the dashboard and the chart palette read too. The host page sizes the embed with the
 * element's own CSS (`tickwire-chart { height: 300px }`) or the `height` option (`--tw-height`).
 */
import { colour, type ColourTheme, type ColourToken } from '../../lib/theme/colour-tokens';

/** The embed's colour variables (short names, scoped to `.tw`) and the token each one is. */
export const EMBED_COLOUR_VARS: Readonly<Record<string, ColourToken>> = {
  bg: 'panel',
  text: 'text',
  dim: 'text-dim',
  border: 'chart-border',
  pill: 'interval-pill',
  up: 'up',
  down: 'down',
  warn: 'warn',
  accent: 'accent',
  'error-bg': 'overlay-error-bg',
  'error-border': 'error-border',
};

/** The colour variable declarations (`--bg: <panel colour>; ...`) of one theme. */
function colourDeclarations(theme: ColourTheme): string {
  return Object.entries(EMBED_COLOUR_VARS)
    .map(([name, token]) => `--${name}: ${colour(token, theme)};`)
    .join(' ');
}

/** The stylesheet of an embed's shadow root. */
export const EMBED_CSS = `
:host {
  display: block;
  position: relative;
  height: var(--tw-height, 400px);
  min-height: 120px;
  contain: content;
}
:host([hidden]) { display: none; }
.tw {
  ${colourDeclarations('dark')}
  position: relative;
  display: flex;
  flex-direction: column;
  box-sizing: border-box;
  height: 100%;
  overflow: hidden;
  border: 1px solid var(--border);
  border-radius: 6px;
  background: var(--bg);
  color: var(--text);
  font: 13px/1.4 ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  -webkit-font-smoothing: antialiased;
  text-align: left;
}
.tw[data-theme='light'] {
  ${colourDeclarations('light')}
}
.tw-head {
  flex: none;
  display: flex;
  align-items: baseline;
  gap: 8px;
  min-width: 0;
  padding: 7px 10px 5px;
  white-space: nowrap;
}
.tw-symbol { font-weight: 700; font-size: 14px; overflow: hidden; text-overflow: ellipsis; }
.tw-venue { color: var(--dim); font-size: 11px; }
.tw-last {
  font-family: ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  font-variant-numeric: tabular-nums;
  font-weight: 600;
  font-size: 14px;
}
.tw-last[data-direction='1'] { color: var(--up); }
.tw-last[data-direction='-1'] { color: var(--down); }
.tw-interval {
  padding: 0 6px;
  border-radius: 4px;
  background: var(--pill);
  color: var(--dim);
  font-size: 11px;
  font-weight: 600;
}
.tw-spacer { flex: 1; }
.tw-conn { display: inline-flex; align-items: center; gap: 5px; color: var(--dim); font-size: 11px; }
.tw-conn::before {
  content: '';
  width: 7px;
  height: 7px;
  border-radius: 50%;
  background: var(--dim);
}
.tw-conn[data-state='connected']::before { background: var(--up); }
.tw-conn[data-state='reconnecting']::before { background: var(--warn); }
.tw-conn[data-state='closed']::before { background: var(--down); }
.tw-legend {
  flex: none;
  display: flex;
  gap: 10px;
  padding: 0 10px 3px;
  min-height: 18px;
  color: var(--dim);
  font-size: 11px;
  white-space: nowrap;
  overflow: hidden;
}
.tw-legend b {
  color: var(--text);
  font-weight: 500;
  font-family: ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  font-variant-numeric: tabular-nums;
}
.tw-legend [data-direction='up'] { color: var(--up); }
.tw-legend [data-direction='down'] { color: var(--down); }
.tw-legend .tw-time, .tw-legend .tw-time[data-direction] { color: var(--dim); }
.tw-chart { position: relative; flex: 1; min-height: 0; }
.tw-overlay {
  position: absolute;
  inset: 52px 0 0 0;
  display: grid;
  place-items: center;
  color: var(--dim);
  pointer-events: none;
}
.tw-problem {
  position: absolute;
  inset: 0;
  z-index: 3;
  display: flex;
  flex-direction: column;
  justify-content: center;
  gap: 6px;
  padding: 16px 20px;
  background: var(--error-bg);
  border: 1px solid var(--error-border);
  border-radius: 6px;
}
.tw-problem strong { font-size: 14px; }
.tw-problem span { color: var(--dim); overflow-wrap: anywhere; }
.tw-problem code {
  font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
  font-size: 12px;
}
[hidden] { display: none !important; }
`;
