/**
 * The backfill: at start-up, asks each adapter that offers history (FeedAdapter.history) for the
 * 1m bars the store lacks over the last `days`, writes them, and rolls them up into every longer
 * interval of BAR_INTERVALS; bars shorter than 1m (1s, 5s) are asked for the last hour only.
 * Only the ends are filled: before the oldest stored bar and after the newest one (a gap in the
 * middle stays). It runs in the background while live data flows: one queue per adapter, one
 * instrument at a time, yielding to the event loop after every page. A failing adapter or bad bars
 * degrade it with a reason on /healthz, never stop it or another adapter. Design: docs/adapters.md
 * "History", docs/architecture.md.
 */
import { alignBarOpenTime, US_PER_SECOND } from '../../lib/market/bars';
import { BAR_INTERVALS, BAR_INTERVAL_LABELS, type BarInterval, type Instrument } from '../../lib/market/types';
import type { AdapterHistoryRequest, FeedAdapter } from '../adapters/types';
import { silentLogger, type Logger } from '../log';
import { toBackfilledBar, type HistoryBarReject } from './adapter-bars';
import { rollUpBars } from './rollup';
import type { BarStore, StoredBar } from './store/types';

/** Options of {@link Backfill}. */
export interface BackfillOptions {
  readonly store: BarStore;
  /** Days of 1m bars to hold, ending now; 0 disables the backfill. @defaultValue 30 */
  readonly days: number;
  /** How far back bars shorter than 1m (1s, 5s) are asked for, µs. @defaultValue one hour */
  readonly fineSpanUs: number;
  /** Wall clock, µs since the Unix epoch. @defaultValue Date.now() * 1000 */
  readonly nowUs: () => number;
  readonly logger: Logger;
}

/** Defaults of {@link BackfillOptions} (the store has none). */
export const BACKFILL_DEFAULTS = Object.freeze({
  days: 30,
  fineSpanUs: 3600 * US_PER_SECOND,
  nowUs: (): number => Date.now() * 1000,
  logger: silentLogger,
});

/** Most backfill days accepted (ten years). */
export const MAX_BACKFILL_DAYS = 3650;
/** Errors kept for /healthz (the newest). */
export const MAX_REPORTED_ERRORS = 20;

const BASE_INTERVAL: BarInterval = 60;
const DAY_US = 86_400 * US_PER_SECOND;

/** One instrument to backfill: the adapter to ask, its own symbol, and the interned instrument. */
export interface BackfillTarget {
  readonly adapter: FeedAdapter;
  /** The symbol as the adapter declared it (what its `history` takes). */
  readonly symbol: string;
  /** The instrument: its name keys the store, its decimals convert the adapter's prices. */
  readonly instrument: Instrument;
}

/** What /healthz shows under `backfill`. */
export interface BackfillProgress {
  /** `idle` before anything was added, `running`, `done` when every queue drained, `stopped` after stop(). */
  readonly state: 'idle' | 'running' | 'done' | 'stopped';
  readonly days: number;
  /** Instruments given, and finished (with or without errors). */
  readonly instruments: number;
  readonly instrumentsDone: number;
  /** Bars written, every interval. */
  readonly barsWritten: number;
  /** Adapter bars refused, by reason (adapter-bars.ts). */
  readonly rejectedBars: Readonly<Partial<Record<HistoryBarReject, number>>>;
  /** The newest errors, each naming the instrument and interval, e.g. "SIM:BTC-USD 1m: socket hang up". */
  readonly errors: readonly string[];
  /** Errors in all (errors keeps only the newest {@link MAX_REPORTED_ERRORS}). */
  readonly errorCount: number;
  /** `degraded` once an instrument's history could not be fetched (live data is unaffected). */
  readonly health: 'ok' | 'degraded';
  /** Why degraded, for a person: the error count and the newest error; empty when ok. */
  readonly reason: string;
}

function validateOptions(options: Partial<BackfillOptions>): BackfillOptions {
  const o = { ...BACKFILL_DEFAULTS, ...options };
  if (typeof o.store !== 'object' || o.store === null || typeof o.store.writeBars !== 'function') {
    throw new TypeError('backfill option store must be a BarStore');
  }
  if (!Number.isSafeInteger(o.days) || o.days < 0 || o.days > MAX_BACKFILL_DAYS) {
    throw new TypeError(`backfill option days must be an integer in 0..${MAX_BACKFILL_DAYS}, got ${String(o.days)}`);
  }
  if (!Number.isSafeInteger(o.fineSpanUs) || o.fineSpanUs < 0)
    throw new TypeError(`backfill option fineSpanUs must be a non-negative integer`);
  return o as BackfillOptions;
}

