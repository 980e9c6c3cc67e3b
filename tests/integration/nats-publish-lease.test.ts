/**
 * The ingest's publishing rules against a real nats-server: ticks go out one message per instrument
 * per round with contiguous seqs, a second publisher on a subject is fenced by the broker, and the
 * lease elects one publisher (a standby takes over when it is released or expires).
 */
import { jetstream } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Side } from '../../lib/market/types';
import {
  connectNats,
  ensureStream,
  jetStreamOf,
  natsSettings,
  NatsSetupError,
  openBucket,
  type NatsSettings,
} from '../../server/bus/nats/config';
import { acquireLease, checkLeaseVenues } from '../../server/bus/nats/lease';
import { TickPublisher } from '../../server/bus/nats/publisher';
import { requestInstrument, serveInstruments } from '../../server/bus/nats/rpc';
import { decodeTicks } from '../../server/bus/nats/wire';
import type { Tick } from '../../server/bus/types';
import { silentLogger } from '../../server/log';
import { startNatsServer, type NatsServer } from '../support/nats-server';

let server: NatsServer;
let nc: NatsConnection;
let settings: NatsSettings;
let kv: KV;

beforeAll(async () => {
  server = await startNatsServer();
  settings = natsSettings([server.url], { stream: 'PUBTEST', subjectRoot: 'pt', bucket: 'pt' });
  nc = await connectNats(settings, 'test');
  await ensureStream(await jetStreamOf(nc, settings), settings);
  kv = await openBucket(nc, settings, true);
}, 20_000);
afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

function trade(instrumentId: number, seq: number): Tick {
  return {
    kind: 'trade',
    instrumentId,
    seq,
    eventTimeUs: 1_700_000_000_000_000 + seq,
    receiveTimeUs: 1_700_000_000_000_000 + seq,
    price: 100 + seq,
    size: 1,
    side: Side.Buy,
    tradeId: seq,
  };
}

let publishers = 0;
async function publisher(onFenced: (id: number, detail: string) => void = () => undefined): Promise<TickPublisher> {
  publishers += 1;
  return new TickPublisher({
    publisherId: `test-${publishers}`,
    js: jetstream(nc),
    jsm: await jetStreamOf(nc, settings),
    settings,
    epoch: () => 42,
    lastStreamSeqs: new Map(),
    maxUnpublished: 10_000,
    canPublish: () => true,
    logger: silentLogger,
    onFenced,
    onOverflow: () => undefined,
  });
}

describe('TickPublisher', () => {
  it('stores every tick once, per instrument in order, epoch in the header', async () => {
    const p = await publisher();
    for (let seq = 1; seq <= 300; seq++) p.publish([trade(1, seq), trade(2, seq)]);
    await p.idle();
    expect(p.stats()).toMatchObject({ publishedTicks: 600, unpublished: 0 });
    const js = jetstream(nc);
    const consumer = await js.consumers.get('PUBTEST', { filter_subjects: 'pt.tick.1' });
    const seqs: number[] = [];
    while (seqs.length < 300) {
      const m = await consumer.next({ expires: 2000 });
      if (m === null) break;
      const decoded = decodeTicks(m.data, m.headers);
      expect(decoded?.epoch).toBe(42);
      seqs.push(...(decoded?.ticks ?? []).map((t) => t.seq));
    }
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    p.stop();
  });

  it('is fenced when another publisher wrote to its subject since', async () => {
    const first = await publisher();
    first.publish([trade(5, 1)]);
    await first.idle();
    let fenced = '';
    const second = await publisher((id, detail) => (fenced = `${id}: ${detail}`));
    second.publish([trade(5, 1)]);
    const deadline = Date.now() + 5000;
    while (fenced === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fenced).toMatch(/^5: another publisher wrote to pt\.tick\.5/);
    // The first one goes on: its expectation still holds.
    first.publish([trade(5, 2)]);
    await first.idle();
    expect(first.stats().publishedTicks).toBe(2);
    first.stop();
  });
});

describe('ingest lease', () => {
  it('elects one holder; a standby takes over at once when it is released, and after leaseMs when it expires', async () => {
    const base = { kv, venues: ['SIM'], leaseMs: 600, logger: silentLogger };
    const holder = await acquireLease({ ...base, owner: 'a' }, new AbortController().signal);
    let standbySaw = '';
    const waiting = acquireLease({ ...base, owner: 'b', onStandby: (h) => (standbySaw = h.owner) }, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 900));
    expect(standbySaw).toBe('a');
    expect(holder.valid()).toBe(true);
    const released = Date.now();
    await holder.release();
    const second = await waiting;
    expect(Date.now() - released).toBeLessThan(600);

    await second.release();

    // Expiry: a holder whose process died (here: its connection closed) is replaced after about leaseMs.
    const doomed = await connectNats(settings, 'doomed');
    const doomedKv = await openBucket(doomed, settings, false);
    await acquireLease({ ...base, kv: doomedKv, owner: 'd' }, new AbortController().signal);
    const third = acquireLease({ ...base, owner: 'c' }, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 300));
    await doomed.close();
    const t0 = Date.now();
    const taken = await third;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(taken.valid()).toBe(true);
    await taken.release();
  });

  it('refuses a standby for other venues while the holder is alive', async () => {
    const holder = await acquireLease(
      { kv, venues: ['SIM'], leaseMs: 600, logger: silentLogger, owner: 'x' },
      new AbortController().signal,
    );
    await expect(checkLeaseVenues(kv, ['BINANCE'], 600)).rejects.toThrow(NatsSetupError);
    await expect(checkLeaseVenues(kv, ['BINANCE'], 600)).rejects.toThrow(/publishes venues \[SIM\]; this ingest runs \[BINANCE\]/);
    await checkLeaseVenues(kv, ['SIM'], 600);
    await holder.release();
  });
});

describe('request-reply between gateway and ingest', () => {
  it('answers per instrument, passes a failure on as its message, and names a missing ingest', async () => {
    const sub = serveInstruments<{ n: number }, { id: number; twice: number }>(
      nc,
      settings,
      'test',
      (id, request) => {
        if (id === 13) throw new Error('no such thing');
        return { id, twice: (request?.n ?? 0) * 2 };
      },
      silentLogger,
    );
    await expect(requestInstrument(nc, settings, 'test', 7, { n: 21 }, 2000)).resolves.toEqual({ id: 7, twice: 42 });
    await expect(requestInstrument(nc, settings, 'test', 13, { n: 1 }, 2000)).rejects.toThrow('no such thing');
    sub.unsubscribe();
    await expect(requestInstrument(nc, settings, 'test', 7, { n: 1 }, 500)).rejects.toThrow(/no active ingest answered the test request/);
  });
});
