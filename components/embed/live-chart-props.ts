/**
 * Props of `<LiveChart>`, kept free of imports beyond React's types so the published type
 * declarations of `tickwire/react` stay small and readable.
 */
import type { CSSProperties } from 'react';

/** Bar interval labels a chart accepts (lib/market/types.ts BAR_INTERVAL_LABELS; 1D starts 00:00 UTC, 1W Monday 00:00 UTC). */
export type LiveChartInterval = '1s' | '5s' | '1m' | '5m' | '15m' | '1h' | '4h' | '1D' | '1W';

/** Colour scheme: `auto` follows the viewer's system setting. */
export type LiveChartTheme = 'light' | 'dark' | 'auto';

/** What `<LiveChart>` takes. Only `symbol` is required. */
export interface LiveChartProps {
  /** Instrument: a bare symbol ("BTC-USD") while one venue lists it, else the full name ("SIM:BTC-USD"). */
  readonly symbol: string;
  /** Bar interval. @defaultValue '1m' */
  readonly interval?: LiveChartInterval;
  /** @defaultValue 'auto' */
  readonly theme?: LiveChartTheme;
  /** Height of the whole chart: pixels, or a CSS length such as '100%' or '60vh'. @defaultValue 400 */
  readonly height?: number | string;
  /** Show the volume pane. @defaultValue true */
  readonly volume?: boolean;
  /** The feed service's WebSocket URL. @defaultValue `ws://<page host>:8080` (`wss://` on https pages) */
  readonly feedUrl?: string;
  /** Class of the outer `<div>`. */
  readonly className?: string;
  /** Style of the outer `<div>` (merged over `{ display: 'block', height }`). */
  readonly style?: CSSProperties;
}
