/**
 * A plain HTTP server standing in for "somebody else's website" in the embed tests: it serves
 * pages the test writes (HTML, scripts) from its own origin, which is not the dashboard's nor the
 * feed's. It can listen on 127.0.0.2, a loopback address the gateway does not count as localhost,
 * so the page's origin is one the feed refuses by default.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running site. */
export interface StaticSite {
  /** "http://127.0.0.1:41234" */
  readonly origin: string;
  /** Serves `body` at `path` (replacing what was there). */
  put(path: string, body: string, contentType?: string): void;
  close(): Promise<void>;
}

/** Starts a site on a free port of `host`. */
export async function startStaticSite(host = '127.0.0.1'): Promise<StaticSite> {
  const files = new Map<string, { body: string; contentType: string }>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site.invalid').pathname;
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' });
    res.end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    put(path, body, contentType = 'text/html; charset=utf-8') {
      files.set(path, { body, contentType });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A minimal HTML page around `body`. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
  body { margin: 0; padding: 20px; font: 14px system-ui, sans-serif; background: #f4f1ea; color: #222; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  iframe { border: 0; width: 100%; }
</style></head>
<body>${body}</body></html>`;
}
