import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedClient } from '../../../lib/client/feed-client';
import type { EmbedChartState } from '../../../lib/embed/chart-watch';
import { FeedHub, type FeedHubOptions } from '../../../lib/embed/feed-hub';
import { ErrorCode } from '../../../lib/protocol';
import { OLDER_PAGE_BARS } from '../../../lib/store/older-bars';
import type { SubscribeMessage } from '../../../lib/protocol/messages';
import { BTC, FakeGateway, fakeTransport, greet, type FakeSocket } from '../client/fake-socket';

const SYNC_MS = 20;

/** A hub over a real FeedClient on a fake socket; chart states are delivered when `frame()` runs. */
function makeHub(options: Partial<FeedHubOptions> = {}) {
  const transport = fakeTransport();
  const client = new FeedClient({ url: 'ws://feed:8080', transport: transport.factory, random: () => 0, pingIntervalMs: 0 });
  let frames: Array<() => void> = [];
  const hub = new FeedHub('ws://feed:8080', client, {
    syncDelayMs: SYNC_MS,
    scheduler: (callback) => {
      frames.push(callback);
      return () => {
        frames = frames.filter((f) => f !== callback);
      };
    },
    diagnose: async (url) => ({
      kind: 'feed-unreachable',
      message: `Cannot reach the Tickwire feed at ${url}.`,
      hint: 'Retrying automatically.',
    }),
    ...options,
  });
  client.connect();
  const frame = (): void => {
    const due = frames;
    frames = [];
    for (const f of due) f();
  };
  return { hub, client, transport, frame, pendingFrames: () => frames.length };
}

/** Records the states one chart receives. */
function recorder() {
  const states: EmbedChartState[] = [];
  return { states, listener: (s: EmbedChartState) => states.push(s), last: () => states[states.length - 1] };
}

const subscribes = (socket: FakeSocket) =>
  socket.sentOf('subscribe').map((m) => ({ symbols: m.symbols.map((s) => s.symbol), interval: m.interval }));

