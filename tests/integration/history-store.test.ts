/**
 * The SQLite history store against real files in temporary folders: paging by index, batched
 * writes, retention, the restart state, and every fault the issue names (a corrupt file, a lock
 * held by another connection, a read-only folder, a full disk): the store degrades with a reason,
 * never throws into the caller, never loses what was stored, and catches up once the fault goes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBarStore } from '../../server/history/store/sqlite-store';
import { StoreUnavailableError, type BarStore, type SavedState, type StoredBar } from '../../server/history/store/types';
import type { BarInterval } from '../../lib/market/types';

const dirs: string[] = [];
const stores: BarStore[] = [];
const undo: (() => void)[] = [];

afterEach(() => {
  for (const u of undo.splice(0)) u();
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-store-'));
  dirs.push(dir);
  return dir;
}

function open(path: string, options: Partial<ConstructorParameters<typeof SqliteBarStore>[0]> = {}): SqliteBarStore {
  const store = new SqliteBarStore({ path, flushIntervalMs: 10_000, retryIntervalMs: 0, ...options });
  stores.push(store);
  return store;
}

const MINUTE_US = 60_000_000;
/** Recent enough that the default retention (90 days of 1m bars) keeps them. */
const T0_US = (Date.now() - 86_400_000) * 1000 - ((Date.now() * 1000) % MINUTE_US);

function bar(i: number, over: Partial<StoredBar> = {}): StoredBar {
  return {
    symbol: 'SIM:BTC-USD',
    seq: i + 1,
    eventTimeUs: T0_US + i * MINUTE_US + 1,
    receiveTimeUs: T0_US + i * MINUTE_US + 2,
    interval: 60,
    openTimeUs: T0_US + i * MINUTE_US,
    open: 100 + i,
    high: 110 + i,
    low: 90 + i,
    close: 105 + i,
    volume: 7 + i,
    tradeCount: 3,
    vwap: 104.5,
    ...over,
  };
}

const bars = (n: number, from = 0): StoredBar[] => Array.from({ length: n }, (_, i) => bar(from + i));

const SAVED: SavedState = { epoch: 42, savedAtMs: 1, instruments: [], lastSeqs: { 1: 9 }, history: [] };

/** Makes `dir` unwritable even for root: chmod for others, the immutable attribute for root. */
function makeReadOnly(dir: string): boolean {
  if (process.getuid?.() !== 0) {
    execFileSync('chmod', ['555', dir]);
    undo.push(() => execFileSync('chmod', ['755', dir]));
    return true;
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
  } catch {
    return false;
  }
  undo.push(() => execFileSync('chattr', ['-i', dir]));
  return true;
}

