/**
 * Warming and gateway restart in a scaled deployment, with real processes (nats-server, ingest,
 * gateways): a gateway that starts serving an instrument late, and one restarted (kill -9) in the
 * middle of the stream, answer snapshots and resumes byte-for-byte like a gateway that received
 * every tick. The ingest replays the bundled sample (finite), so once it ends every gateway must
 * hold exactly the same state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startNatsServer, type NatsServer } from '../support/nats-server';
import { health, startGateway, startIngest, type RoleProcess } from '../support/scaled';

let nats: NatsServer;
const procs: RoleProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
}, 20_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await nats?.dispose();
});

type Json = Record<string, unknown>;

/** A raw JSON-protocol connection that collects every server message. */
async function open(
  url: string,
): Promise<{ ws: WebSocket; messages: Json[]; hello: Json; next(type: string, requestId?: number): Promise<Json> }> {
  const ws = new WebSocket(url, 'tickwire.v2.json');
  const messages: Json[] = [];
  const waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Json;
    messages.push(m);
    for (const w of [...waiters]) {
      if (!w.match(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  const next = (type: string, requestId?: number): Promise<Json> =>
    new Promise((resolve, reject) => {
      const match = (m: Json) => m.type === type && (requestId === undefined || m.requestId === requestId);
      const seen = messages.find(match);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no ${type} from ${url}`)), 15_000);
      waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  return { ws, messages, hello: await next('hello'), next };
}

/** Every snapshot of a subscribe to `symbols` at `interval`, requestId removed, by instrument. */
async function snapshots(url: string, symbols: { symbol: string; lastSeq: number }[], interval: number, resumeEpoch = 0): Promise<Json[]> {
  const c = await open(url);
  c.ws.send(JSON.stringify({ type: 'subscribe', requestId: 7, all: false, interval, resumeEpoch, symbols }));
  await c.next('ack', 7);
  const out: Json[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const deadline = Date.now() + 15_000;
    while (c.messages.filter((m) => m.type === 'snapshot').length <= i && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  }
  for (const m of c.messages.filter((m) => m.type === 'snapshot')) out.push({ ...m, requestId: undefined });
  c.ws.close();
  return out.sort((a, b) => Number(a.instrumentId) - Number(b.instrumentId));
}

const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD'];

describe('scaled deployment: warming and restarts', () => {
  it('a gateway started late, and one killed -9 mid-stream and restarted, serve what a gateway that saw every tick serves', async () => {
    const ingest = await startIngest(nats.url, ['--adapter', 'replay', '--adapter-opt', 'speed=12']);
    procs.push(ingest);
    const early = await startGateway(nats.url);
    const victim = await startGateway(nats.url);
    procs.push(early, victim);
    // Both follow the stream from the start: a client holds every instrument on each.
    const watchers = await Promise.all([early.url, victim.url].map((u) => open(u)));
    for (const w of watchers)
      w.ws.send(JSON.stringify({ type: 'subscribe', requestId: 1, all: true, interval: 60, resumeEpoch: 0, symbols: [] }));
    await new Promise((r) => setTimeout(r, 3000));

    // Mid-stream: kill -9 one gateway and start it again on the same port.
    const port = Number(new URL(victim.url).port);
    await victim.kill9();
    const restarted = await startGateway(nats.url, [], port);
    procs.push(restarted);

    // Wait until the replay has ended (the ingest's published count stops moving).
    let last = -1;
    for (let i = 0; i < 60; i++) {
      const published = (await health<{ publisher: { publishedTicks: number } }>(ingest.healthUrl)).publisher.publishedTicks;
      if (published === last && published > 0) break;
      last = published;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(last).toBeGreaterThan(300);
    const late = await startGateway(nats.url);
    procs.push(late);

    const pairs = SYMBOLS.map((symbol) => ({ symbol, lastSeq: 0 }));
    for (const interval of [0, 1, 60, 3600]) {
      const reference = await snapshots(early.url, pairs, interval);
      expect(reference).toHaveLength(3);
      expect(reference.every((s) => (s.updates as unknown[]).length > 0)).toBe(true);
      expect(await snapshots(late.url, pairs, interval)).toEqual(reference);
      expect(await snapshots(restarted.url, pairs, interval)).toEqual(reference);
    }
    // Resumes: the same ticks and bars after a position, recovered, from every gateway.
    const epoch = Number(watchers[0]!.hello.epoch);
    const reference = await snapshots(early.url, pairs, 60);
    const resumeAt = reference.map((s) => ({ symbol: SYMBOLS[Number(s.instrumentId) - 1]!, lastSeq: Math.max(1, Number(s.seq) - 40) }));
    const resumed = await snapshots(early.url, resumeAt, 60, epoch);
    expect(resumed.every((s) => s.recovered === true && (s.updates as unknown[]).length > 0)).toBe(true);
    expect(await snapshots(late.url, resumeAt, 60, epoch)).toEqual(resumed);
    expect(await snapshots(restarted.url, resumeAt, 60, epoch)).toEqual(resumed);
    for (const w of watchers) w.ws.close();

    // History pages come from the ingest: every gateway, restarted or late, answers the same page.
    const pageFrom = async (url: string): Promise<Json> => {
      const c = await open(url);
      expect(c.hello.capabilities).toEqual(['history']);
      c.ws.send(JSON.stringify({ type: 'history', requestId: 9, symbol: 'BTC-USD', interval: 1, endTimeUs: 0, count: 200 }));
      const page = await c.next('historyPage', 9);
      c.ws.close();
      return page;
    };
    const page = await pageFrom(early.url);
    expect((page.bars as unknown[]).length).toBeGreaterThan(10);
    expect(await pageFrom(late.url)).toEqual(page);
    expect(await pageFrom(restarted.url)).toEqual(page);

    // The late gateway receives only what its clients asked for: nothing is held after they left... but it warmed all three.
    const lateHealth = await health<{ upstream: { instruments: number; state: string }; history: { instruments: number } }>(late.healthUrl);
    expect(lateHealth.upstream.state).toBe('connected');
    expect(lateHealth.upstream.instruments).toBe(3);
  }, 120_000);
});
