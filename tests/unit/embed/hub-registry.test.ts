import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedClient } from '../../../lib/client/feed-client';
import { FeedHub } from '../../../lib/embed/feed-hub';
import { HUB_LINGER_MS, acquireFeedHub, activeFeedHubs, feedKey } from '../../../lib/embed/hub-registry';
import { fakeTransport } from '../client/fake-socket';

function factory() {
  const transport = fakeTransport();
  const made: FeedHub[] = [];
  const make = (url: string): FeedHub => {
    const client = new FeedClient({ url, transport: transport.factory, pingIntervalMs: 0 });
    const hub = new FeedHub(url, client, { scheduler: () => () => {} });
    client.connect();
    made.push(hub);
    return hub;
  };
  return { make, made, transport };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.runOnlyPendingTimers();
  vi.useRealTimers();
});

describe('acquireFeedHub', () => {
  it('gives every holder of one feed the same hub, so a page opens one connection', () => {
    const { make, transport } = factory();
    const a = acquireFeedHub('ws://feed.test:8080', make);
    const b = acquireFeedHub('WS://FEED.test:8080/', make);
    expect(b.hub).toBe(a.hub);
    expect(transport.sockets).toHaveLength(1);
    expect(activeFeedHubs()).toEqual([{ feedUrl: 'ws://feed.test:8080', holders: 2, charts: 0 }]);
    a.release();
    b.release();
  });

  it('closes the connection HUB_LINGER_MS after the last holder lets go', () => {
    const { make, made } = factory();
    const a = acquireFeedHub('ws://linger.test:1', make);
    const b = acquireFeedHub('ws://linger.test:1', make);
    a.release();
    a.release(); // twice is once
    vi.advanceTimersByTime(HUB_LINGER_MS * 2);
    expect(made[0]?.connection).not.toBe('closed');
    b.release();
    vi.advanceTimersByTime(HUB_LINGER_MS - 1);
    expect(made[0]?.connection).not.toBe('closed');
    vi.advanceTimersByTime(1);
    expect(made[0]?.connection).toBe('closed');
    expect(activeFeedHubs().some((h) => h.feedUrl === 'ws://linger.test:1')).toBe(false);
  });

  it('keeps the connection for a chart that comes back within the linger time', () => {
    const { make, made } = factory();
    acquireFeedHub('ws://again.test:1', make).release();
    vi.advanceTimersByTime(HUB_LINGER_MS / 2);
    const again = acquireFeedHub('ws://again.test:1', make);
    vi.advanceTimersByTime(HUB_LINGER_MS * 2);
    expect(made).toHaveLength(1);
    expect(again.hub.connection).not.toBe('closed');
    again.release();
  });

  it('opens one connection per distinct feed', () => {
    const { make, transport } = factory();
    const a = acquireFeedHub('ws://one.test:1', make);
    const b = acquireFeedHub('ws://two.test:1', make);
    expect(b.hub).not.toBe(a.hub);
    expect(transport.sockets).toHaveLength(2);
    a.release();
    b.release();
  });
});

describe('feedKey', () => {
  it('ignores case of scheme and host and a trailing slash', () => {
    expect(feedKey('WSS://Feed.Example.com/')).toBe('wss://feed.example.com');
    expect(feedKey('ws://a:1/path/')).toBe('ws://a:1/path');
  });
});
