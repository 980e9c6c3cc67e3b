/**
 * Copy-ready snippets for the three ways to embed a chart (docs/embedding.md), as the dashboard's
 * "Embed" dialog shows them for the chart on screen.
 */
import type { BarInterval } from '../market/types';
import { feedHttpOrigin, intervalLabel, type EmbedTheme } from './embed-options';

/** Path of the custom element bundle on the feed service. */
export const ELEMENT_SCRIPT_PATH = '/embed/tickwire-chart.js';
/** Size of the iframe in the snippet (px); people change it to fit their page. */
export const SNIPPET_IFRAME_WIDTH = 640;
export const SNIPPET_IFRAME_HEIGHT = 400;

/** What the snippets are made of. */
export interface SnippetInput {
  /** Name as the person knows it (the bare alias when one venue lists it). */
  readonly symbol: string;
  readonly interval: BarInterval;
  readonly theme: EmbedTheme;
  /** Origin of the dashboard serving `/embed/chart/...` ("https://charts.example.com"). */
  readonly dashboardOrigin: string;
  /** The feed's WebSocket URL. */
  readonly feedUrl: string;
  /** Put `feed=` into the iframe URL (when the dashboard itself was pointed elsewhere with ?feed=). */
  readonly iframeFeed: boolean;
}

/** The three snippets. */
export interface Snippets {
  readonly iframe: string;
  readonly react: string;
  readonly element: string;
}

/** Escapes text for an HTML attribute value in double quotes. */
export function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The iframe route's URL for `input`. */
export function iframeUrl(input: SnippetInput): string {
  const url = new URL(`/embed/chart/${encodeURIComponent(input.symbol)}`, input.dashboardOrigin);
  url.searchParams.set('interval', intervalLabel(input.interval));
  url.searchParams.set('theme', input.theme);
  if (input.iframeFeed) url.searchParams.set('feed', input.feedUrl);
  return url.href;
}

/** Builds the snippets. */
export function buildSnippets(input: SnippetInput): Snippets {
  const symbol = escapeAttribute(input.symbol);
  const interval = intervalLabel(input.interval);
  const feed = escapeAttribute(input.feedUrl);
  const iframe =
    `<iframe src="${escapeAttribute(iframeUrl(input))}"\n` +
    `        width="${SNIPPET_IFRAME_WIDTH}" height="${SNIPPET_IFRAME_HEIGHT}" style="border:0" loading="lazy"\n` +
    `        title="${symbol} live chart"></iframe>`;
  const react =
    `import { LiveChart } from 'tickwire/react';\n\n` +
    `export function ${componentName(input.symbol)}Chart() {\n` +
    `  return <LiveChart symbol="${symbol}" interval="${interval}" theme="${input.theme}" feedUrl="${feed}" />;\n` +
    `}`;
  const element =
    `<script src="${escapeAttribute(feedHttpOrigin(input.feedUrl) + ELEMENT_SCRIPT_PATH)}" async></script>\n` +
    `<tickwire-chart symbol="${symbol}" interval="${interval}" theme="${input.theme}"\n` +
    `                feed="${feed}"></tickwire-chart>`;
  return { iframe, react, element };
}

/** "BTC-USD" -> "BtcUsd": a component name for the React snippet. */
function componentName(symbol: string): string {
  const words = symbol.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('');
  return /^[A-Z]/.test(name) ? name : `Instrument${name}`;
}
