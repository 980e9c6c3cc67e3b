/**
 * The bars of one instrument at one interval, kept exact whatever bar interval the connection
 * carries for that instrument.
 *
 * A connection subscribes each instrument at one bar interval (docs/protocol.md 2.2), yet a page
 * may chart BTC-USD at 1m and at 1h over its one connection. So an {@link IntervalBars} works in
 * one of two modes, chosen by the interval of the last snapshot it saw for its instrument (the
 * interval the server is sending, since subscribing again replaces the interval and answers with
 * a snapshot):
 *
 * - **wire**: the connection carries bars of this interval; they are taken as they come.
 * - **fold**: it carries another interval (or none); this interval's bars are built here from the
 *   trades, which the connection carries whatever the interval, with the same {@link BarBuilder}
 *   the gateway's history uses, so they equal the server's.
 *
 * Folding needs a starting point (a *seed*: a fresh snapshot at this interval) and every trade
 * after it. Trades and quotes share one sequence per instrument, so a missing one shows as a gap;
 * a fresh snapshot of another interval fills a gap when its recent trades reach back far enough.
 * When nothing can fill it, {@link IntervalBars.needsSeed} turns true and the owner (FeedHub)
 * asks the server for a new seed. Meanwhile the bars held stay on screen.
 *
 * One approximation: a *late* trade (venue time inside an older bar) that lands in a bar which
 * came from the server rather than from trades folded here updates its high, low and volume
 * exactly, but may take the close, since a bar on the wire does not say when its close traded.
 */
import { BarBuilder } from '../market/bars';
import type { Bar, BarInterval, MarketUpdate, Quote, Trade } from '../market/types';
import type { SnapshotMessage } from '../protocol/messages';
import { normaliseBars, upsertBar } from '../store/bar-series';

/** Bars an embed keeps by default (a fresh snapshot brings 300; live bars add to them). */
export const DEFAULT_EMBED_MAX_BARS = 1000;

/** Bars of one instrument at one interval. */
export class IntervalBars {
  #instrumentId: number | undefined;
  #bars: Bar[] = [];
  /** True once {@link bars} handed the array out: the next change copies it first. */
  #shared = false;
  #revision = 0;
  /** Interval of the last snapshot seen for the instrument (what the wire carries); undefined before one. */
  #wire: BarInterval | 0 | undefined;
  #seeded = false;
  /** Every trade and quote up to {@link #lastSeq} is reflected in the bars. */
  #synced = false;
  #lastSeq = 0;
  #lastTrade: Trade | undefined;
  #lastQuote: Quote | undefined;
  #builder: BarBuilder | undefined;
  /** The builder holds the current bars (false after bars arrive from the wire). */
  #builderCurrent = false;
  #changed = false;

  /**
   * @param interval - bar interval in seconds.
   * @param maxBars - bars kept (oldest dropped). @defaultValue {@link DEFAULT_EMBED_MAX_BARS}
   */
  constructor(
    readonly interval: BarInterval,
    readonly maxBars: number = DEFAULT_EMBED_MAX_BARS,
  ) {
    if (!Number.isSafeInteger(maxBars) || maxBars < 1) throw new TypeError(`maxBars must be a positive integer, got ${String(maxBars)}`);
  }

  /** Instrument these bars are for; undefined until the name resolves. */
  get instrumentId(): number | undefined {
    return this.#instrumentId;
  }

  /**
   * Bars ascending by open time. The array is not changed afterwards (a later change copies it),
   * so a consumer may keep it and compare identities.
   */
  get bars(): readonly Bar[] {
    this.#shared = true;
    return this.#bars;
  }

  /** Changes whenever the whole series must be redrawn (a new instrument, epoch, or a seed after a gap). */
  get revision(): number {
    return this.#revision;
  }

  /** True once a seed arrived: the bars are real, not merely empty. */
  get seeded(): boolean {
    return this.#seeded;
  }

  /** Last trade seen (live or from a snapshot). */
  get lastTrade(): Trade | undefined {
    return this.#lastTrade;
  }

  /** Last quote seen. */
  get lastQuote(): Quote | undefined {
    return this.#lastQuote;
  }

  /** Interval the connection currently carries for the instrument (0 = none), if known. */
  get wireInterval(): BarInterval | 0 | undefined {
    return this.#wire;
  }

