/**
 * The all-in-one feed service over a history store it cannot use: live data goes on, /healthz
 * says why history is degraded, and the file is left as it was.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from '../support/feed';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('feed service with an unusable history store', () => {
  it('a corrupt history.sqlite: streams live data, /healthz shows the store degraded naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-feed-store-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'history.sqlite');
    const garbage = Buffer.from('garbage, not SQLite '.repeat(500));
    writeFileSync(file, garbage);
    const service: FeedService = await startTestFeed({ dataDir: dir });
    cleanups.push(() => service.close());
    const client = new FeedClient({ url: service.url, transport: (u, p) => new WebSocket(u, p) });
    cleanups.push(() => client.close());
    let trades = 0;
    client.on('batch', (b) => (trades += b.updates.filter((u) => u.kind === 'trade').length));
    client.connect();
    await client.subscribe(['BTC-USD'], 60);
    const deadline = Date.now() + 5000;
    while (trades < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(trades).toBeGreaterThanOrEqual(5);
    const health = (await (await fetch(service.url.replace('ws://', 'http://') + '/healthz')).json()) as {
      history: { store: { state: string; reason: string } };
    };
    expect(health.history.store.state).toBe('degraded');
    expect(health.history.store.reason).toContain(file);
    expect(health.history.store.reason).toMatch(/not a readable SQLite database/);
    await service.close();
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('without a data folder the store is off', async () => {
    const service = await startTestFeed();
    cleanups.push(() => service.close());
    expect(service.health().history.store).toEqual({ state: 'off' });
  });
});
