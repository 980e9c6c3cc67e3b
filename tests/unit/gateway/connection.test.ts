import { describe, expect, it } from 'vitest';
import { JSON_CODEC } from '../../../lib/protocol';
import type { ServerMessage } from '../../../lib/protocol/messages';
import { Connection, type ConnectionSocket } from '../../../server/gateway/connection';
import { PingRota } from '../../../server/gateway/ping-schedule';
import { ConsumerState } from '../../../server/gateway/slow-consumer-policy';

/** A socket that records what a connection does with it; `bufferedAmount` is set by the test. */
class FakeSocket {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: ServerMessage[] = [];
  pings = 0;
  closedWith: [number, string] | undefined;
  terminated = false;
  send(data: string): void {
    this.sent.push(JSON_CODEC.decodeServer(data));
  }
  ping(): void {
    this.pings++;
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
  }
  terminate(): void {
    this.terminated = true;
  }
  once(): this {
    return this;
  }
}

function connection(nowMs = 0): { conn: Connection; socket: FakeSocket } {
  const socket = new FakeSocket();
  const conn = new Connection(socket as unknown as ConnectionSocket, JSON_CODEC, '127.0.0.1:1', 0, nowMs, {
    requestBurst: 2,
    requestRatePerSec: 1,
  });
  return { conn, socket };
}

const LIMITS = { softBufferLimitBytes: 1000, hardBufferLimitBytes: 10_000, hardLimitGraceMs: 2000, maxConflatedMs: 10_000 };

