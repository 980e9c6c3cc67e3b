/**
 * `npx tsx bench/first-start.ts`: how long after `npm run feed` starts every chart can be full.
 * Starts the feed (20 simulated instruments, 30 days of backfill) on a fresh data folder, asks every
 * 250 ms for the last 300 1m bars (a full chart at the default zoom, spanning 300 minutes) of each
 * instrument not yet full, and prints the seconds until the first and the last instrument's page was
 * full; then stops it (SIGTERM), starts it again on the same folder and measures the same. The
 * folder is removed at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FeedClient } from '../lib/client';
import { spawnRole } from '../tests/support/scaled';

const FULL = 300;

/** Seconds from spawning the feed until the first and until the last instrument had a full page. */
async function secondsToFullCharts(dataDir: string): Promise<{ first: number; last: number }> {
  const t0 = Date.now();
  const feed = spawnRole('feed', ['--port', '0', '--data-dir', dataDir]);
  try {
    const line = await feed.waitForLog((l) => l.msg === 'feed service listening', 60_000);
    const client = new FeedClient({ url: String(line.url), transport: (u, p) => new WebSocket(u, p) });
    client.connect();
    try {
      while (client.instruments.size === 0) await new Promise((r) => setTimeout(r, 50));
      const waiting = new Set([...client.instruments.byId.values()].map((i) => i.symbol));
      let first: number | undefined;
      while (waiting.size > 0) {
        for (const symbol of [...waiting]) {
          const page = await client.history(symbol, 60, { count: FULL }).catch(() => undefined);
          const bars = page?.bars ?? [];
          const span = bars.length < FULL ? 0 : ((bars[bars.length - 1]?.openTimeUs ?? 0) - (bars[0]?.openTimeUs ?? 0)) / 60e6;
          if (span >= FULL - 1) {
            waiting.delete(symbol);
            first ??= (Date.now() - t0) / 1000;
          }
        }
        if (Date.now() - t0 > 300_000) throw new Error(`no full chart within 300 s for ${[...waiting].join(', ')}`);
        if (waiting.size > 0) await new Promise((r) => setTimeout(r, 250));
      }
      return { first: first ?? 0, last: (Date.now() - t0) / 1000 };
    } finally {
      client.close();
    }
  } finally {
    await feed.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'tickwire-first-start-'));
try {
  const fresh = await secondsToFullCharts(dir);
  const again = await secondsToFullCharts(dir);
  const show = (r: { first: number; last: number }) => `first instrument ${r.first.toFixed(1)} s, all 20 ${r.last.toFixed(1)} s`;
  console.log(
    `full 1m charts (${FULL} bars) after start: first start (30-day backfill into an empty store): ${show(fresh)}; later start: ${show(again)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
