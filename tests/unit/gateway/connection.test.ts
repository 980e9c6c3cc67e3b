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
  const conn = new Connection(socket as unknown as ConnectionSocket, JSON_CODEC, '127.0.0.1:1', 0, nowMs, { requestBurst: 2, requestRatePerSec: 1 });
  return { conn, socket };
}

const LIMITS = { softBufferLimitBytes: 1000, hardBufferLimitBytes: 10_000, hardLimitGraceMs: 2000, maxConflatedMs: 10_000 };

describe('Connection', () => {
  describe('subscriptions', () => {
    it('gives connections with the same subscriptions the same key, whatever the order they were made in', () => {
      const a = connection().conn;
      const b = connection().conn;
      a.subscribe([1], 60);
      a.subscribe([2], 0);
      b.subscribe([2], 0);
      b.subscribe([1], 60);
      expect(a.key).toBe(b.key);
      b.unsubscribe([2]);
      expect(a.key).not.toBe(b.key);
    });

    it('answers which interval an instrument is wanted with, by name before `all`', () => {
      const { conn } = connection();
      conn.subscribeAll(0);
      conn.subscribe([3], 60);
      expect([conn.intervalFor(3), conn.intervalFor(4), conn.subscriptionCount()]).toEqual([60, 0, 2]);
      conn.unsubscribeAll();
      expect([conn.wants(3), conn.wants(4), conn.subscriptionCount()]).toEqual([false, false, 0]);
    });
  });

  describe('slow consumer', () => {
    it('keeps the policy state between flushes and remembers only wanted instruments as dirty', () => {
      const { conn, socket } = connection();
      conn.subscribe([1, 2], 0);
      socket.bufferedAmount = 5000;
      expect(conn.checkBuffer(0, LIMITS)).toEqual({ kind: 'hold', entered: true });
      conn.markDirty([1, 2, 9]);
      expect(conn.consumerState).toBe(ConsumerState.Conflating);
      expect(conn.checkBuffer(25, LIMITS)).toEqual({ kind: 'hold', entered: false });
      conn.unsubscribe([2]);
      socket.bufferedAmount = 0;
      expect(conn.checkBuffer(50, LIMITS)).toEqual({ kind: 'send-conflated' });
      expect(conn.takeDirty()).toEqual([1]);
      expect(conn.isDirty(1)).toBe(false);
      expect(conn.consumerState).toBe(ConsumerState.Normal);
    });

    it('drops what is owed for an instrument subscribed again (its snapshot supersedes it)', () => {
      const { conn } = connection();
      conn.subscribe([1], 0);
      conn.markDirty([1]);
      conn.subscribe([1], 60);
      expect(conn.isDirty(1)).toBe(false);
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
      expect([conn.takeRequestToken(0), conn.takeRequestToken(0), conn.takeRequestToken(0), conn.takeRequestToken(1000)]).toEqual([true, true, false, true]);
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
