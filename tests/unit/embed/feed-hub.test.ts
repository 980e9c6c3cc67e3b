import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedClient } from '../../../lib/client/feed-client';
import type { EmbedChartState } from '../../../lib/embed/chart-watch';
import { FeedHub, type FeedHubOptions } from '../../../lib/embed/feed-hub';
import type { BarInterval } from '../../../lib/market/types';
import { ErrorCode } from '../../../lib/protocol';
import type { SubscribeMessage } from '../../../lib/protocol/messages';
import { BTC, ETH, bar, fakeTransport, greet, quote, trade, type FakeSocket } from '../client/fake-socket';

const SYNC_MS = 20;
const RESEED_MS = 2000;

/** A hub over a real FeedClient on a fake socket; chart states are delivered when `frame()` runs. */
function makeHub(options: Partial<FeedHubOptions> = {}) {
  const transport = fakeTransport();
  const client = new FeedClient({ url: 'ws://feed:8080', transport: transport.factory, random: () => 0, pingIntervalMs: 0 });
  let frames: Array<() => void> = [];
  const hub = new FeedHub('ws://feed:8080', client, {
    syncDelayMs: SYNC_MS,
    reseedSpacingMs: RESEED_MS,
    scheduler: (callback) => {
      frames.push(callback);
      return () => {
        frames = frames.filter((f) => f !== callback);
      };
    },
    diagnose: async (url) => ({ kind: 'feed-unreachable', message: `Cannot reach the Tickwire feed at ${url}.`, hint: 'Retrying automatically.' }),
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

const subscribes = (socket: FakeSocket) => socket.sentOf('subscribe').map((m) => ({ symbols: m.symbols.map((s) => s.symbol), interval: m.interval }));

/** Answers every subscribe not answered yet with ack + snapshot(s) at its interval, with bars. */
function answerAll(socket: FakeSocket, answered: Set<number>, seqById: Record<number, number> = {}): void {
  for (const request of socket.sentOf('subscribe')) {
    if (answered.has(request.requestId)) continue;
    answered.add(request.requestId);
    socket.deliver({ type: 'ack', requestId: request.requestId });
    for (const entry of request.symbols) {
      const id = entry.symbol === BTC.symbol ? BTC.id : ETH.id;
      const seq = seqById[id] ?? 10;
      socket.deliver(snapshotFor(request, id, seq));
    }
  }
}

function snapshotFor(request: SubscribeMessage, id: number, seq: number) {
  return {
    type: 'snapshot' as const, requestId: request.requestId, instrumentId: id, recovered: false, seq, interval: request.interval as BarInterval | 0,
    updates: [...(request.interval === 0 ? [] : [bar(id, seq, request.interval as 1 | 60 | 300)]), trade(id, seq - 1), quote(id, seq)],
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FeedHub', () => {
  describe('#watch', () => {
    it('subscribes each instrument once, at its first chart\'s interval, after seeding the other intervals', () => {
      const { hub, transport } = makeHub();
      hub.watch('BTC-USD', 60, () => {});
      hub.watch('BTC-USD', 300, () => {});
      hub.watch('ETH-USD', 60, () => {});
      hub.watch('BTC-USD', 60, () => {});
      greet(transport.last());
      vi.advanceTimersByTime(SYNC_MS);
      expect(subscribes(transport.last())).toEqual([
        { symbols: ['BTC-USD'], interval: 300 },
        { symbols: ['BTC-USD', 'ETH-USD'], interval: 60 },
      ]);
      expect(transport.sockets).toHaveLength(1);
    });

    it('delivers bars to every chart of an instrument, whatever interval the wire carries', () => {
      const { hub, transport, frame } = makeHub();
      const minute = recorder();
      const fiveMinutes = recorder();
      hub.watch('BTC-USD', 60, minute.listener);
      hub.watch('BTC-USD', 300, fiveMinutes.listener);
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      answerAll(socket, new Set());
      frame();
      expect(minute.last()?.status).toBe('ready');
      expect(minute.last()?.chart.bars.map((b) => b.interval)).toEqual([60]);
      expect(fiveMinutes.last()?.status).toBe('ready');
      expect(fiveMinutes.last()?.chart.bars.map((b) => b.interval)).toEqual([300]);
      // Live: the 1m bar comes from the wire, the 5m chart folds the trade itself.
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, 11, 6_100_000), bar(BTC.id, 11, 60)] });
      frame();
      expect(minute.last()?.lastPrice).toBe(6_100_000);
      expect(fiveMinutes.last()?.chart.bars.at(-1)?.close).toBe(6_100_000);
      expect(fiveMinutes.last()?.chart.bars.at(-1)?.seq).toBe(11);
    });

    it('hands each chart at most one state per frame however many batches arrive', () => {
      const { hub, transport, frame } = makeHub();
      const chart = recorder();
      hub.watch('BTC-USD', 60, chart.listener);
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      answerAll(socket, new Set());
      frame();
      const before = chart.states.length;
      for (let seq = 11; seq < 31; seq++) socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, seq), bar(BTC.id, seq, 60)] });
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
    it('unsubscribes an instrument when its last chart leaves', () => {
      const { hub, transport } = makeHub();
      const stopA = hub.watch('BTC-USD', 60, () => {});
      const stopB = hub.watch('BTC-USD', 60, () => {});
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      answerAll(socket, new Set());
      stopA();
      vi.advanceTimersByTime(SYNC_MS);
      expect(socket.sentOf('unsubscribe')).toEqual([]);
      stopB();
      vi.advanceTimersByTime(SYNC_MS);
      expect(socket.sentOf('unsubscribe').map((m) => m.symbols)).toEqual([['BTC-USD']]);
      expect(hub.watchCount).toBe(0);
    });

    it('moves the wire to a remaining chart\'s interval when the chart that set it leaves', () => {
      const { hub, transport } = makeHub();
      const stopMinute = hub.watch('BTC-USD', 60, () => {});
      hub.watch('BTC-USD', 300, () => {});
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      answerAll(socket, new Set());
      const sent = socket.sentOf('subscribe').length;
      stopMinute();
      vi.advanceTimersByTime(SYNC_MS);
      expect(subscribes(socket).slice(sent)).toEqual([{ symbols: ['BTC-USD'], interval: 300 }]);
    });
  });

  describe('seeds', () => {
    it('re-seeds a folding chart after a gap, at most once per reseedSpacingMs', () => {
      const { hub, transport } = makeHub();
      hub.watch('BTC-USD', 60, () => {});
      hub.watch('BTC-USD', 300, () => {});
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      const answered = new Set<number>();
      answerAll(socket, answered);
      const seedsOf = () => subscribes(socket).filter((s) => s.interval === (300 as BarInterval)).length;
      expect(seedsOf()).toBe(1);
      // A gap: the client resyncs at the wire interval with a snapshot too far ahead to fill it.
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, 50)] });
      vi.advanceTimersByTime(300);
      answerAll(socket, answered, { [BTC.id]: 500 });
      vi.advanceTimersByTime(SYNC_MS);
      expect(seedsOf()).toBe(1); // the first seed is too recent
      vi.advanceTimersByTime(RESEED_MS);
      expect(seedsOf()).toBe(2);
    });

    it('ends the seed of a chart that joins later at the wire interval, so the first chart keeps the feed\'s bars', () => {
      const { hub, client, transport, frame } = makeHub();
      const minute = recorder();
      hub.watch('BTC-USD', 60, minute.listener);
      const socket = transport.last();
      greet(socket);
      vi.advanceTimersByTime(SYNC_MS);
      const answered = new Set<number>();
      answerAll(socket, answered);
      const sent = socket.sentOf('subscribe').length;
      hub.watch('BTC-USD', 300, () => {});
      vi.advanceTimersByTime(SYNC_MS);
      // Before: only the 300 s seed went out, and the connection stayed at 300 s bars.
      expect(subscribes(socket).slice(sent)).toEqual([
        { symbols: ['BTC-USD'], interval: 300 },
        { symbols: ['BTC-USD'], interval: 60 },
      ]);
      answerAll(socket, answered);
      expect(client.subscriptions().symbols.get('BTC-USD')).toBe(60);
      // A live 1m bar from the wire is drawn as sent (not rebuilt here from the trade).
      socket.deliver({ type: 'batch', conflated: false, updates: [trade(BTC.id, 11, 6_100_000), bar(BTC.id, 11, 60)] });
      frame();
      expect(minute.last()?.chart.bars.at(-1)).toMatchObject({ seq: 11, close: 2, tradeCount: 3 });
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
      greet(transport.last(), 7);
      vi.advanceTimersByTime(SYNC_MS);
      answerAll(transport.last(), new Set());
      frame();
      const revision = chart.last()?.chart.revision ?? 0;
      transport.last().serverClose(1001, 'restart');
      vi.advanceTimersByTime(1000);
      greet(transport.last(), 8);
      frame();
      expect(chart.last()?.chart.bars).toEqual([]);
      expect(chart.last()?.chart.revision).toBeGreaterThan(revision);
      answerAll(transport.last(), new Set());
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
