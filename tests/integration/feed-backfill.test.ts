import { afterEach, describe, expect, it } from 'vitest';
import { alignBarOpenTime } from '../../lib/market/bars';
import type { FeedAdapter } from '../../server/adapters/types';
import type { FeedService } from '../../server/feed-service';
import { MemoryBarStore } from '../support/memory-bar-store';
import { startTestFeed } from '../support/feed';
import SineHistoryAdapter from '../../server/adapters/examples/sine-history';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(read: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe('feed service backfill', () => {
  let feed: FeedService | undefined;
  afterEach(async () => {
    await feed?.close();
    feed = undefined;
  });

  it('backfills the simulator into the store in the background and shows progress on /healthz', async () => {
    const store = new MemoryBarStore();
    const startMinuteUs = alignBarOpenTime(Date.now() * 1000, 60);
    feed = await startTestFeed({ simulated: { instruments: 3 }, store, backfillDays: 1 });
    // Live data does not wait for the backfill.
    expect(feed.health().backfill?.state).toBe('running');
    expect(feed.health().adapters[0]?.state).toBe('live');
    const done = await waitFor(() => (feed?.health().backfill?.state === 'done' ? feed.health().backfill : undefined));
    expect(done).toMatchObject({ days: 1, instruments: 3, instrumentsDone: 3, errorCount: 0 });
    // Backfilled bars carry seq 0; the live history writes its own bars (seq > 0) to the same store.
    const minutes = store.all('SIM:BTC-USD', 60).filter((b) => b.seq === 0);
    expect(minutes).toHaveLength(1440);
    // Up to the minute the live walk started in (a minute may have turned since startMinuteUs).
    expect([startMinuteUs - 60_000_000, startMinuteUs]).toContain(minutes[minutes.length - 1]?.openTimeUs);
    expect(store.all('SIM:ETH-USD', 3600).length).toBeGreaterThanOrEqual(24);
    expect(store.all('SIM:ETH-USD', 1).filter((b) => b.seq === 0)).toHaveLength(3600);
    const response = await fetch(`http://127.0.0.1:${feed.port}/healthz`);
    const body = (await response.json()) as { backfill?: { state: string; barsWritten: number } };
    expect(body.backfill?.state).toBe('done');
    expect(body.backfill?.barsWritten).toBeGreaterThan(3 * (1440 + 3600 + 720));
  });

  it('reports a failing adapter history with a reason and keeps streaming', async () => {
    const store = new MemoryBarStore();
    const broken: FeedAdapter = {
      name: 'broken-history',
      venue: 'BROKEN',
      async start(sink) {
        sink.instruments([{ symbol: 'X-USD', priceDecimals: 2, sizeDecimals: 2 }]);
        sink.status('live');
      },
      async stop() {},
      history() {
        throw new Error('history endpoint down');
      },
    };
    feed = await startTestFeed({ adapters: [broken], store, backfillDays: 1 });
    const progress = await waitFor(() => (feed?.health().backfill?.state === 'done' ? feed.health().backfill : undefined));
    expect(progress.errors).toEqual(['BROKEN:X-USD 1m: history endpoint down']);
    expect(progress).toMatchObject({ health: 'degraded', reason: expect.stringContaining('history endpoint down') });
    expect(feed.health().adapters[0]?.state).toBe('live');
  });

  it('backfills a user adapter that offers history (the docs example), and rolls its 1m bars up', async () => {
    const store = new MemoryBarStore();
    feed = await startTestFeed({ adapters: [new SineHistoryAdapter()], store, backfillDays: 2 });
    const progress = await waitFor(() => (feed?.health().backfill?.state === 'done' ? feed.health().backfill : undefined));
    expect(progress).toMatchObject({ instruments: 2, instrumentsDone: 2, errorCount: 0, rejectedBars: {} });
    expect(store.all('WAVEH:ALPHA', 60)).toHaveLength(2 * 1440);
    const hours = store.all('WAVEH:BETA', 3600);
    expect(hours.length).toBeGreaterThanOrEqual(48);
    expect(hours.every((h) => h.tradeCount === 240 * 60 || h === hours[0] || h === hours[hours.length - 1])).toBe(true);
    // It offers no 1s/5s: nothing stored, no error.
    expect(store.all('WAVEH:ALPHA', 1)).toEqual([]);
  });

  it('has no backfill section without the option', async () => {
    feed = await startTestFeed({ simulated: { instruments: 1 } });
    expect(feed.health().backfill).toBeUndefined();
  });
});