describe('SqliteBarStore', () => {
  it('pages bars newest-first by index, ascending in the answer, with more when older exist', () => {
    const store = open(join(tempDir(), 'history.sqlite'));
    store.writeBars(bars(10));
    const page = store.page('SIM:BTC-USD', 60, T0_US + 8 * MINUTE_US, 3);
    expect(page.bars.map((b) => b.openTimeUs)).toEqual([5, 6, 7].map((i) => T0_US + i * MINUTE_US));
    expect(page.more).toBe(true);
    expect(page.bars[0]).toEqual(bar(5));
    const first = store.page('SIM:BTC-USD', 60, T0_US + 3 * MINUTE_US, 5);
    expect(first.bars.map((b) => b.openTimeUs)).toEqual([0, 1, 2].map((i) => T0_US + i * MINUTE_US));
    expect(first.more).toBe(false);
    expect(store.page('SIM:BTC-USD', 5, Number.MAX_SAFE_INTEGER, 5).bars).toEqual([]);
    expect(store.page('SIM:ETH-USD', 60, Number.MAX_SAFE_INTEGER, 5).bars).toEqual([]);
    expect(store.firstOpenTimeUs('SIM:BTC-USD', 60)).toBe(T0_US);
    expect(store.firstOpenTimeUs('SIM:BTC-USD', 300)).toBeUndefined();
  });

  it('answers a page with an index search, never a scan', () => {
    const path = join(tempDir(), 'history.sqlite');
    open(path).close();
    const db = new Database(path, { readonly: true });
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT * FROM bars WHERE symbol = ? AND interval = ? AND open_time_us < ? ORDER BY open_time_us DESC LIMIT ?',
      )
      .all('x', 60, 1, 2) as { detail: string }[];
    db.close();
    expect(plan.map((p) => p.detail).join(';')).toMatch(/SEARCH bars USING PRIMARY KEY \(symbol=\? AND interval=\? AND open_time_us<\?\)/);
    expect(plan.map((p) => p.detail).join(';')).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('keeps the last value per key from a batch and writes it in one transaction on the timer', async () => {
    const path = join(tempDir(), 'history.sqlite');
    const store = open(path, { flushIntervalMs: 20 });
    store.writeBars([bar(1, { close: 1 }), bar(1, { close: 2 }), bar(2)]);
    expect(store.health().queuedBars).toBe(2);
    await new Promise((r) => setTimeout(r, 120));
    expect(store.health().queuedBars).toBe(0);
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT open_time_us, close FROM bars ORDER BY open_time_us').all();
    db.close();
    expect(rows).toEqual([
      { open_time_us: T0_US + MINUTE_US, close: 2 },
      { open_time_us: T0_US + 2 * MINUTE_US, close: 107 },
    ]);
  });

  it('keeps what it wrote across a close and reopen, and hands the restart state over once', () => {
    const path = join(tempDir(), 'history.sqlite');
    const first = open(path);
    first.writeBars(bars(5));
    first.saveState(SAVED);
    first.close();
    const second = open(path);
    expect(second.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 10).bars).toEqual(bars(5));
    expect(second.takeState()).toEqual(SAVED);
    expect(second.takeState()).toBeUndefined();
  });

  it('prunes bars past their interval retention and keeps longer intervals forever', () => {
    const path = join(tempDir(), 'history.sqlite');
    const nowMs = 10 * 86_400_000;
    const store = open(path, { nowMs: () => nowMs, retentionSeconds: { 1: 86_400, 60: 2 * 86_400 } });
    const dayUs = 86_400_000_000;
    const at = (interval: BarInterval, day: number): StoredBar => bar(0, { interval, openTimeUs: day * dayUs });
    store.writeBars([at(1, 8), at(1, 9.5), at(60, 7), at(60, 8.5), at(3600, 0)]);
    store.flush();
    store.prune();
    expect(store.page('SIM:BTC-USD', 1, Number.MAX_SAFE_INTEGER, 10).bars.map((b) => b.openTimeUs)).toEqual([9.5 * dayUs]);
    expect(store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 10).bars.map((b) => b.openTimeUs)).toEqual([8.5 * dayUs]);
    expect(store.page('SIM:BTC-USD', 3600, Number.MAX_SAFE_INTEGER, 10).bars).toHaveLength(1);
  });

  it('rejects a bad option with a TypeError naming it', () => {
    expect(() => new SqliteBarStore({ path: '' })).toThrow(/path/);
    expect(() => new SqliteBarStore({ path: join(tempDir(), 'h.sqlite'), flushIntervalMs: 0 })).toThrow(/flushIntervalMs/);
  });
});

