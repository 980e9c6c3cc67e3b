import { describe, expect, it } from 'vitest';
import { BAR_INTERVALS, type MarketUpdate } from '../../lib/market/types';
import { ErrorCode, MessageType, SUBPROTOCOL_JSON } from '../../lib/protocol';
import type { BatchMessage, ServerMessage, SnapshotMessage } from '../../lib/protocol/messages';
import type { FeedService } from '../../server/feed-service';
import { gatewayFixture } from '../support/gateway-fixture';
import { RawClient, isType } from '../support/raw-client';

const { feed, connect } = gatewayFixture();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sequence numbers of trades and quotes per instrument, in arrival order, after each snapshot. */
function tickSeqs(messages: readonly ServerMessage[]): Map<number, number[]> {
  const seqs = new Map<number, number[]>();
  const push = (u: MarketUpdate) => {
    if (u.kind === 'bar' || u.kind === 'session') return;
    const list = seqs.get(u.instrumentId) ?? [];
    list.push(u.seq);
    seqs.set(u.instrumentId, list);
  };
  for (const m of messages) {
    if (m.type === 'snapshot') seqs.set(m.instrumentId, [m.seq]);
    if (m.type === 'batch') m.updates.forEach(push);
  }
  return seqs;
}

function expectContiguous(seqs: Map<number, number[]>): void {
  for (const [id, list] of seqs) {
    for (let i = 1; i < list.length; i++) {
      if (list[i] !== list[i - 1]! + 1) throw new Error(`instrument ${id}: seq ${list[i - 1]} followed by ${list[i]}`);
    }
  }
}

async function subscribed(url: string, symbols: string[], interval: 0 | 1 | 5 | 60 = 1): Promise<RawClient> {
  const client = await connect(url);
  await client.waitFor(isType('instruments'));
  client.send({
    type: 'subscribe',
    requestId: 1,
    all: false,
    interval,
    resumeEpoch: 0,
    symbols: symbols.map((symbol) => ({ symbol, lastSeq: 0 })),
  });
  await client.waitFor(isType('ack'));
  return client;
}

