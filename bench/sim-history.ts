/**
 * How long the simulator takes to generate its history, and the backfill to store it:
 * `npx tsx bench/sim-history.ts [--instruments=20] [--days=30]`. Prints wall and CPU seconds (the
 * machine is shared: CPU time is the steadier figure) for
 * 1. generation alone: SimulatedAdapter.history for every instrument, 1m over `days` plus 1s and 5s
 *    for the last hour, as decimal-string AdapterBars;
 * 2. the whole backfill (server/history/backfill.ts) into an in-memory store: generation, exact
 *    conversion, rollups into every longer interval, writes.
 */
import { alignBarOpenTime } from '../lib/market/bars';
import { SimulatedAdapter } from '../server/adapters/simulated';
import { Backfill } from '../server/history/backfill';
import { MemoryBarStore } from '../tests/support/memory-bar-store';
import { AssetClass } from '../lib/market/types';

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
}

const instruments = arg('instruments', 20);
const days = arg('days', 30);
const nowMs = Date.now();

function measure<T>(label: string, run: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  return run().then((result) => {
    const used = process.cpuUsage(cpu);
    const wallS = (performance.now() - wall) / 1000;
    console.log(`${label}: ${wallS.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`);
    return result;
  });
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${instruments} instruments x ${days} days, load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const adapter = new SimulatedAdapter({ instruments }, { nowMs: () => nowMs });
  const endUs = alignBarOpenTime(nowMs * 1000, 60);
  const startUs = endUs - days * 86_400_000_000;
  const signal = new AbortController().signal;
  const bars = await measure('generation (1m + last hour of 1s/5s)', async () => {
    let count = 0;
    for (const { symbol } of adapter.instruments()) {
      for await (const page of adapter.history({ symbol, interval: 60, startUs, endUs, signal })) count += page.length;
      for (const interval of [1, 5]) {
        for await (const page of adapter.history({ symbol, interval, startUs: endUs - 3_600_000_000, endUs, signal })) count += page.length;
      }
    }
    return count;
  });
  console.log(`  ${bars} bars`);
  const store = new MemoryBarStore();
  const fresh = new SimulatedAdapter({ instruments }, { nowMs: () => nowMs });
  const backfill = new Backfill({ store, days, nowUs: () => nowMs * 1000 });
  const progress = await measure('backfill into an in-memory store (generation + conversion + rollups)', async () => {
    backfill.add(
      fresh.instruments().map((i, n) => ({
        adapter: fresh,
        symbol: i.symbol,
        instrument: {
          id: n + 1,
          symbol: `SIM:${i.symbol}`,
          venue: 'SIM',
          assetClass: i.assetClass ?? AssetClass.Other,
          priceDecimals: i.priceDecimals,
          sizeDecimals: i.sizeDecimals,
        },
      })),
    );
    await backfill.idle();
    return backfill.progress();
  });
  console.log(`  ${progress.barsWritten} bars written, ${progress.errorCount} errors, rejected ${JSON.stringify(progress.rejectedBars)}`);
}

await main();
