/**
 * The default {@link BarStore}: SQLite through better-sqlite3, one file `<data dir>/history.sqlite`
 * in WAL mode (docs/architecture.md "Where history lives"). Writes are queued (last value per key
 * wins) and written every {@link SqliteStoreOptions.flushIntervalMs} in one transaction, so the hot
 * path only sets a map entry. Faults (a corrupt or locked file, a read-only folder, a full disk)
 * never throw into the feed: the store turns degraded with a reason, keeps new bars in a bounded
 * queue and retries; it never deletes or rewrites a file it cannot read.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BarInterval } from '../../../lib/market/types';
import type { Logger } from '../../log';
import { describeStoreFault } from './store-faults';
import { StoreUnavailableError, type BarStore, type SavedState, type StoreHealth, type StoredBar } from './types';

/** Retention per interval (s), in seconds of bar open time; an interval not listed is kept forever. */
export type RetentionSeconds = Readonly<Partial<Record<number, number>>>;

/** Default retention: 1s bars 1 day, 5s bars 7 days, 1m bars 90 days, longer intervals forever. */
export const DEFAULT_RETENTION_SECONDS: RetentionSeconds = Object.freeze({ 1: 86_400, 5: 7 * 86_400, 60: 90 * 86_400 });

/** Options of {@link SqliteBarStore}. */
export interface SqliteStoreOptions {
  /** The database file. */
  readonly path: string;
  /** How often queued bars are written, ms. @defaultValue 250 */
  readonly flushIntervalMs: number;
  /** How often a failed open or write is retried, ms. @defaultValue 2000 */
  readonly retryIntervalMs: number;
  /**
   * Most bars held in memory while the file cannot be written; past it the least recently
   * updated are dropped (counted in health). @defaultValue 200 000 (about 40 MB)
   */
  readonly maxQueuedBars: number;
  /** Retention per interval. @defaultValue {@link DEFAULT_RETENTION_SECONDS} */
  readonly retentionSeconds: RetentionSeconds;
  /** How often old bars are pruned, ms. @defaultValue 3 600 000 (hourly) */
  readonly pruneIntervalMs: number;
  /** Wall clock, ms (tests inject). @defaultValue Date.now */
  readonly nowMs: () => number;
  readonly logger?: Logger;
}

const DEFAULTS = {
  flushIntervalMs: 250,
  retryIntervalMs: 2000,
  maxQueuedBars: 200_000,
  retentionSeconds: DEFAULT_RETENTION_SECONDS,
  pruneIntervalMs: 3_600_000,
  nowMs: Date.now,
};

/** Schema version in `PRAGMA user_version`; a file with a higher one is left alone. */
const SCHEMA_VERSION = 1;

