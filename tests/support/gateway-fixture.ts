/**
 * Feed services and raw clients for gateway tests over real sockets, closed after each test.
 * Call once at the top of a test file: it registers the `afterEach` that cleans up.
 */
import { afterEach } from 'vitest';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from './feed';
import { RawClient } from './raw-client';

/** `feed` starts a test feed service, `connect` opens a raw client; both are closed after each test. */
export function gatewayFixture() {
  const services: FeedService[] = [];
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await Promise.all(services.splice(0).map((s) => s.close()));
  });
  return {
    async feed(options: Parameters<typeof startTestFeed>[0] = {}): Promise<FeedService> {
      const service = await startTestFeed(options);
      services.push(service);
      return service;
    },
    async connect(url: string, options: Parameters<typeof RawClient.connect>[1] = {}): Promise<RawClient> {
      const client = await RawClient.connect(url, options);
      clients.push(client);
      return client;
    },
  };
}
