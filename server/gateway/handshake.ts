/**
 * Upgrade-time checks (before a WebSocket exists): Origin allowlist and subprotocol negotiation
 * (RFC 6455 §4.2.1 / §4.2.2). A refusal is a plain HTTP response a person can read.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SUPPORTED_SUBPROTOCOLS } from '../../lib/protocol/constants';

/** Why an upgrade was refused: the HTTP status and a plain-text body. */
export interface HandshakeRefusal {
  readonly status: number;
  readonly body: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when `origin` may open a connection under the given allowlist. */
export function isOriginAllowed(origin: string | undefined, allowedOrigins: readonly string[], allowLocalhostOrigins: boolean): boolean {
  if (origin === undefined) return true; // not a browser: nothing to protect against
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  if (!allowLocalhostOrigins) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * An allowlist entry in the form browsers send in `Origin` (RFC 6454 §6.1: lower-case scheme and
 * host, no default port, no path), or `undefined` when the entry is no origin at all. People copy
 * an address (`https://example.com/`) or type capitals (`https://Example.com`); compared as
 * written, such an entry never matches and every page it was meant for is refused with 403.
 * `"*"` (any origin) and `"null"` (what sandboxed frames and `file:` pages send) are kept as given.
 */
export function canonicalOrigin(entry: string): string | undefined {
  if (entry === '*' || entry === 'null') return entry;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return undefined;
  if (entry.includes('?') || entry.includes('#') || url.hostname.includes('*')) return undefined;
  return url.origin;
}

/** Parses the comma-separated `Sec-WebSocket-Protocol` header into names. */
export function parseOfferedProtocols(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * Picks the subprotocol to speak: the server's preference among those offered, binary before JSON,
 * whatever the order of the client's offers (RFC 6455 §4.2.2 leaves the choice to the server).
 */
export function selectSubprotocol(offered: readonly string[]): string | undefined {
  return SUPPORTED_SUBPROTOCOLS.find((p) => offered.includes(p));
}

/** Checks an upgrade request; returns the refusal, or the subprotocol to accept with. */
export function checkUpgrade(
  req: IncomingMessage,
  allowedOrigins: readonly string[],
  allowLocalhostOrigins: boolean,
): { ok: true; protocol: string } | { ok: false; refusal: HandshakeRefusal } {
  const origin = req.headers.origin;
  if (!isOriginAllowed(origin, allowedOrigins, allowLocalhostOrigins)) {
    return {
      ok: false,
      refusal: {
        status: 403,
        body: `Origin ${origin ?? ''} is not allowed to connect to this Tickwire feed. Add it with --allow-origin.\n`,
      },
    };
  }
  const offered = parseOfferedProtocols(req.headers['sec-websocket-protocol']);
  const protocol = selectSubprotocol(offered);
  if (!protocol) {
    return {
      ok: false,
      refusal: {
        status: 426,
        body:
          `Unsupported WebSocket subprotocol${offered.length ? ` (offered: ${offered.join(', ')})` : ' (none offered)'}. ` +
          `This server speaks: ${SUPPORTED_SUBPROTOCOLS.join(', ')}. Set Sec-WebSocket-Protocol to one of them.\n`,
      },
    };
  }
  return { ok: true, protocol };
}

/**
 * Writes a plain HTTP error response on a socket that asked to upgrade, then closes it. The socket
 * is destroyed once the response is flushed (as ws's own abortHandshake does): ending it only
 * half-closes it, and a peer that never closes its side would hold it open for good, keeping the
 * HTTP server's close() from ever completing.
 */
export function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  const reason = { 403: 'Forbidden', 426: 'Upgrade Required', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  const bytes = Buffer.byteLength(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${bytes}\r\n${status === 426 ? 'Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n' : ''}\r\n${body}`,
  );
}
