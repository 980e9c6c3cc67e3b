import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProtocolVersionError, RemoteCloseError, ServerRequestError, type FeedClientEvents } from '../../../lib/client';
import { AssetClass } from '../../../lib/market/types';
import { ErrorCode } from '../../../lib/protocol/constants';
import { createDashboardStore, type DashboardStore } from '../../../lib/store/dashboard-store';
import { feedClosedText, feedUnreachableText, protocolMismatchText, unknownInstrumentText } from '../../../lib/text/feed-errors';
import { OLDER_PAGE_BARS } from '../../../lib/store/older-bars';
import { RESUBSCRIBE_DEBOUNCE_MS, bridgeFeed, type BridgeableClient } from '../../../components/providers/feed-bridge';

type Handler = (payload: never) => void;

/** A client double that records requests and lets the test emit events. */
class FakeClient implements BridgeableClient {
  readonly url = 'ws://fake:1';
  readonly requests: string[] = [];
  readonly handlers = new Map<string, Set<Handler>>();
  on<K extends keyof FeedClientEvents>(event: K, handler: (payload: FeedClientEvents[K]) => void): () => void {
    const set = this.handlers.get(event) ?? new Set<Handler>();
    set.add(handler as Handler);
    this.handlers.set(event, set);
    return () => set.delete(handler as Handler);
  }
  emit<K extends keyof FeedClientEvents>(event: K, payload: FeedClientEvents[K]): void {
    for (const handler of this.handlers.get(event) ?? []) (handler as (p: FeedClientEvents[K]) => void)(payload);
  }
  subscribe(symbols: readonly string[] | 'all', interval = 0): Promise<void> {
    this.requests.push(`sub ${symbols === 'all' ? 'all' : symbols.join(',')} ${interval}`);
    return Promise.resolve();
  }
  unsubscribe(symbols: readonly string[] | 'all', interval: number): Promise<void> {
    this.requests.push(`unsub ${symbols === 'all' ? 'all' : symbols.join(',')} ${interval}`);
    return Promise.resolve();
  }
  stats() {
    return {
      messagesPerSec: 1,
      updatesPerSec: 2,
      bytesPerSec: 3,
      rttMs: 4,
      dataAgeMs: 5,
      lastMessageAgeMs: 0,
      clockOffsetMs: 0,
      reconnects: 0,
      gaps: 0,
      duplicates: 0,
      unknownMessages: 0,
    };
  }
}

const instrument = (id: number, symbol: string) => ({
  id,
  symbol,
  venue: 'SIM',
  assetClass: AssetClass.Crypto,
  priceDecimals: 2,
  sizeDecimals: 2,
  removed: false,
});

