/**
 * The feed service's HTTP routes for embeds (docs/embedding.md):
 *
 * - `GET /embed/tickwire-chart.js`: the `<tickwire-chart>` bundle built by `npm run build:embed`,
 *   cacheable, loadable from any site (classic or module script).
 * - `GET /embed/check`: whether the caller's origin may open a WebSocket here, as JSON with CORS
 *   open to all. A browser cannot read the 403 of a refused WebSocket handshake (it sees close 1006),
 *   so an embed asks this after a failed connection to explain itself.
 */
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalOrigin, isOriginAllowed } from './gateway/handshake';
import type { GatewayOptions } from './gateway/options';

/** Path of the custom element bundle. */
export const EMBED_SCRIPT_PATH = '/embed/tickwire-chart.js';
/** Path of the origin check. */
export const EMBED_CHECK_PATH = '/embed/check';
/**
 * How long browsers and CDNs may reuse the bundle without asking (s). Short: the URL carries no
 * version, and a revalidation costs one 304.
 */
export const EMBED_SCRIPT_MAX_AGE_S = 300;

/** What the embed routes need from the feed service. */
export interface EmbedRouteContext {
  /** File of the built bundle (dist/embed/tickwire-chart.js). */
  readonly bundlePath: string;
  /** The gateway's origin policy. */
  readonly origins: Pick<GatewayOptions, 'allowedOrigins' | 'allowLocalhostOrigins'>;
}

/** Answers an embed route; returns false when `req` is not one (the caller goes on). */
export function handleEmbedRequest(req: IncomingMessage, res: ServerResponse, context: EmbedRouteContext): boolean {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://feed.invalid');
  } catch {
    // A request target such as "//[" is no URL (Node's HTTP parser lets it through); not ours.
    return false;
  }
  if (url.pathname === EMBED_SCRIPT_PATH) {
    serveBundle(req, res, context.bundlePath);
    return true;
  }
  if (url.pathname === EMBED_CHECK_PATH) {
    serveOriginCheck(req, res, url, context.origins);
    return true;
  }
  return false;
}

let cached: { key: string; body: Buffer } | undefined;

function serveBundle(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Use GET.\n');
    return;
  }
  let stat;
  try {
    stat = statSync(path);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('The <tickwire-chart> bundle is not built on this feed service: run "npm run build:embed" (npm start builds it).\n');
    return;
  }
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': `public, max-age=${EMBED_SCRIPT_MAX_AGE_S}`,
    etag,
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (cached?.key !== `${path}|${etag}`) cached = { key: `${path}|${etag}`, body: readFileSync(path) };
  res.writeHead(200, { ...headers, 'content-length': String(cached.body.length) });
  res.end(req.method === 'HEAD' ? undefined : cached.body);
}

/** True for a string that is exactly an http(s) origin ("https://example.com:8443"). */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

function serveOriginCheck(req: IncomingMessage, res: ServerResponse, url: URL, origins: EmbedRouteContext['origins']): void {
  const cors = { 'access-control-allow-origin': '*', vary: 'Origin' };
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET', 'access-control-max-age': '600' });
    res.end();
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { ...cors, allow: 'GET, OPTIONS', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Use GET.\n');
    return;
  }
  // The Origin header is what the WebSocket handshake will carry; ?origin= serves callers
  // that send none (same-origin requests, tools).
  // A person types ?origin= as they copied it (trailing slash, capitals, :443): read it in the form a
  // browser sends, as the gateway reads --allow-origin entries.
  const typed = url.searchParams.get('origin') ?? undefined;
  const asked = typed === undefined ? undefined : (canonicalOrigin(typed) ?? typed);
  const origin = typeof req.headers.origin === 'string' && req.headers.origin !== 'null' ? req.headers.origin : asked;
  let body: { origin: string | null; originAllowed: boolean; reason: string };
  if (origin === undefined) {
    body = { origin: null, originAllowed: true, reason: 'No origin given: clients that are not browsers may always connect.' };
  } else if (!isOrigin(origin)) {
    res.writeHead(400, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: `"${origin.slice(0, 200)}" is not an origin (scheme://host[:port])` }));
    return;
  } else {
    const allowed = isOriginAllowed(origin, origins.allowedOrigins, origins.allowLocalhostOrigins);
    body = {
      origin,
      originAllowed: allowed,
      reason: allowed
        ? `${origin} may connect to this feed.`
        : `${origin} is not on this feed's origin allowlist; the operator adds it with --allow-origin ${origin}.`,
    };
  }
  res.writeHead(200, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
