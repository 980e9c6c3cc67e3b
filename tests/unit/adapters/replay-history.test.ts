import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignBarOpenTime } from '../../../lib/market/bars';
import { ReplayAdapter } from '../../../server/adapters/replay';
import type { AdapterBar, AdapterSink } from '../../../server/adapters/types';
import { silentLogger } from '../../../server/log';

const dir = mkdtempSync(join(tmpdir(), 'tickwire-replay-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 4, 1, 12, 0, 10) * 1000;
/** 181 trades of X, one a second over 3 minutes, price 100.00 + n cents, size 1 + n % 3. */
function recording(): string {
  const lines: object[] = [{ type: 'instrument', symbol: 'SIM:X', assetClass: 'crypto', priceDecimals: 2, sizeDecimals: 0 }];
  for (let n = 0; n <= 180; n += 1) {
    lines.push({
      type: 'trade',
      symbol: 'SIM:X',
      timeUs: T0 + n * 1e6,
      price: (100 + n / 100).toFixed(2),
      size: String(1 + (n % 3)),
      side: 'buy',
    });
    lines.push({ type: 'quote', symbol: 'SIM:X', timeUs: T0 + n * 1e6 + 1, bid: '99.00', bidSize: '1', ask: '101.00', askSize: '1' });
  }
  const path = join(dir, `r${Math.random()}.ndjson`);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

const sink: AdapterSink = { instruments: () => {}, trade: () => {}, quote: () => {}, status: () => {}, heartbeat: () => {} };

async function bars(adapter: ReplayAdapter, interval: number, startUs: number, endUs: number): Promise<AdapterBar[]> {
  const out: AdapterBar[] = [];
  for await (const page of adapter.history({ symbol: 'X', interval, startUs, endUs, signal: new AbortController().signal }))
    out.push(...page);
  return out;
}

describe('ReplayAdapter#history', () => {
  it('serves nothing before it starts', async () => {
    const adapter = new ReplayAdapter({ file: recording(), logger: silentLogger });
    expect(await bars(adapter, 60, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('rolls the recording trades into bars that end just before the live playback starts', async () => {
    const adapter = new ReplayAdapter({ file: recording(), logger: silentLogger });
    const before = Date.now() * 1000;
    await adapter.start(sink);
    await adapter.stop();
    const after = Date.now() * 1000;
    const seconds = await bars(adapter, 1, 0, Number.MAX_SAFE_INTEGER);
    expect(seconds).toHaveLength(181);
    expect(seconds[seconds.length - 1]).toMatchObject({ close: '101.80', volume: '1', tradeCount: 1 });
    const last = seconds[seconds.length - 1] as AdapterBar;
    expect(last.openTimeUs).toBeGreaterThanOrEqual(alignBarOpenTime(before, 1) - 1e6);
    expect(last.openTimeUs).toBeLessThan(after);
    const minutes = await bars(adapter, 60, 0, Number.MAX_SAFE_INTEGER);
    expect(minutes.length).toBeGreaterThanOrEqual(3);
    expect(minutes.length).toBeLessThanOrEqual(4);
    expect(minutes.reduce((s, b) => s + Number(b.volume), 0)).toBe(
      Array.from({ length: 181 }, (_, n) => 1 + (n % 3)).reduce((a, b) => a + b),
    );
    expect(minutes.reduce((s, b) => s + (b.tradeCount ?? 0), 0)).toBe(181);
    expect(minutes[0]?.open).toBe('100.00');
    for (const b of minutes) expect(Number(b.low) <= Number(b.vwap) && Number(b.vwap) <= Number(b.high)).toBe(true);
    // Only the range asked for.
    const firstOnly = await bars(adapter, 60, (minutes[0] as AdapterBar).openTimeUs, (minutes[1] as AdapterBar).openTimeUs);
    expect(firstOnly).toEqual([minutes[0]]);
  });

  it('compresses time by the speed, like the playback', async () => {
    const adapter = new ReplayAdapter({ file: recording(), speed: 60, logger: silentLogger });
    await adapter.start(sink);
    await adapter.stop();
    const seconds = await bars(adapter, 1, 0, Number.MAX_SAFE_INTEGER);
    // 180 s of recording at 60x: 3 s of history.
    expect(seconds.length).toBeGreaterThanOrEqual(3);
    expect(seconds.length).toBeLessThanOrEqual(4);
    expect(seconds.reduce((s, b) => s + (b.tradeCount ?? 0), 0)).toBe(181);
  });
});