describe('SqliteBarStore faults', () => {
  it('a corrupt file: degraded naming the file, nothing thrown, the file left untouched', () => {
    const path = join(tempDir(), 'history.sqlite');
    const garbage = Buffer.from('this is not a database '.repeat(300));
    writeFileSync(path, garbage);
    const store = open(path);
    expect(store.health()).toMatchObject({ state: 'degraded', path });
    expect(store.health().reason).toContain(path);
    expect(store.health().reason).toMatch(/not a readable SQLite database/);
    expect(() => store.writeBars(bars(3))).not.toThrow();
    store.flush();
    expect(() => store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 3)).toThrow(StoreUnavailableError);
    expect(store.takeState()).toBeUndefined();
    store.saveState(SAVED);
    store.close();
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('a database locked by another connection: writes wait in memory, stored bars stay readable, then catch up', () => {
    const path = join(tempDir(), 'history.sqlite');
    const store = open(path);
    store.writeBars(bars(3));
    store.flush();
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    store.writeBars(bars(2, 3));
    store.flush();
    expect(store.health().state).toBe('degraded');
    expect(store.health().reason).toMatch(/locked by another process/);
    expect(store.health().queuedBars).toBe(2);
    // WAL readers go on while another connection writes.
    expect(store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 10).bars).toEqual(bars(3));
    other.exec('COMMIT');
    other.close();
    store.flush();
    expect(store.health()).toMatchObject({ state: 'ok', reason: '', queuedBars: 0 });
    expect(store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 10).bars).toEqual(bars(5));
  });

  it('a database another process opened first and holds exclusively: degraded at open, then opens', () => {
    const path = join(tempDir(), 'history.sqlite');
    const other = new Database(path);
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
    const store = open(path);
    expect(store.health().state).toBe('degraded');
    expect(store.health().reason).toMatch(/locked by another process/);
    store.writeBars(bars(2));
    other.exec('COMMIT');
    other.close();
    store.flush();
    expect(store.health().state).toBe('ok');
    expect(store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 10).bars).toEqual(bars(2));
  });

  it('a read-only data folder: degraded with a reason, nothing thrown, then catches up', (ctx) => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir);
    if (!makeReadOnly(dir)) ctx.skip(); // root without chattr (no immutable attribute on this file system)
    const store = open(join(dir, 'history.sqlite'));
    expect(store.health().state).toBe('degraded');
    expect(store.health().reason).toMatch(/read-only or not permitted/);
    store.writeBars(bars(2));
    store.flush();
    expect(store.health().queuedBars).toBe(2);
    for (const u of undo.splice(0)) u();
    store.flush();
    expect(store.health().state).toBe('ok');
    expect(store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 10).bars).toEqual(bars(2));
  });

  it('a data folder that is a file: degraded, saying so', () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    const store = open(join(file, 'history.sqlite'));
    expect(store.health().reason).toMatch(/not a folder/);
  });

  it('a full disk (SQLITE_FULL): bars already stored stay, new ones are held and retried', () => {
    const path = join(tempDir(), 'history.sqlite');
    const store = open(path);
    store.writeBars(bars(20));
    store.flush();
    const db = new Database(path);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    // The pragma is per connection: reach the store's own through a full-disk-sized limit.
    (store as unknown as { opened: { db: Database.Database } }).opened.db.pragma(`max_page_count = ${pages}`);
    const many = Array.from({ length: 2000 }, (_, i) => bar(100 + i, { symbol: `SIM:X${i}` }));
    store.writeBars(many);
    expect(() => store.flush()).not.toThrow();
    expect(store.health().state).toBe('degraded');
    expect(store.health().reason).toMatch(/disk .* is full \(SQLITE_FULL\)/);
    expect(store.health().queuedBars).toBe(2000);
    expect(store.page('SIM:BTC-USD', 60, Number.MAX_SAFE_INTEGER, 100).bars).toEqual(bars(20));
    (store as unknown as { opened: { db: Database.Database } }).opened.db.pragma('max_page_count = 1073741823');
    store.flush();
    expect(store.health().state).toBe('ok');
    expect(store.page('SIM:X1999', 60, Number.MAX_SAFE_INTEGER, 5).bars).toEqual([many[1999]]);
  });

  it('bounds the queue while it cannot write, dropping the least recently updated bars', () => {
    const path = join(tempDir(), 'history.sqlite');
    writeFileSync(path, 'garbage'.repeat(200));
    const store = open(path, { maxQueuedBars: 3 });
    store.writeBars(bars(3));
    store.writeBars([bar(0, { close: 1 })]);
    store.writeBars([bar(3)]);
    expect(store.health()).toMatchObject({ queuedBars: 3, droppedBars: 1 });
  });
});