describe('Connection', () => {
  describe('subscriptions', () => {
    it('gives connections holding the same pairs the same key, whatever the order they were added in', () => {
      const a = connection().conn;
      const b = connection().conn;
      a.subscribePairs([1], 60);
      a.subscribePairs([1, 2], 0);
      a.subscribeAll(5);
      b.subscribeAll(5);
      b.subscribePairs([2, 1], 0);
      b.subscribePairs([1], 60);
      expect(a.key).toBe(b.key);
      b.unsubscribePairs([1], 60);
      expect(a.key).not.toBe(b.key);
      a.unsubscribePairs([1], 60);
      a.unsubscribeAll(5);
      expect(a.key).not.toBe(b.key);
    });

    it('holds several intervals of one instrument, and the bar intervals of every `all` pair for each instrument', () => {
      const { conn } = connection();
      conn.subscribePairs([3], 60);
      conn.subscribePairs([3], 1);
      conn.subscribePairs([3], 0);
      expect(conn.barIntervalsFor(3)).toEqual([1, 60]);
      expect(conn.barIntervalsFor(4)).toBeUndefined();
      conn.subscribeAll(0);
      conn.subscribeAll(300);
      conn.subscribeAll(60);
      expect([conn.barIntervalsFor(3), conn.barIntervalsFor(4)]).toEqual([
        [1, 60, 300],
        [60, 300],
      ]);
      expect(conn.subscriptionCount()).toBe(6);
      conn.unsubscribeAll(300);
      conn.unsubscribeAll(60);
      conn.unsubscribeAll(0);
      expect([conn.wants(3), conn.wants(4), conn.subscriptionCount()]).toEqual([true, false, 3]);
      conn.unsubscribePairs([3], 0);
      expect(conn.barIntervalsFor(3)).toEqual([1, 60]);
    });

    it('says whether the ticks of an instrument already flow on a pair other than the one named', () => {
      const { conn } = connection();
      expect(conn.holdsOtherPair(1, { all: false, interval: 60 })).toBe(false);
      conn.subscribePairs([1], 60);
      expect(conn.holdsOtherPair(1, { all: false, interval: 60 })).toBe(false);
      expect(conn.holdsOtherPair(1, { all: false, interval: 0 })).toBe(true);
      expect(conn.holdsOtherPair(1, { all: true, interval: 60 })).toBe(true);
      expect(conn.holdsOtherPair(2, { all: true, interval: 60 })).toBe(false);
      conn.subscribeAll(60);
      expect(conn.holdsOtherPair(2, { all: true, interval: 60 })).toBe(false);
      expect(conn.holdsOtherPair(2, { all: true, interval: 5 })).toBe(true);
      // A pair by name under `all` still gets a full snapshot (all's are light: one trade).
      expect(conn.holdsOtherPair(2, { all: false, interval: 5 })).toBe(false);
      conn.subscribePairs([2], 60);
      expect(conn.holdsOtherPair(2, { all: false, interval: 5 })).toBe(true);
    });
  });

  describe('slow consumer', () => {
    it('keeps the policy state between flushes and remembers only wanted instruments as dirty', () => {
      const { conn, socket } = connection();
      conn.subscribePairs([1, 2], 0);
      socket.bufferedAmount = 5000;
      expect(conn.checkBuffer(0, LIMITS)).toEqual({ kind: 'hold', entered: true });
      conn.markDirty([1, 2, 9]);
      expect(conn.consumerState).toBe(ConsumerState.Conflating);
      expect(conn.checkBuffer(25, LIMITS)).toEqual({ kind: 'hold', entered: false });
      conn.unsubscribePairs([2], 0);
      socket.bufferedAmount = 0;
      expect(conn.checkBuffer(50, LIMITS)).toEqual({ kind: 'send-conflated' });
      expect(conn.takeDirty()).toEqual([1]);
      expect(conn.isDirty(1)).toBe(false);
      expect(conn.consumerState).toBe(ConsumerState.Normal);
    });

    it('drops what is owed for an instrument once a full snapshot of it was sent, or it is no longer wanted', () => {
      const { conn } = connection();
      conn.subscribePairs([1, 2], 0);
      conn.subscribePairs([2], 60);
      conn.markDirty([1, 2]);
      conn.snapshotSent([1]);
      conn.unsubscribePairs([2], 0);
      expect([conn.isDirty(1), conn.isDirty(2)]).toEqual([false, true]);
      conn.unsubscribePairs([2], 60);
      expect(conn.isDirty(2)).toBe(false);
    });
  });

  describe('liveness', () => {
    it('pings, and refuses the next ping when the WebSocket pong never came', () => {
      const { conn, socket } = connection();
      expect(conn.ping(1000)).toBe(true);
      expect(socket.pings).toBe(1);
      expect(socket.sent.at(-1)).toEqual({ type: 'ping', nonce: 1, sentTimeUs: 1_000_000 });
      expect(conn.ping(2000)).toBe(false);
      conn.markAlive();
      expect(conn.ping(3000)).toBe(true);
      expect(socket.sent.at(-1)).toMatchObject({ nonce: 2 });
    });

    it('measures round-trip time from its own send time, for the first answer to the latest ping only', () => {
      const { conn } = connection();
      conn.markPongReceived(0, 5_000_000);
      expect(conn.rttMs).toBeUndefined();
      conn.ping(1000);
      conn.markPongReceived(99, 1_040_000);
      expect(conn.rttMs).toBeUndefined();
      conn.markPongReceived(1, 1_040_000);
      expect(conn.rttMs).toBe(40);
      conn.markPongReceived(1, 9_000_000);
      expect(conn.rttMs).toBe(40);
    });
  });

  describe('sending and closing', () => {
    it('counts what it sends and sends nothing once closing, with a reason cut to 123 bytes', () => {
      const { conn, socket } = connection();
      conn.send({ type: 'heartbeat', serverTimeUs: 1 }, 10);
      expect([conn.sentMessages, conn.lastSentMs]).toEqual([1, 10]);
      conn.close(1013, '€'.repeat(100));
      conn.send({ type: 'heartbeat', serverTimeUs: 2 }, 20);
      expect(socket.sent).toHaveLength(1);
      expect(conn.closing).toBe(true);
      expect(Buffer.byteLength(socket.closedWith![1])).toBeLessThanOrEqual(123);
    });

    it('takes request tokens from its own bucket', () => {
      const { conn } = connection();
      expect([conn.takeRequestToken(0), conn.takeRequestToken(0), conn.takeRequestToken(0), conn.takeRequestToken(1000)]).toEqual([
        true,
        true,
        false,
        true,
      ]);
    });
  });
});

describe('PingRota', () => {
  it('deals connections into slots round-robin and pings one slot per tick, in turn', () => {
    const rota = new PingRota(1000);
    expect(rota.slots).toBe(4);
    expect(Array.from({ length: 6 }, () => rota.assignSlot())).toEqual([0, 1, 2, 3, 0, 1]);
    expect(Array.from({ length: 6 }, () => rota.nextSlot())).toEqual([0, 1, 2, 3, 0, 1]);
  });
});
