/**
 * NatsBus against a real nats-server with JetStream: one publisher and two subscribers on separate
 * connections in this process.
 */
import { RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssetClass, Side, type Instrument } from '../../lib/market/types';
import type { VenueStatus } from '../../lib/protocol/messages';
import { NatsBus } from '../../server/bus/nats-bus';
import type { Tick } from '../../server/bus/types';
import { startNatsServer, type NatsServer } from '../support/nats-server';

let server: NatsServer;
const buses: NatsBus[] = [];

beforeAll(async () => {
  server = await startNatsServer();
}, 15_000);
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await server?.dispose();
});

const INSTRUMENTS: readonly Instrument[] = [
  { id: 1, symbol: 'BTC-USD', venue: 'SIM', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 8 },
  { id: 2, symbol: 'ETH-USD', venue: 'SIM', assetClass: AssetClass.Crypto, priceDecimals: 2, sizeDecimals: 6 },
  { id: 3, symbol: 'EURUSD', venue: 'FX', assetClass: AssetClass.Fx, priceDecimals: 5, sizeDecimals: 0 },
];
const STATUS: readonly VenueStatus[] = [
  { venue: 'SIM', state: 'live', reason: '' },
  { venue: 'FX', state: 'stale', reason: 'no data for 5 s' },
];

function tick(instrumentId: number, seq: number): Tick {
  const time = 1_700_000_000_000_000 + seq * 1000;
  if (seq % 3 === 0) {
    return {
      kind: 'quote',
      instrumentId,
      seq,
      eventTimeUs: time,
      receiveTimeUs: time + 7,
      bid: 100 + seq,
      bidSize: 5,
      ask: 101 + seq,
      askSize: 6,
    };
  }
  return {
    kind: 'trade',
    instrumentId,
    seq,
    eventTimeUs: time,
    receiveTimeUs: time + 3,
    price: 2 ** 53 - 1 - seq,
    size: seq,
    side: seq % 2 === 0 ? Side.Buy : Side.Sell,
    tradeId: seq % 2 === 0 ? seq : `t-${seq}`,
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function names(prefix: string) {
  return { servers: server.url, stream: `${prefix}_TICKS`, subjectPrefix: `${prefix.toLowerCase()}.tick`, bucket: `${prefix}_state` };
}

describe('NatsBus', () => {
  it('delivers every tick to two subscribers in order, with the table, status and epoch published before they joined', async () => {
    const opts = names('FANOUT');
    const publisher = await NatsBus.publisher({ ...opts, epoch: 4242 });
    buses.push(publisher);
    expect(publisher.epoch).toBe(4242);
    publisher.publishInstruments(INSTRUMENTS);
    publisher.publishStatus(STATUS);
    await publisher.flushed();

    const subscribers = [await NatsBus.subscriber(opts), await NatsBus.subscriber(opts)];
    buses.push(...subscribers);
    const received: Tick[][] = subscribers.map(() => []);
    subscribers.forEach((s, i) => s.onTicks((ticks) => received[i]?.push(...ticks)));
    for (const s of subscribers) {
      expect(s.epoch).toBe(4242);
      expect(s.instruments()).toEqual(INSTRUMENTS);
      expect(s.status()).toEqual(STATUS);
    }

    // A second publisher (an ingest restart racing the first) reads the stored epoch.
    const second = await NatsBus.publisher({ ...opts, epoch: 9999 });
    buses.push(second);
    expect(second.epoch).toBe(4242);

    const published: Tick[] = [];
    const nextSeq = new Map<number, number>();
    for (let turn = 0; turn < 20; turn++) {
      const batch: Tick[] = [];
      for (let i = 0; i < 15; i++) {
        const id = ((turn + i) % 3) + 1;
        const seq = (nextSeq.get(id) ?? 0) + 1;
        nextSeq.set(id, seq);
        batch.push(tick(id, seq));
      }
      publisher.publishTicks(batch);
      published.push(...batch);
      if (turn % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await publisher.flushed();
    await waitFor(() => received.every((r) => r.length >= published.length), 'all ticks at both subscribers');

    for (const r of received) {
      expect(r).toEqual(published);
      for (const id of [1, 2, 3]) {
        const seqs = r.filter((t) => t.instrumentId === id).map((t) => t.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      }
    }

    // Later table and status changes reach the subscribers' handlers and getters.
    const statusSeen: (readonly VenueStatus[])[] = [];
    subscribers[0]?.onStatus((s) => statusSeen.push(s));
    const down: VenueStatus[] = [{ venue: 'SIM', state: 'down', reason: 'socket closed' }];
    publisher.publishStatus(down);
    await publisher.flushed();
    await waitFor(() => subscribers.every((s) => s.status()[0]?.state === 'down'), 'status update');
    expect(statusSeen).toEqual([down]);
  }, 20_000);

  it('refuses an existing stream whose settings do not match, naming the stream and the setting', async () => {
    const opts = names('MISMATCH');
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({
        name: opts.stream,
        subjects: [`${opts.subjectPrefix}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: nanos(60_000),
        max_bytes: 1024 ** 3,
      });
    } finally {
      await nc.close();
    }
    await expect(NatsBus.publisher(opts)).rejects.toThrow(
      /NATS stream "MISMATCH_TICKS" exists with incompatible max_age: it has 60000 ms, this bus needs 3600000 ms/,
    );
    await expect(NatsBus.publisher({ ...opts, maxAgeMs: 60_000, maxBytes: 1024 })).rejects.toThrow(
      /NATS stream "MISMATCH_TICKS" exists with incompatible max_bytes/,
    );
    // Matching options are accepted.
    buses.push(await NatsBus.publisher({ ...opts, maxAgeMs: 60_000 }));
  }, 15_000);

  it('refuses a subscriber before any publisher created the stream', async () => {
    await expect(NatsBus.subscriber(names('NOBODY'))).rejects.toThrow(/NATS stream "NOBODY_TICKS" does not exist/);
  });

  it('keeps the stream, the epoch and the table across a broker restart on the same storage dir', async () => {
    const opts = names('RESTART');
    const publisher = await NatsBus.publisher({ ...opts, epoch: 77 });
    publisher.publishInstruments(INSTRUMENTS);
    await publisher.close();
    const pid = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(pid);
    const subscriber = await NatsBus.subscriber(opts);
    buses.push(subscriber);
    expect(subscriber.epoch).toBe(77);
    expect(subscriber.instruments()).toEqual(INSTRUMENTS);
  }, 15_000);
});