/** Busy timeout, ms: short, because better-sqlite3 waits synchronously on the feed's thread. */
const BUSY_TIMEOUT_MS = 10;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bars (
  symbol TEXT NOT NULL, interval INTEGER NOT NULL, open_time_us INTEGER NOT NULL,
  seq INTEGER NOT NULL, event_time_us INTEGER NOT NULL, receive_time_us INTEGER NOT NULL,
  open NUMERIC NOT NULL, high NUMERIC NOT NULL, low NUMERIC NOT NULL, close NUMERIC NOT NULL,
  volume NUMERIC NOT NULL, trade_count INTEGER NOT NULL, vwap NUMERIC NOT NULL,
  PRIMARY KEY (symbol, interval, open_time_us)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS symbols (symbol TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
`;

const COLUMNS = 'symbol, interval, open_time_us, seq, event_time_us, receive_time_us, open, high, low, close, volume, trade_count, vwap';

interface Row {
  symbol: string;
  interval: number;
  open_time_us: number;
  seq: number;
  event_time_us: number;
  receive_time_us: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trade_count: number;
  vwap: number;
}

function fromRow(r: Row): StoredBar {
  return {
    symbol: r.symbol,
    seq: r.seq,
    eventTimeUs: r.event_time_us,
    receiveTimeUs: r.receive_time_us,
    interval: r.interval as BarInterval,
    openTimeUs: r.open_time_us,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    tradeCount: r.trade_count,
    vwap: r.vwap,
  };
}

/** The open database and its prepared statements. */
interface Opened {
  readonly db: Database.Database;
  readonly upsert: Database.Statement;
  readonly addSymbol: Database.Statement;
  readonly page: Database.Statement;
  readonly first: Database.Statement;
  readonly prune: Database.Statement;
  readonly allSymbols: Database.Statement;
  readonly writeAll: (bars: readonly StoredBar[]) => void;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}

/** SQLite-backed {@link BarStore}; see the file comment. */
export class SqliteBarStore implements BarStore {
  private readonly options: SqliteStoreOptions;
  private opened: Opened | undefined;
  /** Bars waiting to be written, by key; re-set entries move to the end (least recent first). */
  private queue = new Map<string, StoredBar>();
  /** Symbols recorded in the `symbols` table by this process. */
  private readonly knownSymbols = new Set<string>();
  private fault: string | undefined;
  private faultAtMs = 0;
  private dropped = 0;
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;

  /** Opens (or creates) the store; a failure leaves it degraded and retried, never throws. */
  constructor(options: Partial<SqliteStoreOptions> & { readonly path: string }) {
    const opts = { ...DEFAULTS, ...options };
    if (typeof opts.path !== 'string' || opts.path.length === 0) throw new TypeError('path must be a non-empty string');
    positive('flushIntervalMs', opts.flushIntervalMs);
    if (!(opts.retryIntervalMs >= 0)) throw new TypeError(`retryIntervalMs must be a number >= 0, got ${String(opts.retryIntervalMs)}`);
    positive('maxQueuedBars', opts.maxQueuedBars);
    positive('pruneIntervalMs', opts.pruneIntervalMs);
    for (const [interval, seconds] of Object.entries(opts.retentionSeconds)) positive(`retentionSeconds[${interval}]`, seconds);
    this.options = opts;
    this.tryOpen();
    if (this.opened) this.prune();
    this.flushTimer = setInterval(() => this.flush(), opts.flushIntervalMs);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => this.prune(), opts.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  /** The database file. */
  get path(): string {
    return this.options.path;
  }

  writeBars(bars: readonly StoredBar[]): void {
    if (this.closed) return;
    for (const bar of bars) {
      const key = `${bar.symbol}\u0000${bar.interval}\u0000${bar.openTimeUs}`;
      // Delete first so an updated bar moves to the end: the oldest entries are those least recently changed.
      this.queue.delete(key);
      this.queue.set(key, bar);
    }
    const excess = this.queue.size - this.options.maxQueuedBars;
    if (excess > 0) {
      const keys = this.queue.keys();
      for (let i = 0; i < excess; i++) this.queue.delete(keys.next().value as string);
      this.dropped += excess;
    }
  }

  page(
    symbol: string,
    interval: BarInterval,
    endTimeUs: number,
    count: number,
  ): { readonly bars: readonly StoredBar[]; readonly more: boolean } {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    this.flush();
    const opened = this.readable();
    try {
      const rows = opened.page.all(symbol, interval, endTimeUs, count + 1) as Row[];
      const more = rows.length > count;
      const bars = rows.slice(0, count).reverse().map(fromRow);
      return { bars, more };
    } catch (error) {
      this.fail(error);
      throw new StoreUnavailableError(this.fault ?? String(error));
    }
  }

  firstOpenTimeUs(symbol: string, interval: BarInterval): number | undefined {
    this.flush();
    const opened = this.readable();
    try {
      const row = opened.first.get(symbol, interval) as { open_time_us: number } | undefined;
      return row?.open_time_us;
    } catch (error) {
      this.fail(error);
      throw new StoreUnavailableError(this.fault ?? String(error));
    }
  }

  saveState(state: SavedState): void {
    this.flush();
    const opened = this.opened;
    if (opened === undefined) {
      this.options.logger?.warn('restart state not saved: history store unavailable', { reason: this.fault });
      return;
    }
    try {
      opened.db.prepare('INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)').run(JSON.stringify(state));
    } catch (error) {
      this.fail(error);
      this.options.logger?.warn('restart state not saved', { reason: this.fault });
    }
  }

  takeState(): SavedState | undefined {
    const opened = this.opened;
    if (opened === undefined) return undefined;
    try {
      const take = opened.db.transaction(() => {
        const row = opened.db.prepare('SELECT json FROM state WHERE id = 1').get() as { json: string } | undefined;
        if (row !== undefined) opened.db.prepare('DELETE FROM state WHERE id = 1').run();
        return row;
      });
      const row = take();
      return row === undefined ? undefined : (JSON.parse(row.json) as SavedState);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  health(): StoreHealth {
    const base = { path: this.options.path, queuedBars: this.queue.size, droppedBars: this.dropped };
    return this.fault === undefined ? { state: 'ok', reason: '', ...base } : { state: 'degraded', reason: this.fault, ...base };
  }

  /**
   * Writes the queued bars now, in one transaction. Called by the timer; safe to call any time.
   * A failure keeps the queue (retried after `retryIntervalMs`) and makes the store degraded.
   */
  flush(): void {
    if (this.closed) return;
    if (this.fault !== undefined && this.options.nowMs() - this.faultAtMs < this.options.retryIntervalMs) return;
    if (this.opened === undefined && !this.tryOpen()) return;
    if (this.queue.size === 0) {
      if (this.fault !== undefined) this.recovered();
      return;
    }
    const batch = this.queue;
    this.queue = new Map();
    try {
      (this.opened as Opened).writeAll([...batch.values()]);
      if (this.fault !== undefined) this.recovered();
    } catch (error) {
      // Put the batch back before anything newer, which wins for the same key.
      for (const [key, bar] of this.queue) batch.set(key, bar);
      this.queue = new Map();
      this.writeBars([...batch.values()]);
      this.fail(error);
    }
  }

  /** Deletes bars older than their interval's retention: one indexed DELETE per symbol and interval. */
  prune(): void {
    const opened = this.opened;
    if (opened === undefined || this.closed) return;
    const nowUs = this.options.nowMs() * 1000;
    try {
      const symbols = (opened.allSymbols.all() as { symbol: string }[]).map((r) => r.symbol);
      let deleted = 0;
      opened.db.transaction(() => {
        for (const [interval, seconds] of Object.entries(this.options.retentionSeconds)) {
          if (seconds === undefined) continue;
          const cutoff = nowUs - seconds * 1_000_000;
          for (const symbol of symbols) deleted += opened.prune.run(symbol, Number(interval), cutoff).changes;
        }
      })();
      if (deleted > 0) this.options.logger?.info('history store pruned', { deleted });
    } catch (error) {
      this.fail(error);
    }
  }

  close(): void {
    if (this.closed) return;
    // One last attempt, even within a fault's retry interval.
    this.faultAtMs = -Infinity;
    this.flush();
    this.closed = true;
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    if (this.queue.size > 0)
      this.options.logger?.warn('history store closed with bars unwritten', { bars: this.queue.size, reason: this.fault });
    try {
      this.opened?.db.close();
    } catch {
      // Closing a database whose file went bad: nothing more to do.
    }
    this.opened = undefined;
  }

  private readable(): Opened {
    const opened = this.opened ?? (this.tryOpen() ? this.opened : undefined);
    if (opened === undefined) throw new StoreUnavailableError(this.fault ?? 'history store is not open');
    return opened;
  }

  private tryOpen(): boolean {
    const path = this.options.path;
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw Object.assign(new Error(`written by a newer Tickwire (schema ${version}, this one reads ${SCHEMA_VERSION})`), {
          code: 'SQLITE_NOTADB',
        });
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      const upsert = db.prepare(`INSERT OR REPLACE INTO bars (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const addSymbol = db.prepare('INSERT OR IGNORE INTO symbols (symbol) VALUES (?)');
      const known = this.knownSymbols;
      const writeAll = db.transaction((bars: readonly StoredBar[]) => {
        for (const b of bars) {
          if (!known.has(b.symbol)) {
            addSymbol.run(b.symbol);
            known.add(b.symbol);
          }
          upsert.run(
            b.symbol,
            b.interval,
            b.openTimeUs,
            b.seq,
            b.eventTimeUs,
            b.receiveTimeUs,
            b.open,
            b.high,
            b.low,
            b.close,
            b.volume,
            b.tradeCount,
            b.vwap,
          );
        }
      });
      this.opened = {
        db,
        upsert,
        addSymbol,
        page: db.prepare(
          `SELECT ${COLUMNS} FROM bars WHERE symbol = ? AND interval = ? AND open_time_us < ? ORDER BY open_time_us DESC LIMIT ?`,
        ),
        first: db.prepare('SELECT open_time_us FROM bars WHERE symbol = ? AND interval = ? ORDER BY open_time_us ASC LIMIT 1'),
        prune: db.prepare('DELETE FROM bars WHERE symbol = ? AND interval = ? AND open_time_us < ?'),
        allSymbols: db.prepare('SELECT symbol FROM symbols'),
        writeAll: (bars) => {
          try {
            writeAll(bars);
          } catch (error) {
            // A symbol added inside a rolled-back transaction was not kept.
            known.clear();
            throw error;
          }
        },
      };
      return true;
    } catch (error) {
      try {
        db?.close();
      } catch {
        // Nothing more to release.
      }
      this.fail(error);
      return false;
    }
  }

  private fail(error: unknown): void {
    const reason = describeStoreFault(error, this.options.path, this.queue.size);
    if (reason !== this.fault) this.options.logger?.warn('history store degraded', { reason });
    this.fault = reason;
    this.faultAtMs = this.options.nowMs();
  }

  private recovered(): void {
    this.options.logger?.info('history store recovered', { path: this.options.path, previous: this.fault });
    this.fault = undefined;
  }
}