describe('bridgeFeed', () => {
  let client: FakeClient;
  let store: DashboardStore;
  let undo: () => void;

  beforeEach(() => {
    vi.useFakeTimers();
    client = new FakeClient();
    store = createDashboardStore({ url: client.url, initialSymbol: 'ETH-USD', initialInterval: 5, scheduler: () => () => {} });
    undo = bridgeFeed(client, store, [client.url]);
  });
  afterEach(() => {
    undo();
    vi.useRealTimers();
  });

  function connect(): void {
    client.emit('state', { newState: 'connected', oldState: 'connecting' });
    client.emit('hello', {
      type: 'hello',
      protocolVersion: 2,
      serverId: 's',
      epoch: 1,
      heartbeatIntervalMs: 1000,
      serverTimeUs: 0,
      capabilities: [],
      intervals: [1, 5, 60, 300, 900, 3600],
      url: client.url,
    });
    client.emit('instruments', {
      type: 'instruments',
      instruments: [instrument(1, 'BTC-USD'), instrument(2, 'ETH-USD')],
      table: new Map(),
    });
    store.getState().actions.flush();
  }

  it('subscribes every instrument without bars, then the charted one at the chart interval', () => {
    connect();
    expect(client.requests).toEqual(['sub all 0', 'sub ETH-USD 5']);
  });

  it("moves the chart's pair when the selection settles, adding the new pair before dropping the old", () => {
    connect();
    store.getState().actions.select('BTC-USD');
    store.getState().actions.select('ETH-USD');
    store.getState().actions.select('BTC-USD');
    vi.advanceTimersByTime(RESUBSCRIBE_DEBOUNCE_MS - 1);
    expect(client.requests).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(client.requests.slice(2)).toEqual(['sub BTC-USD 5', 'unsub ETH-USD 5']);
    store.getState().actions.setInterval(60);
    vi.advanceTimersByTime(RESUBSCRIBE_DEBOUNCE_MS);
    expect(client.requests.slice(4)).toEqual(['sub BTC-USD 60', 'unsub BTC-USD 5']);
  });

  it('asks again for a snapshot when the selection comes back to the charted instrument before the debounce ends', () => {
    connect();
    store.getState().actions.select('BTC-USD');
    store.getState().actions.select('ETH-USD'); // the chart was reset: its bars are gone
    expect(store.getState().chart).toMatchObject({ instrumentId: 2, status: 'loading', bars: [] });
    vi.advanceTimersByTime(RESUBSCRIBE_DEBOUNCE_MS);
    expect(client.requests.slice(2)).toEqual(['sub ETH-USD 5']);
  });

  it('asks again for a snapshot when the interval comes back to the charted one before the debounce ends', () => {
    connect();
    store.getState().actions.setInterval(60);
    store.getState().actions.setInterval(5);
    vi.advanceTimersByTime(RESUBSCRIBE_DEBOUNCE_MS);
    expect(client.requests.slice(2)).toEqual(['sub ETH-USD 5']);
  });

  it('mirrors connection state and stats into the store', () => {
    client.emit('state', { newState: 'reconnecting', oldState: 'connected', retryAt: 1234 });
    expect(store.getState().connection).toMatchObject({ state: 'reconnecting', retryAt: 1234 });
    vi.advanceTimersByTime(1000);
    expect(store.getState().stats).toEqual({ messagesPerSec: 1, updatesPerSec: 2, bytesPerSec: 3, rttMs: 4, dataAgeMs: 5 });
  });

  it('says the feed is unreachable until a first connection, then clears it', () => {
    client.emit('state', { newState: 'reconnecting', oldState: 'connecting', retryAt: 1 });
    expect(store.getState().errors.map((e) => e.kind)).toEqual(['feed-unreachable']);
    connect();
    expect(store.getState().errors).toEqual([]);
  });

  it('turns typed client errors into actionable errors', () => {
    client.emit('error', new ProtocolVersionError(2, 1, client.url));
    client.emit('error', new ServerRequestError(ErrorCode.UnknownInstrument, 'no such symbol', 3, ['XYZ']));
    const errors = store.getState().errors;
    expect(errors.map((e) => e.kind)).toEqual(['protocol-mismatch', 'unknown-instrument']);
    expect(errors[0]?.message).toContain('version 2');
    expect(errors[1]?.message).toContain('XYZ');
  });
  it('says what went wrong in the same sentences as the embeds (lib/text/feed-errors.ts)', () => {
    client.emit('state', { newState: 'reconnecting', oldState: 'connecting', retryAt: 1 });
    client.emit('error', new ProtocolVersionError(3, 2, client.url));
    client.emit('error', new ServerRequestError(ErrorCode.UnknownInstrument, 'no such symbol', 3, ['XYZ']));
    client.emit('error', new RemoteCloseError(1008, 'origin not allowed', 'policy', client.url, 'closed 1008'));
    expect(store.getState().errors.map((e) => e.message)).toEqual([
      feedUnreachableText(client.url),
      protocolMismatchText(client.url, 3, 2, 'dashboard'),
      unknownInstrumentText('XYZ'),
      feedClosedText(client.url, 'origin not allowed', 1008),
    ]);
    expect(feedUnreachableText('ws://feed:8080')).toBe('Cannot reach the Tickwire feed at ws://feed:8080.');
  });

  it('names every gateway URL it was given when none can be reached, and follows the one in use once connected', () => {
    undo();
    store = createDashboardStore({ url: 'ws://a:1', initialSymbol: 'ETH-USD', initialInterval: 5, scheduler: () => () => {} });
    undo = bridgeFeed(client, store, ['ws://a:1', 'ws://fake:1']);
    client.emit('state', { newState: 'reconnecting', oldState: 'connecting', retryAt: 1 });
    expect(store.getState().errors.map((e) => e.message)).toEqual(['Cannot reach the Tickwire feed at any of ws://a:1, ws://fake:1.']);
    connect();
    expect(store.getState().connection.url).toBe('ws://fake:1');
    expect(store.getState().errors).toEqual([]);
  });

  it('clears the banner of a protocol close once the client has reconnected', () => {
    connect();
    client.emit('error', new RemoteCloseError(1002, 'bad frame', 'protocol', client.url, `${client.url}: protocol error`));
    client.emit('state', { newState: 'reconnecting', oldState: 'connected', retryAt: 1 });
    expect(store.getState().errors.map((e) => e.id)).toEqual(['server-error:close-1002']);
    client.emit('state', { newState: 'connected', oldState: 'connecting' });
    expect(store.getState().errors).toEqual([]);
  });

  describe('scroll-back', () => {
    const page = (minutes: number[], more: boolean) => ({
      type: 'historyPage' as const,
      requestId: 9,
      instrumentId: 2,
      interval: 5 as const,
      instrument: undefined,
      more,
      bars: minutes.map((m) => ({
        kind: 'bar' as const,
        instrumentId: 2,
        seq: 0,
        eventTimeUs: 0,
        receiveTimeUs: 0,
        interval: 5 as const,
        openTimeUs: m * 5e6,
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 1,
        tradeCount: 1,
        vwap: 1,
      })),
    });

    function snapshot(): void {
      client.emit('snapshot', {
        type: 'snapshot',
        requestId: 2,
        instrumentId: 2,
        recovered: false,
        barsOnly: false,
        seq: 1,
        interval: 5,
        updates: page([100, 101], true).bars,
        instrument: undefined,
      } as never);
      store.getState().actions.flush();
    }

    it("asks for the page before the chart's oldest bar when the store marks older bars loading, and hands it back", async () => {
      const asked: unknown[][] = [];
      let answer: (value: ReturnType<typeof page>) => void = () => {};
      Object.assign(client, {
        history: (...args: unknown[]) => {
          asked.push(args);
          return new Promise((resolve) => (answer = resolve));
        },
      });
      connect();
      snapshot();
      store.getState().actions.loadOlder();
      expect(asked).toEqual([]); // asked on the next microtask, outside the store's change
      await Promise.resolve();
      await Promise.resolve();
      expect(asked).toEqual([['ETH-USD', 5, { endTimeUs: 100 * 5e6, count: OLDER_PAGE_BARS }]]);
      answer(page([98, 99], false));
      await vi.waitFor(() => expect(store.getState().chart.older?.status).toBe('start'));
      expect(store.getState().chart.bars.map((b) => b.openTimeUs / 5e6)).toEqual([98, 99, 100, 101]);
    });

    it('fails the page when the client cannot ask for history, or the request is refused', async () => {
      connect();
      snapshot();
      store.getState().actions.loadOlder();
      expect(store.getState().chart.older?.status).toBe('failed');
      Object.assign(client, { history: () => Promise.reject(new Error('HistoryUnavailable')) });
      vi.advanceTimersByTime(60_000);
      store.getState().actions.loadOlder();
      await vi.waitFor(() => expect(store.getState().chart.older?.status).toBe('failed'));
    });
  });
});