  /** True when the bars cannot be kept exact from what arrives: a fresh snapshot at {@link interval} is needed. */
  get needsSeed(): boolean {
    if (this.#instrumentId === undefined) return false;
    return !this.#seeded || (this.#wire !== this.interval && !this.#synced);
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

  /**
   * Starts over for `instrumentId` (a new name resolution or a new server epoch): no bars, not
   * seeded. `wire` is what the connection already carries for it, when known.
   */
  reset(instrumentId: number | undefined, wire?: BarInterval | 0): void {
    this.#instrumentId = instrumentId;
    this.#bars = [];
    this.#shared = false;
    this.#revision += 1;
    this.#wire = wire;
    this.#seeded = false;
    this.#synced = false;
    this.#lastSeq = 0;
    this.#lastTrade = undefined;
    this.#lastQuote = undefined;
    this.#builder = undefined;
    this.#builderCurrent = false;
    this.#changed = true;
  }

  /** Applies a snapshot of this instrument (any interval, fresh or recovered). */
  snapshot(message: Pick<SnapshotMessage, 'instrumentId' | 'recovered' | 'seq' | 'interval' | 'updates'>): void {
    if (message.instrumentId !== this.#instrumentId) return;
    this.#wire = message.interval;
    const ticks: (Trade | Quote)[] = [];
    const bars: Bar[] = [];
    for (const update of message.updates) {
      if (update.kind === 'bar') {
        if (update.interval === this.interval) bars.push(update);
      } else if (update.kind !== 'session') {
        // Session figures do not touch bars.
        ticks.push(update);
      }
    }
    ticks.sort((a, b) => a.seq - b.seq);
    if (message.recovered) {
      // Exactly the ticks after the resume point, then the bars they changed.
      for (const tick of ticks) this.#tick(tick, false);
      for (const bar of bars) this.#upsertWireBar(bar);
      return;
    }
    if (message.interval === this.interval) {
      this.#seed(bars, message.seq, ticks);
      return;
    }
    // A fresh snapshot at another interval: the client's position restarts at its seq. The
    // ticks it lists are the last quote and the most recent trades up to `seq`, contiguous in
    // trades: when the oldest reaches back to our position, every trade we lack is there.
    for (const tick of ticks) this.#noteTick(tick);
    if (!this.#seeded) return;
    const trades = ticks.filter((t): t is Trade => t.kind === 'trade');
    const oldest = trades[0];
    const covered = message.seq <= this.#lastSeq || oldest === undefined || oldest.seq <= this.#lastSeq + 1;
    if (!this.#synced || !covered) {
      this.#synced = false;
      this.#lastSeq = Math.max(this.#lastSeq, message.seq);
      return;
    }
    for (const trade of trades) if (trade.seq > this.#lastSeq) this.#fold(trade);
    this.#lastSeq = Math.max(this.#lastSeq, message.seq);
  }

  /** Applies this instrument's updates from a live batch, in order. */
  batch(updates: readonly MarketUpdate[], conflated: boolean): void {
    for (const update of updates) {
      if (update.instrumentId !== this.#instrumentId) continue;
      if (update.kind === 'bar') {
        if (update.interval === this.interval && this.#wire === this.interval) this.#upsertWireBar(update);
      } else if (update.kind !== 'session') {
        this.#tick(update, conflated);
      }
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  #seed(bars: Bar[], seq: number, ticks: readonly (Trade | Quote)[]): void {
    const wasExact = this.#seeded && this.#synced;
    this.#bars = normaliseBars(bars, this.maxBars);
    this.#shared = false;
    // A re-seed of bars already exact changes nothing a person sees: keep the view (zoom, scroll).
    if (!wasExact) this.#revision += 1;
    this.#seeded = true;
    this.#synced = true;
    this.#lastSeq = seq;
    this.#builderCurrent = false;
    for (const tick of ticks) this.#noteTick(tick);
    this.#changed = true;
  }

  /** A live (or recovered) trade or quote, checked against the sequence. */
  #tick(tick: Trade | Quote, conflated: boolean): void {
    if (this.#seeded && tick.seq <= this.#lastSeq) return; // already reflected
    this.#noteTick(tick);
    if (!this.#seeded) return;
    // A conflated batch drops trades on purpose: bars built here would miss them.
    if (conflated || tick.seq !== this.#lastSeq + 1) this.#synced = false;
    this.#lastSeq = tick.seq;
    if (tick.kind === 'trade' && this.#wire !== this.interval && this.#synced) this.#fold(tick);
  }

  /** Remembers the newest trade and quote (the header shows the last price). */
  #noteTick(tick: Trade | Quote): void {
    if (tick.kind === 'trade') {
      if (this.#lastTrade === undefined || tick.seq > this.#lastTrade.seq) {
        this.#lastTrade = tick;
        this.#changed = true;
      }
    } else if (this.#lastQuote === undefined || tick.seq > this.#lastQuote.seq) {
      this.#lastQuote = tick;
    }
  }

  #fold(trade: Trade): void {
    if (this.#instrumentId === undefined) return;
    if (!this.#builder || !this.#builderCurrent) {
      this.#builder ??= new BarBuilder(this.#instrumentId, this.interval, this.maxBars);
      this.#builder.restore(this.#bars);
      this.#builderCurrent = true;
    }
    const handle = this.#builder.add(trade);
    if (handle) this.#upsert(handle.toBar());
  }

  #upsertWireBar(bar: Bar): void {
    if (!this.#seeded) return; // no base to add it to yet: the seed brings it
    this.#upsert(bar);
    this.#builderCurrent = false;
  }

  #upsert(bar: Bar): void {
    if (this.#shared) {
      this.#bars = this.#bars.slice();
      this.#shared = false;
    }
    upsertBar(this.#bars, bar, this.maxBars);
    this.#changed = true;
  }
}
