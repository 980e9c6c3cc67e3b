/**
 * Hostile and careless clients over real sockets: each must end in the close code docs/protocol.md
 * documents (or a plain error reply), without an uncaught exception and without disturbing a
 * bystander client on the same gateway.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError, SUBPROTOCOL_JSON, codecFor } from '../../lib/protocol';
import type { BatchMessage } from '../../lib/protocol/messages';
import type { AdapterSink, FeedAdapter } from '../../server/adapters/types';
import type { FeedService } from '../../server/feed-service';
import type { Session } from '../../server/gateway/session';
import { gatewayFixture } from '../support/gateway-fixture';
import { type RawClient, isType } from '../support/raw-client';

const { feed, connect } = gatewayFixture();

/** Resolves with the close code, or 'open' when the socket is still open after `ms`. */
function closedWithin(client: RawClient, ms: number): Promise<number | 'open'> {
  return Promise.race([client.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);
}

/** A client subscribed to the first instrument; the returned check asserts it still gets batches. */
async function bystander(service: FeedService): Promise<() => Promise<void>> {
  const client = await connect(service.url);
  await client.waitFor(isType('instruments'));
  client.send({ type: 'subscribe', requestId: 1, all: false, interval: 0, resumeEpoch: 0, symbols: [{ symbol: service.bus.instruments()[0]!.symbol, lastSeq: 0 }] });
  await client.waitFor(isType('ack'));
  return async () => {
    await client.waitFor(isType('batch'), 3000, client.messages.length);
    expect(client.closeCode).toBeUndefined();
  };
}

describe('Gateway with hostile clients', () => {
  describe('close reasons', () => {
    it('closes with the error close code when the error message quotes long non-ASCII client text', async () => {
      const service = await feed();
      const stillReceiving = await bystander(service);
      const bad = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
      await bad.waitFor(isType('instruments'));
      const frame = JSON.stringify({ type: '€'.repeat(60) });
      let expected: ProtocolError | undefined;
      try {
        codecFor(SUBPROTOCOL_JSON)!.decodeClient(frame);
      } catch (err) {
        expected = err as ProtocolError;
      }
      expect(expected).toBeInstanceOf(ProtocolError);
      bad.sendRaw(frame, false);
      expect(await closedWithin(bad, 3000)).toBe(expected!.closeCode);
      expect(expected!.message.startsWith(bad.closeReason)).toBe(true);
      expect(Buffer.byteLength(bad.closeReason)).toBeLessThanOrEqual(123);
      await stillReceiving();
    });
  });
  describe('subscribe', () => {
    it('sends one snapshot per instrument when a request names the same instrument many times', async () => {
      const service = await feed();
      const full = service.bus.instruments()[0]!.symbol;
      const bare = full.split(':')[1]!;
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      client.send({ type: 'subscribe', requestId: 1, all: false, interval: 1, resumeEpoch: 0, symbols: [{ symbol: full, lastSeq: 0 }] });
      await client.waitFor(isType('ack'));
      const symbols = [...Array.from({ length: 500 }, () => ({ symbol: bare, lastSeq: 0 })), { symbol: full, lastSeq: 0 }];
      client.send({ type: 'subscribe', requestId: 2, all: false, interval: 1, resumeEpoch: 0, symbols });
      client.send({ type: 'ping', nonce: 7, sentTimeUs: 1 });
      await client.waitFor(isType('pong'));
      const snapshots = client.messages.filter((m) => m.type === 'snapshot' && m.requestId === 2);
      expect(snapshots).toHaveLength(1);
    });

    it('counts a repeated name once against the per-connection subscription limit', async () => {
      const service = await feed({ gateway: { maxSubscriptionsPerConnection: 2 } });
      const [a, b] = service.bus.instruments().map((i) => i.symbol);
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      client.send({ type: 'subscribe', requestId: 1, all: false, interval: 0, resumeEpoch: 0, symbols: [a!, a!, b!].map((symbol) => ({ symbol, lastSeq: 0 })) });
      const answer = await client.waitFor((m): m is Extract<typeof m, { type: 'ack' | 'error' }> => m.type === 'ack' || m.type === 'error');
      expect(answer.type).toBe('ack');
      client.send({ type: 'ping', nonce: 9, sentTimeUs: 1 });
      await client.waitFor(isType('pong'));
      expect(client.messages.filter(isType('snapshot')).map((m) => m.instrumentId)).toEqual(service.bus.instruments().slice(0, 2).map((i) => i.id));
    });
  });
  describe('pong', () => {
    it('measures round-trip time with its own clock, not the time a client echoes back', async () => {
      const service = await feed({ gateway: { wsPingIntervalMs: 100 } });
      const client = await connect(service.url);
      // Answered before any ping was sent: nothing to measure.
      client.send({ type: 'pong', nonce: 0, sentTimeUs: 0 });
      const ping = await client.waitFor(isType('ping'));
      expect(service.gateway.stats().rttMsAvg).toBeUndefined();
      // A forged send time of 0 would claim a round trip of some 55 years.
      client.send({ type: 'pong', nonce: ping.nonce, sentTimeUs: 0 });
      await client.until(() => service.gateway.stats().rttMsAvg !== undefined, 3000, 'an RTT');
      expect(service.gateway.stats().rttMsAvg!).toBeLessThan(2000);
    });
  });
  describe('error counters', () => {
    it('counts a malformed message as a protocol close but not a send that failed because the peer left', async () => {
      const service = await feed();
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      const [session] = (service.gateway as unknown as { sessions: Set<Session> }).sessions;
      // What ws emits when a write to a vanished peer fails (its senderOnError).
      session!.ws.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      expect(service.gateway.stats().closedProtocol).toBe(0);
      client.ws.send(Buffer.from([0xff, 0x00]));
      await client.closed;
      expect(service.gateway.stats().closedProtocol).toBe(1);
    });
  });

  describe('slow consumers', () => {
    /** The gateway's sessions (private), to simulate a backed-up socket without filling kernel buffers. */
    const sessionsOf = (service: FeedService): Set<Session> => (service.gateway as unknown as { sessions: Set<Session> }).sessions;

    it('closes 1013 at once a client that subscribes while past the hard limit, instead of queueing its snapshots', async () => {
      // A grace period far beyond the test: only the subscribe can close the client in time.
      const service = await feed({ gateway: { softBufferLimitBytes: 1000, hardBufferLimitBytes: 100_000, hardLimitGraceMs: 60_000, maxConflatedMs: 60_000 } });
      const stillReceiving = await bystander(service);
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      client.send({ type: 'subscribe', requestId: 1, all: true, interval: 60, resumeEpoch: 0, symbols: [] });
      await client.waitFor(isType('ack'));
      const session = [...sessionsOf(service)].find((s) => s.all !== undefined);
      let buffered = 50_000; // past the soft limit only: still answered
      session!.bufferedBytes = () => buffered;
      client.send({ type: 'subscribe', requestId: 2, all: true, interval: 60, resumeEpoch: 0, symbols: [] });
      await client.waitFor((m): m is Extract<typeof m, { type: 'ack' }> => m.type === 'ack' && m.requestId === 2);
      buffered = 200_000;
      const sentBefore = session!.sentMessages;
      client.send({ type: 'subscribe', requestId: 3, all: true, interval: 60, resumeEpoch: 0, symbols: [] });
      expect(await closedWithin(client, 2000)).toBe(1013);
      expect(client.closeReason).toMatch(/slow consumer: subscribe/);
      // Nothing was queued for the refused request: no ack, no snapshots.
      expect(session!.sentMessages).toBe(sentBefore);
      expect(service.gateway.stats().closedSlow).toBe(1);
      await stillReceiving();
    });

    it('sends nothing for an instrument unsubscribed while the client was conflated', async () => {
      const service = await feed({ gateway: { softBufferLimitBytes: 1000, hardBufferLimitBytes: 1_000_000, maxConflatedMs: 60_000 } });
      const [a, b] = service.bus.instruments();
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      client.send({ type: 'subscribe', requestId: 1, all: false, interval: 0, resumeEpoch: 0, symbols: [a!, b!].map((i) => ({ symbol: i.symbol, lastSeq: 0 })) });
      await client.waitFor(isType('batch'));
      const [session] = sessionsOf(service);
      let backedUp = true;
      session!.bufferedBytes = () => (backedUp ? 5000 : 0);
      await client.until(() => session!.dirty.has(a!.id) && session!.dirty.has(b!.id), 5000, 'both instruments to change while conflated');
      client.send({ type: 'unsubscribe', requestId: 2, all: false, symbols: [a!.symbol] });
      await client.waitFor((m): m is Extract<typeof m, { type: 'ack' }> => m.type === 'ack' && m.requestId === 2);
      backedUp = false;
      const conflated = await client.waitFor((m): m is Extract<typeof m, { type: 'batch' }> => m.type === 'batch' && m.conflated, 5000);
      expect(conflated.updates.some((u) => u.instrumentId === b!.id)).toBe(true);
      expect(conflated.updates.filter((u) => u.instrumentId === a!.id)).toEqual([]);
    });
    it('leaves no sequence gap when the last trade while conflated was a late trade of the previous UTC day', async () => {
      // A venue's trades, emitted when the test says: one just after the last UTC midnight, then one
      // just before it arriving late (both hours old, within the normaliser's 24 h).
      let sink: AdapterSink | undefined;
      const manual: FeedAdapter = {
        name: 'manual',
        venue: 'MAN',
        async start(s) {
          sink = s;
          s.instruments([{ symbol: 'X', priceDecimals: 2, sizeDecimals: 0 }]);
          s.status('live');
        },
        async stop() {},
      };
      const midnightUs = Math.floor(Date.now() / 86_400_000) * 86_400_000_000;
      const trade = (eventTimeUs: number, price: string) => sink!.trade({ symbol: 'X', price, size: '1', side: 'buy', eventTimeUs });
      const service = await feed({ adapters: [manual], gateway: { softBufferLimitBytes: 1000, hardBufferLimitBytes: 1_000_000, maxConflatedMs: 60_000 } });
      const id = service.bus.instruments()[0]!.id;
      const flushed = (ticks: number) => () => service.health().history.ticks === ticks;
      trade(midnightUs + 1_000_000, '10.00');
      const client = await connect(service.url);
      await client.until(flushed(1), 5000, 'the first trade to reach history');
      await client.waitFor(isType('instruments'));
      client.send({ type: 'subscribe', requestId: 1, all: false, interval: 60, resumeEpoch: 0, symbols: [{ symbol: 'MAN:X', lastSeq: 0 }] });
      const snapshot = await client.waitFor(isType('snapshot'));
      expect(snapshot.seq).toBe(1);
      const [session] = sessionsOf(service);
      let backedUp = true;
      session!.bufferedBytes = () => (backedUp ? 5000 : 0);
      trade(midnightUs + 2_000_000, '10.50');
      trade(midnightUs - 500_000, '9.00');
      await client.until(() => flushed(3)() && session!.dirty.has(id), 5000, 'both trades to be flushed while conflated');
      backedUp = false;
      const conflated = await client.waitFor((m): m is BatchMessage => m.type === 'batch' && m.conflated, 5000);
      const position = Math.max(...conflated.updates.filter((u) => u.instrumentId === id).map((u) => u.seq));
      expect(position).toBe(3);
      trade(midnightUs + 3_000_000, '11.00');
      const next = await client.waitFor((m): m is BatchMessage => m.type === 'batch' && !m.conflated, 5000, client.messages.indexOf(conflated) + 1);
      expect(next.updates.find((u) => u.kind === 'trade')?.seq).toBe(position + 1);
    });

      it('leaves no sequence gap for instruments that changed only in the flush that ended conflation', async () => {
      const service = await feed({ simulated: { instruments: 30, ratePerInstrument: 20 }, gateway: { softBufferLimitBytes: 1000, hardBufferLimitBytes: 1_000_000 } });
      const client = await connect(service.url);
      client.send({ type: 'subscribe', requestId: 1, all: true, interval: 0, resumeEpoch: 0, symbols: [] });
      await client.waitFor(isType('batch'));
      const [session] = sessionsOf(service);
      // Thirty short episodes, each backed up for exactly one flush; at 20 ticks/s an instrument often
      // ticks in the flush that ends an episode but not in the one before.
      for (let episode = 0; episode < 30; episode++) {
        let calls = 0;
        session!.bufferedBytes = () => (calls++ === 0 ? 5000 : 0);
        const from = client.messages.length;
        await client.waitFor((m): m is Extract<typeof m, { type: 'batch' }> => m.type === 'batch' && m.conflated, 3000, from);
      }
      const conflatedAt = client.messages.length;
      await client.waitFor(isType('batch'), 3000, conflatedAt);
      // Per docs/protocol.md 2.4-2.5: after a conflated batch the client's last seq is the highest
      // seq in it; in a normal batch every trade or quote must then be last + 1.
      const last = new Map<number, number>();
      const gaps: string[] = [];
      for (const m of client.messages) {
        if (m.type === 'snapshot') last.set(m.instrumentId, m.seq);
        if (m.type !== 'batch') continue;
        if (m.conflated) {
          for (const u of m.updates) last.set(u.instrumentId, Math.max(last.get(u.instrumentId) ?? 0, u.seq));
          continue;
        }
        for (const u of m.updates) {
          if (u.kind === 'bar') continue;
          const before = last.get(u.instrumentId);
          if (before !== undefined && u.seq !== before + 1) gaps.push(`instrument ${u.instrumentId}: ${before} -> ${u.seq}`);
          last.set(u.instrumentId, u.seq);
        }
      }
      expect(gaps).toEqual([]);
    });
  });
});