describe('Gateway', () => {
  describe('handshake', () => {
    it('refuses a browser Origin that is not allowed with HTTP 403 and a readable body', async () => {
      const service = await feed();
      const refused = await RawClient.connect(service.url, { origin: 'https://evil.example' }).catch(
        (e: { status: number; body: string }) => e,
      );
      expect(refused).toMatchObject({ status: 403 });
      expect((refused as { body: string }).body).toMatch(/Origin https:\/\/evil\.example is not allowed/);
    });

    it('accepts the dashboard origin and tools that send no Origin', async () => {
      const service = await feed();
      await expect(connect(service.url, { origin: 'http://localhost:3000' })).resolves.toBeInstanceOf(RawClient);
      await expect(connect(service.url)).resolves.toBeInstanceOf(RawClient);
    });

    it('accepts a browser whose origin was allowed as an address with a trailing slash or capitals', async () => {
      const service = await feed({ gateway: { allowedOrigins: ['https://charts.example.com/', 'HTTPS://Blog.Example.com'] } });
      await expect(connect(service.url, { origin: 'https://charts.example.com' })).resolves.toBeInstanceOf(RawClient);
      await expect(connect(service.url, { origin: 'https://blog.example.com' })).resolves.toBeInstanceOf(RawClient);
      await expect(RawClient.connect(service.url, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    });

    it('refuses a handshake offering no supported subprotocol, naming the supported ones', async () => {
      const service = await feed();
      const refused = await RawClient.connect(service.url, { protocol: 'graphql-ws' }).catch((e: { status: number; body: string }) => e);
      expect(refused).toMatchObject({ status: 426 });
      expect((refused as { body: string }).body).toContain('tickwire.v2, tickwire.v2.json');
    });

    it('greets with hello, the instrument table and venue status', async () => {
      const service = await feed();
      const client = await connect(service.url);
      const hello = await client.waitFor(isType('hello'));
      expect(hello).toMatchObject({ protocolVersion: 2, epoch: service.epoch, capabilities: ['history'], intervals: [...BAR_INTERVALS] });
      const table = await client.waitFor(isType('instruments'));
      expect(table.instruments).toHaveLength(10);
      expect(client.messages.map((m) => m.type).slice(0, 3)).toEqual(['hello', 'instruments', 'status']);
    });

    it('speaks the same messages as JSON text frames on tickwire.v2.json', async () => {
      const service = await feed();
      const client = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
      expect(client.ws.protocol).toBe(SUBPROTOCOL_JSON);
      const table = await client.waitFor(isType('instruments'));
      client.send({
        type: 'subscribe',
        requestId: 9,
        all: false,
        interval: 0,
        resumeEpoch: 0,
        symbols: [{ symbol: table.instruments[0]!.symbol, lastSeq: 0 }],
      });
      await client.waitFor(isType('batch'));
      expect(typeof client.frames.at(-1)).toBe('string');
      expect(JSON.parse(client.frames.at(-1) as string).type).toBe('batch');
    });
  });

  describe('subscribe', () => {
    it('answers ack and a snapshot, then live batches with no sequence gaps', async () => {
      const service = await feed();
      const symbols = service.bus
        .instruments()
        .slice(0, 3)
        .map((i) => i.symbol);
      const client = await subscribed(service.url, symbols, 1);
      const snapshots = await Promise.all([0, 1, 2].map(() => client.waitFor(isType('snapshot'))));
      expect(snapshots[0]!.recovered).toBe(false);
      await sleep(1500);
      const batches = client.messages.filter(isType('batch'));
      expect(batches.length).toBeGreaterThan(10);
      const updates = batches.flatMap((b) => b.updates);
      const ids = new Set(
        service.bus
          .instruments()
          .slice(0, 3)
          .map((i) => i.id),
      );
      expect(updates.every((u) => ids.has(u.instrumentId))).toBe(true);
      expect(updates.some((u) => u.kind === 'trade')).toBe(true);
      expect(updates.some((u) => u.kind === 'bar' && u.interval === 1)).toBe(true);
      expectContiguous(tickSeqs(client.messages));
    });

    it('answers an unknown instrument with an error for that request and stays open', async () => {
      const service = await feed();
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      client.send({
        type: 'subscribe',
        requestId: 42,
        all: false,
        interval: 0,
        resumeEpoch: 0,
        symbols: [{ symbol: 'NOPE-USD', lastSeq: 0 }],
      });
      const error = await client.waitFor(isType('error'));
      expect(error).toMatchObject({ requestId: 42, code: ErrorCode.UnknownInstrument });
      expect(error.message).toContain('NOPE-USD');
      client.send({ type: 'ping', nonce: 5, sentTimeUs: 123 });
      await expect(client.waitFor(isType('pong'))).resolves.toMatchObject({ nonce: 5, sentTimeUs: 123 });
    });

    it('resumes from a held position with recovered=true and exactly the missed ticks', async () => {
      const service = await feed();
      const symbol = service.bus.instruments()[0]!.symbol;
      const first = await subscribed(service.url, [symbol], 0);
      await sleep(400);
      const seqs = tickSeqs(first.messages).values().next().value as number[];
      const lastSeq = seqs.at(-1)!;
      first.ws.terminate();
      await sleep(500);
      const second = await connect(service.url);
      await second.waitFor(isType('instruments'));
      second.send({ type: 'subscribe', requestId: 2, all: false, interval: 0, resumeEpoch: service.epoch, symbols: [{ symbol, lastSeq }] });
      const snapshot = await second.waitFor(isType('snapshot'));
      expect(snapshot.recovered).toBe(true);
      const missed = snapshot.updates.map((u) => u.seq);
      expect(missed.length).toBeGreaterThan(0);
      expect(missed).toEqual(Array.from({ length: snapshot.seq - lastSeq }, (_, i) => lastSeq + 1 + i));
      await sleep(300);
      expectContiguous(tickSeqs(second.messages));
    });

    it('sends a fresh snapshot when the resume position is from an earlier epoch', async () => {
      const service = await feed();
      const symbol = service.bus.instruments()[0]!.symbol;
      const client = await connect(service.url);
      await client.waitFor(isType('instruments'));
      client.send({
        type: 'subscribe',
        requestId: 3,
        all: false,
        interval: 5,
        resumeEpoch: service.epoch - 1,
        symbols: [{ symbol, lastSeq: 10 }],
      });
      const snapshot: SnapshotMessage = await client.waitFor(isType('snapshot'));
      expect(snapshot.recovered).toBe(false);
      expect(snapshot.interval).toBe(5);
    });

    it('sends byte-identical batches to clients with the same subscription (encoded once)', async () => {
      const service = await feed();
      const a = await connect(service.url);
      const b = await connect(service.url);
      for (const c of [a, b]) c.send({ type: 'subscribe', requestId: 1, all: true, interval: 0, resumeEpoch: 0, symbols: [] });
      await sleep(800);
      const framesOf = (c: RawClient) =>
        new Set(
          c.frames
            .filter((f): f is Uint8Array => typeof f !== 'string' && f[0] === MessageType.Batch)
            .map((f) => Buffer.from(f).toString('hex')),
        );
      const fa = framesOf(a);
      const fb = framesOf(b);
      const shared = [...fb].filter((f) => fa.has(f));
      expect(shared.length).toBeGreaterThan(10);
      const stats = service.gateway.stats();
      expect(stats.batchesSent).toBeGreaterThanOrEqual(2 * stats.batchesAssembled - 2);
    });
  });

  describe('misbehaving clients', () => {
    async function withBystander(service: FeedService): Promise<() => Promise<void>> {
      const symbol = service.bus.instruments()[0]!.symbol;
      const bystander = await subscribed(service.url, [symbol], 0);
      return async () => {
        const before = bystander.messages.length;
        await bystander.waitFor(isType('batch'), 3000, before);
        expect(bystander.closeCode).toBeUndefined();
      };
    }

    it.each([
      { name: 'a truncated subscribe', frame: new Uint8Array([MessageType.Subscribe, 1]), binary: true, code: 1007 },
      { name: 'an unknown message type', frame: new Uint8Array([0x7f, 0, 0]), binary: true, code: 1002 },
      { name: 'a server-only message type', frame: new Uint8Array([MessageType.Hello, 1]), binary: true, code: 1002 },
      { name: 'a text frame on the binary protocol', frame: '{"type":"ping"}', binary: false, code: 1003 },
    ])('closes on $name with $code while another client keeps receiving', async ({ frame, binary, code }) => {
      const service = await feed();
      const stillReceiving = await withBystander(service);
      const bad = await connect(service.url);
      bad.sendRaw(frame, binary);
      expect(await bad.closed).toBe(code);
      await stillReceiving();
    });

    it('closes 1009 on a message over the size limit', async () => {
      const service = await feed();
      const stillReceiving = await withBystander(service);
      const bad = await connect(service.url);
      bad.sendRaw(new Uint8Array(64 * 1024));
      expect(await bad.closed).toBe(1009);
      await stillReceiving();
    });

    it('closes 1008 when subscribe requests exceed the rate limit', async () => {
      const service = await feed({ gateway: { requestBurst: 5, requestRatePerSec: 1 } });
      const stillReceiving = await withBystander(service);
      const bad = await connect(service.url);
      const symbol = service.bus.instruments()[1]!.symbol;
      for (let i = 0; i < 20; i++)
        bad.send({ type: 'subscribe', requestId: i + 1, all: false, interval: 0, resumeEpoch: 0, symbols: [{ symbol, lastSeq: 0 }] });
      expect(await bad.closed).toBe(1008);
      await stillReceiving();
    });
  });

  describe('slow consumers', () => {
    it('conflates a client that stops reading, then closes it 1013, while another keeps its latency', async () => {
      const service = await feed({
        simulated: { instruments: 50, ratePerInstrument: 200 },
        gateway: { softBufferLimitBytes: 32 * 1024, hardBufferLimitBytes: 1024 * 1024, maxConflatedMs: 1500 },
      });
      const healthy = await connect(service.url);
      // JSON frames are larger, so the kernel's socket buffers (megabytes on loopback) fill sooner.
      const slow = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
      for (const c of [healthy, slow]) c.send({ type: 'subscribe', requestId: 1, all: true, interval: 1, resumeEpoch: 0, symbols: [] });
      await healthy.waitFor(isType('batch'));
      slow.pauseReading();
      await slow.until(() => service.gateway.stats().conflating === 1, 15_000, 'the slow client to be conflated');
      await slow.until(() => service.gateway.stats().closedSlow === 1, 10_000, 'the slow client to be closed');
      slow.resumeReading();
      expect(await slow.closed).toBe(1013);
      expect(slow.closeReason).toMatch(/slow consumer/);

      // The healthy client saw every tick, in order, with fresh data throughout.
      expectContiguous(tickSeqs(healthy.messages));
      const lags: number[] = [];
      healthy.messages.forEach((m, i) => {
        if (m.type !== 'batch') return;
        for (const u of (m as BatchMessage).updates) if (u.kind !== 'bar') lags.push(healthy.receivedAtMs[i]! - u.receiveTimeUs / 1000);
      });
      lags.sort((x, y) => x - y);
      expect(lags.length).toBeGreaterThan(1000);
      // Generous bounds so a busy CI machine does not flake; a gateway that waited on the slow
      // client would stall the healthy one for the whole episode (seconds), which these catch.
      expect(lags[Math.floor(lags.length * 0.99)]!).toBeLessThan(500);
      const batchTimes = healthy.receivedAtMs.filter((_, i) => healthy.messages[i]!.type === 'batch');
      const longestSilence = Math.max(...batchTimes.slice(1).map((t, i) => t - batchTimes[i]!));
      expect(longestSilence).toBeLessThan(500);
    });

    it('sends a conflated batch when a backed-up client drains', async () => {
      const service = await feed({
        simulated: { instruments: 50, ratePerInstrument: 200 },
        gateway: { softBufferLimitBytes: 32 * 1024, maxConflatedMs: 20_000 },
      });
      const slow = await connect(service.url, { protocol: SUBPROTOCOL_JSON });
      slow.send({ type: 'subscribe', requestId: 1, all: true, interval: 1, resumeEpoch: 0, symbols: [] });
      await slow.waitFor(isType('batch'));
      slow.pauseReading();
      await slow.until(() => service.gateway.stats().conflating === 1, 15_000, 'conflation');
      slow.resumeReading();
      const conflated = await slow.waitFor((m): m is BatchMessage => m.type === 'batch' && m.conflated, 10_000);
      expect(conflated.updates.some((u) => u.kind === 'quote')).toBe(true);
      expect(conflated.updates.some((u) => u.kind === 'bar')).toBe(true);
      expect(slow.closeCode).toBeUndefined();
    });
  });

  describe('shutdown and health', () => {
    it('closes every client with 1001 on shutdown', async () => {
      const service = await feed();
      const client = await subscribed(service.url, [service.bus.instruments()[0]!.symbol]);
      await service.close();
      expect(await client.closed).toBe(1001);
    });

    it('settles a second close() only when the clients are closed, like the first', async () => {
      const service = await feed();
      const client = await subscribed(service.url, [service.bus.instruments()[0]!.symbol]);
      let clientClosed = false;
      void client.closed.then(() => (clientClosed = true));
      const first = service.gateway.close();
      await service.gateway.close();
      expect(clientClosed).toBe(true);
      await first;
      expect(await client.closed).toBe(1001);
    });

    it('reports adapters, instruments, clients and uptime on GET /healthz', async () => {
      const service = await feed();
      await connect(service.url);
      const res = await fetch(`http://127.0.0.1:${service.port}/healthz`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ status: 'ok', instruments: 10, clients: 1, epoch: service.epoch });
      expect(body.adapters).toEqual([
        expect.objectContaining({
          venue: 'SIM',
          state: 'live',
          reason: '',
          adapter: 'simulated',
          phase: 'running',
          restarts: 0,
          rejected: {},
        }),
      ]);
      expect(typeof body.uptimeSec).toBe('number');
    });
  });
});
