/**
 * FeedClient.history against the real feed service (simulated adapter -> gateway -> in-memory
 * history pages): a page the chart can use, paging back to the start, a refusal, and a request made
 * before the feed was up that is answered once the client connects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FeedClient } from '../../lib/client';
import { ServerRequestError } from '../../lib/client/errors';
import { ErrorCode } from '../../lib/protocol';
import type { FeedService } from '../../server/feed-service';
import { startTestFeed } from '../support/feed';

const services: FeedService[] = [];
const clients: FeedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function feed(): Promise<FeedService> {
  const service = await startTestFeed({ simulated: { ratePerInstrument: 200 } });
  services.push(service);
  return service;
}

function client(url: string): FeedClient {
  const c = new FeedClient({
    url,
    transport: (u, protocols) => new WebSocket(u, protocols),
    reconnect: { minDelayMs: 20, maxDelayMs: 200 },
  });
  clients.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FeedClient#history against the feed service', () => {
  it('gets the newest bars with the instrument, then pages back to the start of the held data', async () => {
    const service = await feed();
    const c = client(service.url);
    c.connect();
    await sleep(2200);
    const newest = await c.history('BTC-USD', 1, { count: 2 });
    expect(newest.instrument?.symbol).toBe('SIM:BTC-USD');
    expect(newest.interval).toBe(1);
    expect(newest.bars).toHaveLength(2);
    expect(newest.bars.every((b) => b.kind === 'bar' && b.instrumentId === newest.instrumentId && b.interval === 1)).toBe(true);
    expect(newest.more).toBe(true);
    const opens = newest.bars.map((b) => b.openTimeUs);
    let page = newest;
    while (page.more) {
      page = await c.history('SIM:BTC-USD', 1, { endTimeUs: page.bars[0]!.openTimeUs, count: 1 });
      opens.unshift(...page.bars.map((b) => b.openTimeUs));
    }
    expect(opens.length).toBeGreaterThanOrEqual(3);
    expect(opens).toStrictEqual([...opens].sort((a, b) => a - b));
    expect(new Set(opens).size).toBe(opens.length);
  }, 15_000);

  it('rejects with ServerRequestError for an unknown instrument or an interval the feed does not build', async () => {
    const service = await feed();
    const c = client(service.url);
    c.connect();
    await expect(c.history('NOPE-USD', 60)).rejects.toMatchObject({ code: ErrorCode.UnknownInstrument });
    const refused = await c.history('BTC-USD', 120).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServerRequestError);
    expect(refused).toMatchObject({ code: ErrorCode.BadInterval });
    // The connection is still good.
    await expect(c.history('BTC-USD', 60, { count: 1 })).resolves.toMatchObject({ interval: 60 });
  });

  it('answers a request made before connecting once the client is connected', async () => {
    const service = await feed();
    const c = client(service.url);
    const pending = c.history('ETH-USD', 60, { count: 5 });
    c.connect();
    const page = await pending;
    expect(page.instrument?.symbol).toBe('SIM:ETH-USD');
    expect(page.bars.length).toBeLessThanOrEqual(5);
    expect(c.hello?.capabilities).toStrictEqual(['history']);
  });
});
