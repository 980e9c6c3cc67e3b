/**
 * `npx tsx bench/first-start.ts`: how long after `npm run feed` starts a chart can be full. Starts
 * the feed (20 simulated instruments, 30 days of backfill) on a fresh data folder, asks every
 * 250 ms for the last 300 1m bars of one instrument (a full chart at the default zoom) until the
 * page is full, and prints the seconds; then stops it (SIGTERM), starts it again on the same
 * folder and measures the same. The folder is removed at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FeedClient } from '../lib/client';
import { spawnRole } from '../tests/support/scaled';

const FULL = 300;

async function secondsToFullChart(dataDir: string): Promise<number> {
  const t0 = Date.now();
  const feed = spawnRole('feed', ['--port', '0', '--data-dir', dataDir]);
  try {
    const line = await feed.waitForLog((l) => l.msg === 'feed service listening', 60_000);
    const client = new FeedClient({ url: String(line.url), transport: (u, p) => new WebSocket(u, p) });
    client.connect();
    try {
      for (;;) {
        const page = await client.history('BTC-USD', 60, { count: FULL }).catch(() => undefined);
        if (page !== undefined && page.bars.length >= FULL) {
          const span = ((page.bars[page.bars.length - 1]?.openTimeUs ?? 0) - (page.bars[0]?.openTimeUs ?? 0)) / 60e6;
          if (span >= FULL - 1) return (Date.now() - t0) / 1000;
        }
        if (Date.now() - t0 > 300_000) throw new Error('no full chart within 300 s');
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      client.close();
    }
  } finally {
    await feed.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'tickwire-first-start-'));
try {
  const first = await secondsToFullChart(dir);
  const later = await secondsToFullChart(dir);
  console.log(
    `full 1m chart (${FULL} bars) after start: first start ${first.toFixed(1)} s (30-day backfill into an empty store), later start ${later.toFixed(1)} s`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
