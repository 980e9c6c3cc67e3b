/**
 * The feed service's own lifecycle over real sockets: failed starts, stop while clients are
 * connecting or subscribing, and stopping twice.
 */
import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedAdapter } from '../../server/adapters/types';
import type { FeedService } from '../../server/feed-service';
import { createLogger } from '../../server/log';
import { startTestFeed } from '../support/feed';

const services: FeedService[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

/** Active timers of this process (setTimeout / setInterval handles). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('startFeedService', () => {
  it('leaves no timer running when the port is already in use', async () => {
    const first = await startTestFeed();
    services.push(first);
    const before = activeTimers();
    const error = await startTestFeed({ port: first.port }).catch((e: NodeJS.ErrnoException) => e);
    expect(error).toMatchObject({ code: 'EADDRINUSE' });
    // Timers a failed start left behind would keep a process that handled the error alive forever.
    expect(activeTimers()).toBe(before);
  });
});

describe('FeedService', () => {
  describe('#close', () => {
    it('completes when a client refused at the handshake never closes its side of the connection', async () => {
      const service = await startTestFeed();
      // allowHalfOpen: the peer keeps its side open after the server's FIN, as a careless or hostile one may.
      const socket = tcpConnect({ port: service.port, host: '127.0.0.1', allowHalfOpen: true });
      await new Promise((resolve) => socket.once('connect', resolve));
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      socket.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Protocol: tickwire.v2\r\nOrigin: https://evil.example\r\n\r\n',
      );
      await new Promise((resolve) => socket.once('end', resolve));
      expect(response).toMatch(/^HTTP\/1\.1 403 /);
      try {
        const outcome = await Promise.race([
          service.close().then(() => 'closed'),
          new Promise((resolve) => setTimeout(() => resolve('still closing after 3 s'), 3000)),
        ]);
        expect(outcome).toBe('closed');
      } finally {
        socket.destroy();
      }
    });
  });
});

describe('FeedService HTTP', () => {
  it('answers 404 to a request target that is not a URL, and keeps serving', async () => {
    const service = await startTestFeed();
    services.push(service);
    const socket = tcpConnect({ port: service.port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    // "//[" parses as a URL with an unterminated IPv6 host: new URL() throws on it.
    socket.end('GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(response).toMatch(/^HTTP\/1\.1 404 /);
    const health = await fetch(`http://127.0.0.1:${service.port}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('FeedService startup', () => {
  it('logs "listening" as soon as the port answers, while an adapter start() still hangs', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const hanging: FeedAdapter = { name: 'hanging', venue: 'HANG', start: () => new Promise<void>(() => {}), stop: async () => {} };
    const starting = startTestFeed({ adapters: [hanging], logger, supervisor: { startTimeoutMs: 5000 } });
    const t0 = Date.now();
    while (!lines.some((l) => l.msg === 'feed service listening') && Date.now() - t0 < 2500) await new Promise((r) => setTimeout(r, 20));
    const listening = lines.find((l) => l.msg === 'feed service listening');
    expect(listening).toMatchObject({ adapters: ['hanging@HANG'] });
    const health = await fetch(`${String(listening?.url).replace('ws://', 'http://')}/healthz`);
    expect(((await health.json()) as { adapters: { venue: string; phase: string }[] }).adapters).toEqual([
      expect.objectContaining({ venue: 'HANG', phase: 'starting' }),
    ]);
    const service = await starting;
    services.push(service);
  }, 20_000);
});

describe('GET /healthz', () => {
  it('reports an adapter whose stats() throws with statsError, keeping the rest of its entry', async () => {
    const adapter: FeedAdapter = {
      name: 'broken-stats',
      venue: 'BRK',
      start: async (sink) => sink.status('live'),
      stop: async () => {},
      stats: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'size')");
      },
    };
    const service = await startTestFeed({ adapters: [adapter] });
    services.push(service);
    const health = (await (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json()) as { adapters: Record<string, unknown>[] };
    expect(health.adapters).toEqual([
      expect.objectContaining({
        venue: 'BRK',
        adapter: 'broken-stats',
        state: 'live',
        statsError: "stats() threw: Cannot read properties of undefined (reading 'size')",
      }),
    ]);
  });
});
