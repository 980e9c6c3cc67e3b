/**
 * The HTTP server in front of a gateway, shared by the all-in-one feed service and the scaled
 * gateway role: WebSocket upgrades go to the gateway, `GET /healthz` answers the role's health
 * report, `GET /embed/tickwire-chart.js` serves the embed bundle, anything else a short 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { handleEmbedRequest } from './embed-routes';
import type { Gateway } from './gateway/gateway';

/** The embed bundle this repository builds (`npm run build:embed`). */
export const DEFAULT_EMBED_BUNDLE_PATH = fileURLToPath(new URL('../dist/embed/tickwire-chart.js', import.meta.url));

export interface FrontDoorOptions {
  readonly gateway: Gateway;
  readonly host: string;
  readonly port: number;
  readonly embedBundlePath: string;
  /** The body of GET /healthz. */
  readonly health: () => unknown;
}

export interface FrontDoor {
  readonly server: Server;
  readonly port: number;
  /** ws:// URL clients connect to. */
  readonly url: string;
}

/**
 * Checks a listen address before anything starts.
 * @throws TypeError for a port outside 0..65535 or a blank host.
 */
export function checkAddress(port: unknown, host: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`feed service option "port" must be an integer 0..65535, got ${String(port)}`);
  }
  // Node reads an empty host as "every interface": a blank FEED_HOST would expose the feed.
  if (typeof host !== 'string' || host.trim() === '') {
    throw new TypeError(
      `feed service option "host" must be an interface address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(host)}`,
    );
  }
}

/**
 * Checks the address, opens the port and attaches the gateway.
 * @throws TypeError for a bad port or host; the listen error (e.g. EADDRINUSE) otherwise.
 */
export async function openFrontDoor(o: FrontDoorOptions): Promise<FrontDoor> {
  checkAddress(o.port, o.host);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const body = JSON.stringify(o.health());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (handleEmbedRequest(req, res, { bundlePath: o.embedBundlePath, origins: o.gateway.options })) return;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Tickwire feed service: connect a WebSocket client (subprotocol tickwire.v2), GET /healthz, or GET /embed/tickwire-chart.js\n');
  });
  o.gateway.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `ws://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}`;
  return { server, port, url };
}

/** Closes the port and every open HTTP connection. */
export async function closeFrontDoor(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
