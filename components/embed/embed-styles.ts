/**
 * Styles of an embedded chart, inside its shadow root so the host page's CSS cannot break it and
 * it cannot leak into the page. Colours mirror the dashboard's tokens (app/globals.css) and the
 * chart palette (components/chart/chart-palette.ts). The host page sizes the embed with the
 * element's own CSS (`tickwire-chart { height: 300px }`) or the `height` option (`--tw-height`).
 */
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
  --bg: #0f1318; --text: #d8dee6; --dim: #7d8896; --border: #242b35; --pill: #151a21;
  --up: #22c08b; --down: #f0525f; --warn: #f5a524; --accent: #4c8dff;
  --error-bg: rgba(42, 18, 22, 0.94); --error-border: #5c1f27;
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
  --bg: #ffffff; --text: #111827; --dim: #6b7280; --border: #e2e6eb; --pill: #f3f5f8;
  --up: #0e9f6e; --down: #dc3545; --warn: #b45309; --accent: #2563eb;
  --error-bg: rgba(253, 236, 238, 0.96); --error-border: #f5c2c7;
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
