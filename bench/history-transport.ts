/**
 * `npx tsx bench/history-transport.ts`: what a history page costs when a gateway of a scaled
 * deployment asks the ingest for it over NATS request-reply (docs/scaling.md "History"): a page of
 * 1,000 1m bars, requested 300 times one after another through a real nats-server; prints the round
 * trip p50/p99 (serialising, deflating, the broker hop and back) and the bytes on the wire. The
 * page's source is in memory, so the figure is the transport's share alone.
 */
import { performance } from 'node:perf_hooks';
import { deflateRawSync } from 'node:zlib';

import type { Bar } from '../lib/market/types';
import { connectNats, natsSettings } from '../server/bus/nats/config';
import { NatsHistoryPages, serveHistory } from '../server/bus/nats/history-service';
import { silentLogger } from '../server/log';
import { startNatsServer } from '../tests/support/nats-server';

const COUNT = 1000;
const ROUNDS = 300;

const bars: Bar[] = Array.from({ length: COUNT }, (_, i) => {
  const openTimeUs = 1_796_000_000_000_000 + i * 60_000_000;
  return {
    kind: 'bar',
    instrumentId: 1,
    seq: 100_000 + i,
    eventTimeUs: openTimeUs + 59_000_000,
    receiveTimeUs: openTimeUs + 59_000_100,
    interval: 60,
    openTimeUs,
    open: 5_999_000 + i,
    high: 6_001_000 + i,
    low: 5_998_000 + i,
    close: 6_000_000 + i,
    volume: 123_456_789 + i,
    tradeCount: 40 + (i % 9),
    vwap: 5_999_500 + i,
  };
});

const server = await startNatsServer();
try {
  const settings = natsSettings([server.url]);
  const ingestSide = await connectNats(settings, 'bench-ingest');
  const gatewaySide = await connectNats(settings, 'bench-gateway');
  serveHistory(ingestSide, settings, { page: async () => ({ bars, more: true }) }, silentLogger);
  const pages = new NatsHistoryPages(gatewaySide, settings);
  for (let i = 0; i < 20; i++) await pages.page(1, 60, 0, COUNT);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const page = await pages.page(1, 60, 0, COUNT);
    times.push(performance.now() - t0);
    if (page.bars.length !== COUNT) throw new Error(`got ${page.bars.length} bars`);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => (times[Math.min(times.length - 1, Math.floor(times.length * p))] ?? Number.NaN).toFixed(2);
  const bytes = deflateRawSync(JSON.stringify({ bars, more: true })).byteLength;
  console.log(
    `history page over NATS request-reply, ${COUNT} bars x ${ROUNDS}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ${bytes} bytes deflated`,
  );
  await ingestSide.close();
  await gatewaySide.close();
} finally {
  await server.dispose();
}
