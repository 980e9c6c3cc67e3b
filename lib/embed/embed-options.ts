/**
 * Options of an embedded live chart, shared by the three ways to embed one (the iframe route's
 * query, `<LiveChart>` props, `<tickwire-chart>` attributes): their defaults in one object, and
 * parsers that turn text (a query string, an attribute) into typed options or a readable error.
 * docs/embedding.md lists them for people.
 */
import { isWebSocketUrl } from '../net/url';
import { BAR_INTERVAL_LABELS, parseBarInterval, type BarInterval, type BarIntervalLabel } from '../market/types';
import { MAX_INSTRUMENT_NAME_LENGTH } from '../market/symbols';

/** Colour scheme of an embed: `auto` follows the viewer's system (prefers-color-scheme). */
export type EmbedTheme = 'light' | 'dark' | 'auto';

/** Themes accepted, in the order the docs list them. */
export const EMBED_THEMES: readonly EmbedTheme[] = ['light', 'dark', 'auto'];

/** A CSS height: pixels as a number, or a length such as "100%" or "60vh". */
export type EmbedHeight = number | string;

/** Everything one embedded chart needs to know. */
export interface EmbedChartOptions {
  /** Instrument, full ("SIM:BTC-USD") or bare ("BTC-USD") while one venue lists it. */
  readonly symbol: string;
  /** Bar interval in seconds. @defaultValue 60 (1m) */
  readonly interval: BarInterval;
  /** @defaultValue 'auto' */
  readonly theme: EmbedTheme;
  /** Height of the whole embed (header included). @defaultValue 400 (px) */
  readonly height: EmbedHeight;
  /** Show the volume pane under the candles. @defaultValue true */
  readonly volume: boolean;
  /** Feed service WebSocket URL (`ws://` or `wss://`). */
  readonly feedUrl: string;
}

/** Defaults of {@link EmbedChartOptions} (every option but `symbol` and `feedUrl`). */
export const EMBED_DEFAULTS = {
  interval: 60 as BarInterval,
  theme: 'auto' as EmbedTheme,
  height: 400 as EmbedHeight,
  volume: true,
} as const;

/** Smallest height in pixels an embed accepts: below it the chart has no room for candles. */
export const MIN_EMBED_HEIGHT_PX = 120;
/** Largest height in pixels an embed accepts (a typo guard, not a layout rule). */
export const MAX_EMBED_HEIGHT_PX = 4000;

const CSS_LENGTH = /^\d+(\.\d+)?(px|%|vh|vw|em|rem|dvh|svh|lvh)$/;
const WS_URL = /^wss?:\/\/[^\s/?#]+(\/[^\s]*)?$/i;
// A name: letters, digits and the punctuation venue symbols use (BTC-USD, BINANCE:BTCUSDT, ES_F.2).
const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** Raised for an option a person gave that cannot work; its message says what to write instead. */
export class EmbedOptionError extends TypeError {
  readonly code = 'TW_ERR_EMBED_OPTION';
  constructor(
    /** The option's name as the person wrote it (`interval`, `feed`...). */
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'EmbedOptionError';
  }
}

/** "1s, 5s, 1m, 5m, 15m, 1h, 4h, 1D or 1W". */
function intervalChoices(): string {
  const labels = Object.values(BAR_INTERVAL_LABELS);
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1] ?? ''}`;
}

/** Checks a symbol; returns it trimmed. @throws EmbedOptionError */
export function parseSymbol(value: unknown, option = 'symbol'): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new EmbedOptionError(option, `No instrument given: set ${option}, e.g. ${option}="BTC-USD".`);
  if (text.length > MAX_INSTRUMENT_NAME_LENGTH || !SYMBOL.test(text)) {
    throw new EmbedOptionError(
      option,
      `"${text.slice(0, MAX_INSTRUMENT_NAME_LENGTH)}" is not an instrument name (e.g. BTC-USD or SIM:BTC-USD).`,
    );
  }
  return text;
}

/** Parses "1m" / "60" / 60 into a bar interval; undefined or '' gives the default. @throws EmbedOptionError */
export function parseIntervalOption(value: unknown, option = 'interval'): BarInterval {
  if (value === undefined || value === null || value === '') return EMBED_DEFAULTS.interval;
  const parsed =
    typeof value === 'number' ? parseBarInterval(String(value)) : typeof value === 'string' ? parseBarInterval(value.trim()) : undefined;
  if (parsed === undefined) {
    throw new EmbedOptionError(option, `Unknown ${option} "${String(value)}": use ${intervalChoices()}.`);
  }
  return parsed;
}

/** Parses a theme; undefined or '' gives the default. @throws EmbedOptionError */
export function parseTheme(value: unknown, option = 'theme'): EmbedTheme {
  if (value === undefined || value === null || value === '') return EMBED_DEFAULTS.theme;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === 'system') return 'auto';
  if ((EMBED_THEMES as readonly string[]).includes(text)) return text as EmbedTheme;
  throw new EmbedOptionError(option, `Unknown ${option} "${String(value)}": use light, dark or auto.`);
}

/**
 * Parses a height: a number of pixels ("360", 360, "360px") or a CSS length ("100%", "60vh").
 * Undefined or '' gives `fallback`. @throws EmbedOptionError
 */
export function parseHeight(value: unknown, fallback: EmbedHeight = EMBED_DEFAULTS.height, option = 'height'): EmbedHeight {
  if (value === undefined || value === null || value === '') return fallback;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().toLowerCase() : '';
  const pixels = /^\d+(\.\d+)?(px)?$/.test(text) ? Number.parseFloat(text) : undefined;
  if (pixels !== undefined) {
    if (pixels < MIN_EMBED_HEIGHT_PX || pixels > MAX_EMBED_HEIGHT_PX) {
      throw new EmbedOptionError(
        option,
        `${option} ${text} is out of range: use ${MIN_EMBED_HEIGHT_PX} to ${MAX_EMBED_HEIGHT_PX} pixels, or a CSS length such as 100%.`,
      );
    }
    return Math.round(pixels);
  }
  if (CSS_LENGTH.test(text)) return text;
  throw new EmbedOptionError(
    option,
    `Unknown ${option} "${String(value)}": use a number of pixels (e.g. 400) or a CSS length (e.g. 100%, 60vh).`,
  );
}

/** Parses on/off, true/false, yes/no, 1/0 (or a boolean); undefined or '' gives `fallback`. @throws EmbedOptionError */
export function parseSwitch(value: unknown, fallback: boolean, option: string): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (['on', 'true', 'yes', '1'].includes(text)) return true;
  if (['off', 'false', 'no', '0'].includes(text)) return false;
  throw new EmbedOptionError(option, `Unknown ${option} "${String(value)}": use on or off.`);
}

/** Checks a feed URL. @throws EmbedOptionError */
export function parseFeedUrl(value: unknown, option = 'feed'): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!WS_URL.test(text) || !isWebSocketUrl(text)) {
    throw new EmbedOptionError(option, `${option} must be the feed's WebSocket URL (ws://host:port or wss://host), got "${text}".`);
  }
  return text;
}

