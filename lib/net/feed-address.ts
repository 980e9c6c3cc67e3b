/**
 * Where the feed service and the dashboard listen unless told otherwise. One home for the numbers
 * the feed CLI, `npm start`, `npm run tail`, the dashboard page and the embeds all fall back to.
 */

/** TCP port of the feed service (WebSocket clients and `/healthz`). */
export const DEFAULT_FEED_PORT = 8080;

/** Interface the feed service listens on: loopback only, until an operator opens it up. */
export const DEFAULT_FEED_HOST = '127.0.0.1';

/** The feed service's URL on this machine: what `npm run tail` connects to by default. */
export const DEFAULT_FEED_URL = `ws://localhost:${DEFAULT_FEED_PORT}`;

/** HTTP port of the dashboard (`npm start`). */
export const DEFAULT_DASHBOARD_PORT = 3000;
