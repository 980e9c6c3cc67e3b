/**
 * `npx tsx bench/history-store.ts`: what the history store costs (docs/performance.md).
 * 1. Disk: one instrument's full UTC day of bars at each interval, written through writeBars into
 *    a fresh SQLite file (WAL checkpointed, file closed): bytes on disk per day and per bar.
 * 2. Live delivery: bench/fanout.ts twice with the same load, history store off then on
 *    (--persist), and the latency p50/p99 of each. Skip with --no-fanout.
 *    --on-first runs the store-on run first.
 * Options: --clients N --instruments I --rate R --seconds S --warmup W (passed to bench/fanout.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteBarStore } from '../server/history/store/sqlite-store';
import type { StoredBar } from '../server/history/store/types';
import type { BarInterval } from '../lib/market/types';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '300' },
    instruments: { type: 'string', default: '50' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    'no-fanout': { type: 'boolean', default: false },
    'on-first': { type: 'boolean', default: false },
  },
});

/** Intervals measured: every one the store may hold (seconds). */
const INTERVALS = [1, 5, 60, 300, 900, 3600, 14400, 86400] as const;
const DAY_S = 86_400;

function syntheticDay(interval: number): StoredBar[] {
  const start = Math.floor(Date.now() / 1000 / DAY_S) * DAY_S - DAY_S;
  const n = Math.max(1, DAY_S / interval);
  let price = 6_543_210; // a mantissa, as the normaliser sends them
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    price += Math.round(((Math.sin(i * 12.9898) * 43758.5453) % 1) * 200);
    const openTimeUs = (start + i * interval) * 1_000_000;
    return {
      symbol: 'SIM:BTC-USD',
      seq: 1000 + i * 7,
      eventTimeUs: openTimeUs + interval * 1_000_000 - 1234,
      receiveTimeUs: openTimeUs + interval * 1_000_000 - 1000,
      interval: interval as BarInterval,
      openTimeUs,
      open,
      high: Math.max(open, price) + 37,
      low: Math.min(open, price) - 41,
      close: price,
      volume: 12_345 + i,
      tradeCount: 5 + (i % 40),
      vwap: Math.round((open + price) / 2),
    };
  });
}

console.log('store size per instrument per day (SQLite, WAL checkpointed):');
console.log(`${'interval'.padEnd(9)} ${'bars/day'.padStart(9)} ${'bytes/day'.padStart(11)} ${'bytes/bar'.padStart(10)}`);
for (const interval of INTERVALS) {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-size-'));
  const path = join(dir, 'history.sqlite');
  // An empty store's size, subtracted: what a day of bars adds.
  const empty = new SqliteBarStore({ path: join(dir, 'empty.sqlite'), retentionSeconds: {} });
  empty.close();
  const store = new SqliteBarStore({ path, retentionSeconds: {} });
  const bars = syntheticDay(interval);
  for (let i = 0; i < bars.length; i += 1000) store.writeBars(bars.slice(i, i + 1000));
  store.close();
  const bytes = statSync(path).size - statSync(join(dir, 'empty.sqlite')).size;
  // A few bars fit in pages the empty file already has: no growth to measure.
  const perBar = bytes > 0 ? (bytes / bars.length).toFixed(1) : '-';
  const shown = bytes > 0 ? String(bytes) : '< 1 page';
  console.log(`${String(interval).padEnd(9)} ${String(bars.length).padStart(9)} ${shown.padStart(11)} ${perBar.padStart(10)}`);
  rmSync(dir, { recursive: true, force: true });
}

if (!values['no-fanout']) {
  const args = [
    '--clients',
    values.clients!,
    '--instruments',
    values.instruments!,
    '--rate',
    values.rate!,
    '--seconds',
    values.seconds!,
    '--warmup',
    values.warmup!,
  ];
  const results: [string, string][] = [];
  // --on-first runs the store-on run first, so two invocations cancel the drift of a busy machine.
  for (const persist of values['on-first'] ? [true, false] : [false, true]) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', new URL('./fanout.ts', import.meta.url).pathname, ...args, ...(persist ? ['--persist'] : [])],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const row = (name: string) =>
      out
        .split('\n')
        .find((l) => l.startsWith(name))
        ?.slice(36)
        .trim() ?? '?';
    results.push([
      persist ? 'on ' : 'off',
      `p50 ${row('latency p50 (ms)')} ms, p99 ${row('latency p99 (ms)')} ms, server CPU ${row('server CPU (cores)')}, deliveries/s ${row('deliveries/s')}`,
    ]);
  }
  console.log(`\nfan-out (${args.join(' ')}), history store off vs on:`);
  for (const [k, v] of results) console.log(`persist ${k}  ${v}`);
}