/** Greets on the last socket with a v2 fake gateway, lets the hub sync, and answers its requests. */
function serve(transport: ReturnType<typeof fakeTransport>, epoch = 7, seq?: Map<number, number>): FakeGateway {
  const gateway = new FakeGateway(transport.last(), epoch, seq).greet();
  vi.advanceTimersByTime(SYNC_MS);
  gateway.answer();
  return gateway;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FeedHub', () => {
  describe('#loadOlder', () => {
    it("asks once for the page before the pair's oldest bar and gives it to every chart of the pair", async () => {
      const { hub, client, transport, frame } = makeHub();
      const a = recorder();
      const b = recorder();
      hub.watch('BTC-USD', 60, a.listener);
      hub.watch('BTC-USD', 60, b.listener);
      serve(transport);
      frame();
      const oldest = a.last()?.chart.bars[0];
      if (!oldest) throw new Error('no bars');
      expect(a.last()?.chart.older?.status).toBe('idle');
      const older = { ...oldest, openTimeUs: oldest.openTimeUs - 60e6, seq: 0 };
      let answer: (page: { bars: (typeof older)[]; more: boolean }) => void = () => {};
      const history = vi
        .spyOn(client, 'history')
        .mockImplementation(() => new Promise((resolve) => (answer = (page) => resolve(page as never))));
      hub.loadOlder('BTC-USD', 60);
      hub.loadOlder('BTC-USD', 60); // one request in flight per pair
      hub.loadOlder('ETH-USD', 60); // no chart watches it: nothing
      frame();
      expect(history.mock.calls).toEqual([['BTC-USD', 60, { endTimeUs: oldest.openTimeUs, count: OLDER_PAGE_BARS }]]);
      expect(a.last()?.chart.older?.status).toBe('loading');
      answer({ bars: [older], more: false });
      await vi.waitFor(() => {
        frame();
        expect(b.last()?.chart.older?.status).toBe('start');
      });
      expect(a.last()?.chart.bars.map((bar) => bar.openTimeUs)).toEqual([older.openTimeUs, oldest.openTimeUs]);
    });
  });

  describe('#watch', () => {
    it('holds one subscription per (instrument, interval) pair on one socket, however many charts watch it', () => {
      const { hub, transport } = makeHub();
      hub.watch('BTC-USD', 60, () => {});
      hub.watch('BTC-USD', 300, () => {});
      hub.watch('ETH-USD', 60, () => {});
      hub.watch('BTC-USD', 60, () => {});
      greet(transport.last());
      vi.advanceTimersByTime(SYNC_MS);
      expect(subscribes(transport.last())).toEqual([
        { symbols: ['BTC-USD', 'ETH-USD'], interval: 60 },
        { symbols: ['BTC-USD'], interval: 300 },
      ]);
      expect(hub.pairs.sort()).toEqual(['300@BTC-USD', '60@BTC-USD', '60@ETH-USD']);
      expect(transport.sockets).toHaveLength(1);
    });

    it('gives two charts of one instrument at different intervals each its own snapshot and live bars', () => {
      const { hub, transport, frame } = makeHub();
      const minute = recorder();
      const fiveMinutes = recorder();
      hub.watch('BTC-USD', 60, minute.listener);
      hub.watch('BTC-USD', 300, fiveMinutes.listener);
      const gateway = serve(transport);
      frame();
      expect(minute.last()?.status).toBe('ready');
      expect(minute.last()?.chart.bars.map((b) => b.interval)).toEqual([60]);
      expect(fiveMinutes.last()?.status).toBe('ready');
      expect(fiveMinutes.last()?.chart.bars.map((b) => b.interval)).toEqual([300]);
      gateway.publish(BTC.id, 6_100_000);
      frame();
      expect(minute.last()?.lastPrice).toBe(6_100_000);
      expect(fiveMinutes.last()?.lastPrice).toBe(6_100_000);
      expect(minute.last()?.chart.bars.at(-1)).toMatchObject({ interval: 60, seq: 11 });
      expect(fiveMinutes.last()?.chart.bars.at(-1)).toMatchObject({ interval: 300, seq: 11 });
    });

    it('shows a chart that joins a pair already held its bars at once, without a request', () => {
      const { hub, transport, frame } = makeHub();
      hub.watch('BTC-USD', 60, () => {});
      const gateway = serve(transport);
      const sent = gateway.socket.sent.length;
      const late = recorder();
      hub.watch('BTC-USD', 60, late.listener);
      vi.advanceTimersByTime(SYNC_MS);
      frame();
      expect(gateway.socket.sent.length).toBe(sent);
      expect(late.last()?.status).toBe('ready');
      expect(late.last()?.chart.bars).toHaveLength(1);
    });

    it('hands each chart at most one state per frame however many batches arrive', () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      const gateway = serve(transport);
      frame();
      const before = chart.states.length;
      for (let seq = 11; seq < 31; seq++) gateway.publish(BTC.id);
      frame();
      expect(chart.states.length).toBe(before + 1);
      expect(chart.last()?.chart.bars.at(-1)?.seq).toBe(30);
    });

    it('says a symbol the feed does not list is unknown, naming what it lists, and subscribes nothing', () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('NOPE-USD', 60, chart.listener);
      greet(transport.last());
      vi.advanceTimersByTime(SYNC_MS);
      frame();
      expect(chart.last()?.status).toBe('error');
      expect(chart.last()?.problem).toMatchObject({ kind: 'unknown-symbol', message: 'This feed has no instrument "NOPE-USD".' });
      expect(chart.last()?.problem?.hint).toContain('BTC-USD');
      expect(subscribes(transport.last())).toEqual([]);
    });

    it('reports a subscribe the server refuses on the charts of that symbol', () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      const request = socket.sentOf('subscribe')[0] as SubscribeMessage;
      socket.deliver({ type: 'error', requestId: request.requestId, code: ErrorCode.TooManySubscriptions, message: 'limit is 1' });
      frame();
      expect(chart.last()?.status).toBe('error');
      expect(chart.last()?.problem?.kind).toBe('refused');
      expect(chart.last()?.problem?.message).toContain('limit is 1');
    });
  });

  describe('unwatching', () => {
    it('unsubscribes a pair when its last chart leaves', () => {
      const { hub, transport } = makeHub();
      const stopA = hub.watch('BTC-USD', 60, () => {});
      const stopB = hub.watch('BTC-USD', 60, () => {});
      const gateway = serve(transport);
      stopA();
      vi.advanceTimersByTime(SYNC_MS);
      expect(gateway.socket.sentOf('unsubscribe')).toEqual([]);
      stopB();
      vi.advanceTimersByTime(SYNC_MS);
      expect(gateway.socket.sentOf('unsubscribe').map((m) => [m.symbols, m.interval])).toEqual([[['BTC-USD'], 60]]);
      expect(hub.watchCount).toBe(0);
      expect(hub.pairs).toEqual([]);
    });

    it("drops only the leaving chart's pair: the other interval of the instrument stays live", () => {
      const { hub, transport, frame } = makeHub();
      const minute = recorder();
      hub.watch('BTC-USD', 60, minute.listener);
      const stopFive = hub.watch('BTC-USD', 300, () => {});
      const gateway = serve(transport);
      stopFive();
      vi.advanceTimersByTime(SYNC_MS);
      expect(gateway.socket.sentOf('unsubscribe').map((m) => [m.symbols, m.interval])).toEqual([[['BTC-USD'], 300]]);
      gateway.answer();
      expect(gateway.intervalsFor(BTC.id)).toEqual([60]);
      gateway.publish(BTC.id, 6_200_000);
      frame();
      expect(minute.last()?.lastPrice).toBe(6_200_000);
      expect(minute.last()?.chart.bars.at(-1)).toMatchObject({ interval: 60, seq: 11 });
    });

    it('adds the new pair before dropping the old one when a chart changes interval', () => {
      const { hub, transport } = makeHub();
      const stop = hub.watch('BTC-USD', 60, () => {});
      const gateway = serve(transport);
      const sent = gateway.socket.sent.length;
      stop();
      hub.watch('BTC-USD', 300, () => {});
      vi.advanceTimersByTime(SYNC_MS);
      expect(gateway.socket.sent.slice(sent).map((m) => [m.type, 'interval' in m ? m.interval : undefined])).toEqual([
        ['subscribe', 300],
        ['unsubscribe', 60],
      ]);
    });

    it('keeps the pair and its bars for a chart mounted again before the next sync', () => {
      const { hub, transport, frame } = makeHub();
      const stop = hub.watch('BTC-USD', 60, () => {});
      const gateway = serve(transport);
      const sent = gateway.socket.sent.length;
      stop();
      const again = recorder();
      hub.watch('BTC-USD', 60, again.listener);
      vi.advanceTimersByTime(SYNC_MS);
      frame();
      expect(gateway.socket.sent.length).toBe(sent);
      expect(again.last()?.status).toBe('ready');
    });
  });

  describe('reconnect', () => {
    it('resumes both pairs of an instrument from one position, and both charts keep drawing', () => {
      const { hub, transport, frame } = makeHub();
      const minute = recorder();
      const fiveMinutes = recorder();
      hub.watch('BTC-USD', 60, minute.listener);
      hub.watch('BTC-USD', 300, fiveMinutes.listener);
      const first = serve(transport);
      first.publish(BTC.id);
      first.socket.serverClose(1006);
      first.seq.set(BTC.id, 13); // two trades while away
      vi.advanceTimersByTime(500);
      const second = new FakeGateway(transport.last(), 7, first.seq).greet();
      expect(second.socket.sentOf('subscribe').map((m) => [m.interval, m.resumeEpoch, m.symbols])).toEqual([
        [60, 7, [{ symbol: 'BTC-USD', lastSeq: 11 }]],
        [300, 7, [{ symbol: 'BTC-USD', lastSeq: 11 }]],
      ]);
      second.publish(BTC.id, 6_300_000);
      frame();
      expect(minute.last()?.chart.bars.at(-1)).toMatchObject({ interval: 60, seq: 14 });
      expect(fiveMinutes.last()?.chart.bars.at(-1)).toMatchObject({ interval: 300, seq: 14 });
      expect(fiveMinutes.last()?.lastPrice).toBe(6_300_000);
    });
  });

  describe('connection problems', () => {
    it('explains a first connection that fails instead of staying blank', async () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      frame();
      expect(chart.last()?.status).toBe('connecting');
      transport.last().fail();
      await vi.advanceTimersByTimeAsync(0);
      frame();
      expect(chart.last()?.status).toBe('error');
      expect(chart.last()?.problem?.message).toBe('Cannot reach the Tickwire feed at ws://feed:8080.');
    });

    it('clears the problem once connected', async () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      transport.last().fail();
      await vi.advanceTimersByTimeAsync(0);
      await vi.advanceTimersByTimeAsync(1000);
      greet(transport.last());
      frame();
      expect(chart.last()?.problem).toBeUndefined();
      expect(chart.last()?.status).toBe('loading');
    });

    it('starts every chart over when the feed restarts with a new epoch', () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      serve(transport, 7);
      frame();
      const revision = chart.last()?.chart.revision ?? 0;
      transport.last().serverClose(1001, 'restart');
      vi.advanceTimersByTime(1000);
      const restarted = new FakeGateway(transport.last(), 8);
      greet(restarted.socket, 8);
      frame();
      expect(chart.last()?.chart.bars).toEqual([]);
      expect(chart.last()?.chart.revision).toBeGreaterThan(revision);
      restarted.answer();
      frame();
      expect(chart.last()?.status).toBe('ready');
    });
  });

  describe('after a policy close', () => {
    it('tries again when another chart arrives', () => {
      const { hub, client, transport } = makeHub();
      hub.watch('BTC-USD', 60, () => {});
      greet(transport.last());
      transport.last().serverClose(1008, 'too many requests');
      expect(client.state).toBe('closed');
      hub.watch('ETH-USD', 60, () => {});
      expect(client.state).toBe('connecting');
      expect(transport.sockets).toHaveLength(2);
    });
  });

  describe('#close', () => {
    it('closes the client and stops deliveries', () => {
      const { hub, client, frame, pendingFrames } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      hub.close();
      expect(client.state).toBe('closed');
      expect(pendingFrames()).toBe(0);
      frame();
      expect(() => hub.watch('ETH-USD', 60, () => {})).toThrow(/closed/);
    });
  });

  it('names a bad option in a TypeError', () => {
    const client = new FeedClient({ url: 'ws://x', transport: fakeTransport().factory });
    expect(() => new FeedHub('ws://x', client, { maxBars: 0 })).toThrow(/maxBars/);
    expect(() => new FeedHub('ws://x', client, { syncDelayMs: -1 })).toThrow(/syncDelayMs/);
  });
});
