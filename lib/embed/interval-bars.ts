/**
 * The bars of one (instrument, interval) pair as the feed sends them: a snapshot seeds them
 * (fresh) or brings the bars changed since the resume point (recovered), and live batches update
 * them. Every chart of the page watching the same pair shares one {@link IntervalBars}.
 *
 * Protocol v2 carries each pair held on a connection (docs/protocol.md §2.3), so nothing is
 * folded from trades here: the bars are the server's.
 *
 * Scroll-back (lib/store/older-bars.ts) puts older pages in front of them: one request in flight
 * per pair, whichever of its charts asked.
 */
import type { Bar, BarInterval, MarketUpdate, Trade } from '../market/types';
import type { SnapshotMessage } from '../protocol/messages';
import { mergeSnapshotBars, upsertBar } from '../store/bar-series';
import { canLoadOlder, freshOlderBars, mergeOlderBars, olderFailed, type OlderBars, type OlderPage } from '../store/older-bars';

/** Bars an embed keeps by default (a fresh snapshot brings 300; live bars add to them). */
export const DEFAULT_EMBED_MAX_BARS = 1000;

/** Bars of one instrument at one interval. */
export class IntervalBars {
  #bars: Bar[] = [];
  /** True once {@link bars} handed the array out: the next change copies it first. */
  #shared = false;
  #revision = 0;
  #seeded = false;
  #lastTrade: Trade | undefined;
  #changed = false;
  #older: OlderBars;

  /**
   * @param instrumentId - the instrument (of the current server epoch).
   * @param interval - bar interval in seconds.
   * @param maxBars - bars kept (oldest dropped). @defaultValue {@link DEFAULT_EMBED_MAX_BARS}
   */
  constructor(
    readonly instrumentId: number,
    readonly interval: BarInterval,
    readonly maxBars: number = DEFAULT_EMBED_MAX_BARS,
  ) {
    if (!Number.isSafeInteger(maxBars) || maxBars < 1) throw new TypeError(`maxBars must be a positive integer, got ${String(maxBars)}`);
    this.#older = freshOlderBars(maxBars);
  }

  /** Scroll-back state, once a fresh snapshot seeded the bars (undefined before). */
  get older(): OlderBars | undefined {
    return this.#seeded ? this.#older : undefined;
  }

  /**
   * Starts a request for the page before the oldest bar when one may start now (`nowMs`, wall
   * clock): returns the token to hand back with the answer, and the page's `endTimeUs` (µs).
   */
  beginOlder(nowMs: number): { readonly token: OlderBars; readonly endTimeUs: number } | undefined {
    if (!this.#seeded || !canLoadOlder(this.#older, nowMs)) return undefined;
    this.#older = { ...this.#older, status: 'loading' };
    this.#changed = true;
    return { token: this.#older, endTimeUs: this.#bars[0]?.openTimeUs ?? 0 };
  }

  /** Merges the page asked for with `token` in front of the bars; false when the token is stale. */
  olderLoaded(token: OlderBars, page: OlderPage): boolean {
    if (token !== this.#older) return false;
    const merged = mergeOlderBars(this.#bars, page, token);
    this.#bars = merged.bars;
    this.#shared = false;
    this.#older = merged.older;
    this.#changed = true;
    return true;
  }

  /** The page asked for with `token` failed at `nowMs`; false when the token is stale. */
  olderFailed(token: OlderBars, nowMs: number): boolean {
    if (token !== this.#older) return false;
    this.#older = olderFailed(token, nowMs);
    this.#changed = true;
    return true;
  }

  /**
   * Bars ascending by open time. The array is not changed afterwards (a later change copies it),
   * so a consumer may keep it and compare identities.
   */
  get bars(): readonly Bar[] {
    this.#shared = true;
    return this.#bars;
  }

  /** Changes whenever the whole series must be redrawn (a fresh snapshot). */
  get revision(): number {
    return this.#revision;
  }

  /** True once a fresh snapshot arrived: the bars are real, not merely empty. */
  get seeded(): boolean {
    return this.#seeded;
  }

  /** Last trade seen (live or from a snapshot). */
  get lastTrade(): Trade | undefined {
    return this.#lastTrade;
  }

  /** True when anything a viewer sees changed since the last {@link takeChanged}. */
  get changed(): boolean {
    return this.#changed;
  }

  /** True (once) after anything a viewer sees changed; reading it clears it. */
  takeChanged(): boolean {
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }

  /** Applies a snapshot of this pair (other instruments and intervals are ignored). */
  snapshot(message: Pick<SnapshotMessage, 'instrumentId' | 'recovered' | 'interval' | 'updates'>): void {
    if (message.instrumentId !== this.instrumentId || message.interval !== this.interval) return;
    const bars: Bar[] = [];
    for (const update of message.updates) {
      if (update.kind === 'bar') {
        if (update.interval === this.interval) bars.push(update);
      } else if (update.kind === 'trade') {
        this.#noteTrade(update);
      }
    }
    if (message.recovered && this.#seeded) {
      // The bars the missed trades changed.
      for (const bar of bars) this.#upsert(bar);
      return;
    }
    // As the dashboard: a resync keeps the older bars the snapshot does not reach back to, and with
    // them the scroll-back state; otherwise paging starts again from the snapshot.
    const held = this.#bars;
    this.#bars = mergeSnapshotBars(held, bars, this.#older.limit);
    if (held[0] === undefined || this.#bars[0] !== held[0]) this.#older = freshOlderBars(this.maxBars);
    this.#shared = false;
    this.#revision += 1;
    this.#seeded = true;
    this.#changed = true;
  }

  /** Applies this instrument's updates from a live batch: its trades, and its bars of this interval. */
  batch(updates: readonly MarketUpdate[]): void {
    for (const update of updates) {
      if (update.instrumentId !== this.instrumentId) continue;
      if (update.kind === 'bar') {
        if (update.interval === this.interval && this.#seeded) this.#upsert(update);
      } else if (update.kind === 'trade') {
        this.#noteTrade(update);
      }
    }
  }

  /** Remembers the newest trade (the header shows the last price). */
  #noteTrade(trade: Trade): void {
    if (this.#lastTrade === undefined || trade.seq > this.#lastTrade.seq) {
      this.#lastTrade = trade;
      this.#changed = true;
    }
  }

  #upsert(bar: Bar): void {
    if (this.#shared) {
      this.#bars = this.#bars.slice();
      this.#shared = false;
    }
    const first = this.#bars[0];
    upsertBar(this.#bars, bar, this.#older.limit);
    // Live bars pushed the oldest out: there is something older again.
    if (this.#older.status === 'start' && this.#bars[0] !== first) this.#older = { ...this.#older, status: 'idle' };
    this.#changed = true;
  }
}
