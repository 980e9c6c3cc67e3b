/**
 * `npm run feed -- --nats <url>`: both roles of a scaled deployment in one process, through a real
 * nats-server; clients see the same protocol, and the ticks really pass through the broker.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startNatsServer, type NatsServer } from '../support/nats-server';
import { spawnRole, type RoleProcess } from '../support/scaled';

let nats: NatsServer;
let feed: RoleProcess | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
}, 20_000);
afterAll(async () => {
  await feed?.stop();
  await nats?.dispose();
});

it('runs ingest and gateway in one process over NATS when given --nats', async () => {
  feed = spawnRole('feed', ['--nats', nats.url, '--port', '0', '--instruments', '3', '--rate', '20']);
  const listening = await feed.waitForLog((l) => l.msg === 'feed service listening' && l.role === 'gateway');
  expect(feed.logs.some((l) => l.msg === 'ingest active')).toBe(true);
  const ws = new WebSocket(String(listening.url), 'tickwire.v2.json');
  const messages: { type: string; updates?: unknown[]; recovered?: boolean }[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d))));
  await new Promise((r) => ws.once('open', r));
  await new Promise((r) => setTimeout(r, 1000));
  ws.send(
    JSON.stringify({
      type: 'subscribe',
      requestId: 1,
      all: false,
      interval: 60,
      resumeEpoch: 0,
      symbols: [{ symbol: 'BTC-USD', lastSeq: 0 }],
    }),
  );
  const deadline = Date.now() + 10_000;
  while (!messages.some((m) => m.type === 'batch') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  ws.close();
  const snapshot = messages.find((m) => m.type === 'snapshot');
  expect(snapshot?.updates?.length).toBeGreaterThan(0);
  expect(messages.some((m) => m.type === 'batch')).toBe(true);

  const nc = await connect({ servers: nats.url });
  const info = await (await jetstreamManager(nc)).streams.info('TICKWIRE_TICKS');
  await nc.close();
  expect(info.state.messages).toBeGreaterThan(10);
}, 60_000);