/** Height as CSS: numbers are pixels. */
export function cssHeight(height: EmbedHeight): string {
  return typeof height === 'number' ? `${height}px` : height;
}

/** The label of an interval ("1m" for 60). */
export function intervalLabel(interval: BarInterval): BarIntervalLabel {
  return BAR_INTERVAL_LABELS[interval];
}

/**
 * The http(s) origin of a feed's WebSocket URL: where the same service answers plain HTTP
 * (`/healthz`, `/embed/check`, `/embed/tickwire-chart.js`). ws -> http, wss -> https.
 */
export function feedHttpOrigin(feedUrl: string): string {
  const url = new URL(feedUrl);
  const scheme = url.protocol === 'wss:' ? 'https:' : 'http:';
  return `${scheme}//${url.host}`;
}

/** The WebSocket URL of a feed whose HTTP origin (e.g. a script's src) is `origin`. */
export function feedUrlFromHttp(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
}

/** Option values as they arrive from a URL query, element attributes or React props. */
export interface RawEmbedOptions {
  readonly symbol?: unknown;
  readonly interval?: unknown;
  readonly theme?: unknown;
  readonly height?: unknown;
  /** A boolean (React props) or "on" / "off" text (URL, attributes). */
  readonly volume?: unknown;
  /** Feed URL, already resolved from the embed's own default. */
  readonly feedUrl: unknown;
}

/**
 * Validates raw option values into {@link EmbedChartOptions}; the first problem comes back as an
 * {@link EmbedOptionError} (shown in the embed) rather than thrown. Shared by the iframe route, the
 * custom element and `<LiveChart>` so all three accept and reject the same things.
 */
export function parseEmbedOptions(
  raw: RawEmbedOptions,
  { defaultHeight = EMBED_DEFAULTS.height, feedOption = 'feed' }: { defaultHeight?: EmbedHeight; feedOption?: string } = {},
): EmbedChartOptions | EmbedOptionError {
  try {
    return {
      symbol: parseSymbol(raw.symbol),
      interval: parseIntervalOption(raw.interval),
      theme: parseTheme(raw.theme),
      height: parseHeight(raw.height, defaultHeight),
      volume: typeof raw.volume === 'boolean' ? raw.volume : parseSwitch(raw.volume, EMBED_DEFAULTS.volume, 'volume'),
      feedUrl: parseFeedUrl(raw.feedUrl, feedOption),
    };
  } catch (error) {
    if (error instanceof EmbedOptionError) return error;
    throw error;
  }
}