/**
 * Open-time ranges [start, end) within [`fromUs`, `toUs`) that the store lacks at either end: before
 * its oldest bar of (symbol, interval) and after its newest bar that opens before `toUs`.
 */
export function missingRanges(store: BarStore, symbol: string, interval: BarInterval, fromUs: number, toUs: number): [number, number][] {
  if (!(fromUs < toUs)) return [];
  const first = store.firstOpenTimeUs(symbol, interval);
  if (first === undefined || first >= toUs) return [[fromUs, toUs]];
  const ranges: [number, number][] = [];
  if (first > fromUs) ranges.push([fromUs, first]);
  const newest = store.page(symbol, interval, toUs, 1).bars[0];
  const after = newest === undefined ? first : newest.openTimeUs + interval * US_PER_SECOND;
  if (after < toUs) ranges.push([Math.max(after, fromUs), toUs]);
  return ranges;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the backfill of the instruments {@link Backfill.add} is given. */
export class Backfill {
  readonly options: BackfillOptions;
  private readonly abort = new AbortController();
  private readonly seen = new Set<string>();
  /** Per adapter: its pending targets and the promise of the loop draining them. */
  private readonly queues = new Map<FeedAdapter, { pending: BackfillTarget[]; running: Promise<void> | undefined }>();
  private state: BackfillProgress['state'] = 'idle';
  private instruments = 0;
  private instrumentsDone = 0;
  private barsWritten = 0;
  private readonly rejected: Partial<Record<HistoryBarReject, number>> = {};
  private readonly errors: string[] = [];
  private errorCount = 0;
  /** Longer intervals rolled up from 1m, and shorter ones asked for directly. */
  private readonly rollUpIntervals = BAR_INTERVALS.filter((i) => i > BASE_INTERVAL);
  private readonly fineIntervals = BAR_INTERVALS.filter((i) => i < BASE_INTERVAL);

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(options: Partial<BackfillOptions> & Pick<BackfillOptions, 'store'>) {
    this.options = validateOptions(options);
  }

  /**
   * Queues instruments (an instrument already given is ignored; so is an adapter without
   * `history`) and starts their adapters' queues. Each target's window ends at the minute it was
   * added: bars from then on are the live ones.
   */
  add(targets: readonly BackfillTarget[]): void {
    if (this.state === 'stopped' || this.options.days === 0) return;
    for (const target of targets) {
      if (typeof target.adapter.history !== 'function' || this.seen.has(target.instrument.symbol)) continue;
      this.seen.add(target.instrument.symbol);
      this.instruments += 1;
      let queue = this.queues.get(target.adapter);
      if (queue === undefined) this.queues.set(target.adapter, (queue = { pending: [], running: undefined }));
      queue.pending.push(target);
      this.state = 'running';
      if (queue.running === undefined) {
        const q = queue;
        q.running = this.drain(q.pending, this.options.nowUs()).finally(() => {
          q.running = undefined;
          this.settle();
        });
      }
    }
  }

  /** Resolves when every queue has drained (or the backfill was stopped). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.queues.values()].map((q) => q.running).filter((p) => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Cancels: adapters see their `signal` aborted; resolves once every queue has stopped. */
  async stop(): Promise<void> {
    if (this.state !== 'idle') this.state = 'stopped';
    this.abort.abort();
    await this.idle();
  }

  progress(): BackfillProgress {
    return {
      state: this.state,
      days: this.options.days,
      instruments: this.instruments,
      instrumentsDone: this.instrumentsDone,
      barsWritten: this.barsWritten,
      rejectedBars: { ...this.rejected },
      errors: [...this.errors],
      errorCount: this.errorCount,
      health: this.errorCount > 0 ? 'degraded' : 'ok',
      reason:
        this.errorCount === 0
          ? ''
          : `history backfill failed for ${this.errorCount} instrument${this.errorCount === 1 ? '' : 's'} (live data unaffected); latest: ${this.errors[this.errors.length - 1] ?? ''}`,
    };
  }

  private settle(): void {
    if (this.state === 'running' && [...this.queues.values()].every((q) => q.running === undefined && q.pending.length === 0)) {
      this.state = 'done';
    }
  }

  private async drain(pending: BackfillTarget[], firstNowUs: number): Promise<void> {
    let nowUs = firstNowUs;
    for (let target = pending.shift(); target !== undefined; target = pending.shift()) {
      if (this.abort.signal.aborted) return;
      await this.backfillInstrument(target, nowUs);
      this.instrumentsDone += 1;
      nowUs = this.options.nowUs();
    }
  }

  private async backfillInstrument(target: BackfillTarget, nowUs: number): Promise<void> {
    const name = target.instrument.symbol;
    const toUs = alignBarOpenTime(nowUs, BASE_INTERVAL);
    const fromUs = alignBarOpenTime(toUs - this.options.days * DAY_US, BASE_INTERVAL);
    for (const [startUs, endUs] of missingRanges(this.options.store, name, BASE_INTERVAL, fromUs, toUs)) {
      const { bars, failed } = await this.fetch(target, BASE_INTERVAL, startUs, endUs);
      if (bars.length > 0) this.rollUp(name, bars, startUs, endUs);
      // One error per instrument: a venue that is down is not asked again for finer bars.
      if (failed) return;
    }
    for (const interval of this.fineIntervals) {
      const fineFrom = Math.max(fromUs, alignBarOpenTime(toUs - this.options.fineSpanUs, interval));
      for (const [startUs, endUs] of missingRanges(this.options.store, name, interval, fineFrom, toUs)) {
        if ((await this.fetch(target, interval, startUs, endUs)).failed) return;
      }
    }
  }

  /** Asks the adapter for one range and writes what it gives; returns the bars written and whether it failed. */
  private async fetch(
    target: BackfillTarget,
    interval: BarInterval,
    startUs: number,
    endUs: number,
  ): Promise<{ bars: StoredBar[]; failed: boolean }> {
    const written: StoredBar[] = [];
    const { signal } = this.abort;
    const request: AdapterHistoryRequest = { symbol: target.symbol, interval, startUs, endUs, signal };
    let afterUs = startUs - 1;
    try {
      const pages = (target.adapter.history as NonNullable<FeedAdapter['history']>).call(target.adapter, request);
      for await (const page of pages) {
        if (signal.aborted) break;
        const batch: StoredBar[] = [];
        for (const raw of Array.isArray(page) ? (page as readonly unknown[]) : [page]) {
          const bar = toBackfilledBar(raw, target.instrument, { interval, startUs, endUs, afterUs });
          if (typeof bar === 'string') {
            this.rejected[bar] = (this.rejected[bar] ?? 0) + 1;
            continue;
          }
          afterUs = bar.openTimeUs;
          batch.push(bar);
        }
        if (batch.length > 0) {
          this.options.store.writeBars(batch);
          this.barsWritten += batch.length;
          for (const bar of batch) written.push(bar);
        }
        await yieldToEventLoop();
      }
    } catch (error) {
      if (signal.aborted) return { bars: written, failed: true };
      this.fail(`${target.instrument.symbol} ${BAR_INTERVAL_LABELS[interval]}: ${error instanceof Error ? error.message : String(error)}`);
      return { bars: written, failed: true };
    }
    return { bars: written, failed: false };
  }

  /**
   * Writes the longer intervals' bars that overlap [startUs, endUs), rolled up from the new 1m bars
   * plus the stored 1m bars of the same buckets just outside the range (so an edge bucket is whole).
   */
  private rollUp(name: string, bars: StoredBar[], startUs: number, endUs: number): void {
    const longest = this.rollUpIntervals[this.rollUpIntervals.length - 1];
    if (longest === undefined) return;
    const store = this.options.store;
    const firstBucketUs = alignBarOpenTime(startUs, longest);
    const beforeCount = (startUs - firstBucketUs) / (BASE_INTERVAL * US_PER_SECOND);
    const before = beforeCount > 0 ? store.page(name, BASE_INTERVAL, startUs, beforeCount).bars : [];
    const lastBucketUs = alignBarOpenTime(endUs - 1, longest);
    const lastBucketEndUs = lastBucketUs + longest * US_PER_SECOND;
    const count = (lastBucketEndUs - endUs) / (BASE_INTERVAL * US_PER_SECOND);
    const after = count > 0 ? store.page(name, BASE_INTERVAL, lastBucketEndUs, count).bars.filter((b) => b.openTimeUs >= endUs) : [];
    const all = [...before.filter((b) => b.openTimeUs >= firstBucketUs), ...bars, ...after];
    for (const interval of this.rollUpIntervals) {
      const spanUs = interval * US_PER_SECOND;
      const out = rollUpBars(all, name, interval).filter((b) => b.openTimeUs + spanUs > startUs && b.openTimeUs < endUs);
      store.writeBars(out);
      this.barsWritten += out.length;
    }
  }

  private fail(reason: string): void {
    this.errorCount += 1;
    this.errors.push(reason);
    if (this.errors.length > MAX_REPORTED_ERRORS) this.errors.shift();
    this.options.logger.warn('backfill error', { reason });
  }
}
