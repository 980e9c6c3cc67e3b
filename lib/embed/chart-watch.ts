/**
 * One chart's interest in a feed: the name it asked for, the {@link IntervalBars} of its
 * (instrument, interval) pair (shared with every chart of the page watching the same pair), and
 * the listener that gets an {@link EmbedChartState} at most once per animation frame however fast
 * data arrives (the chart draws with `series.update()` from it, never per tick).
 */
import type { BarInterval, Instrument } from '../market/types';
import type { FrameScheduler } from '../store/frame-scheduler';
import type { ChartState, ConnectionState } from '../store/types';
import type { EmbedProblem } from './embed-problem';
import type { IntervalBars } from './interval-bars';

/** Where an embedded chart is in its life. */
export type EmbedStatus =
  /** No connection to the feed yet. */
  | 'connecting'
  /** Connected; waiting for the instrument's bars. */
  | 'loading'
  /** Drawing live bars. */
  | 'ready'
  /** A problem stops it (see `problem`); it recovers by itself when the problem goes away. */
  | 'error';

/** What one embedded chart shows, handed to its listener at most once per frame. */
export interface EmbedChartState {
  readonly status: EmbedStatus;
  /** Connection state of the page's shared feed client. */
  readonly connection: ConnectionState;
  /** The instrument, once the name resolved. */
  readonly instrument: Instrument | undefined;
  /** Bars in the shape the dashboard's ChartController draws. */
  readonly chart: ChartState;
  /** Last trade price (mantissa at `instrument.priceDecimals`). */
  readonly lastPrice: number | undefined;
  /** Direction of the last price change: 1 up, -1 down, 0 unchanged or unknown. */
  readonly lastDirection: -1 | 0 | 1;
  /** What stops the chart (status 'error'), or what troubles it while it still shows bars. */
  readonly problem: EmbedProblem | undefined;
}

/** Receives chart states. */
export type EmbedChartListener = (state: EmbedChartState) => void;

/** Hub-wide facts a watch combines with its own into a state. */
export interface HubFacts {
  readonly connection: ConnectionState;
  /** A problem of the whole connection (unreachable, origin refused...). */
  readonly problem: EmbedProblem | undefined;
}

/** A chart's subscription inside a FeedHub. */
export class ChartWatch {
  /** Instrument the name resolved to, when the table knows it. */
  instrument: Instrument | undefined;
  /** Problem of this chart alone (unknown symbol, refused request). */
  problem: EmbedProblem | undefined;
  #cancelFrame: (() => void) | undefined;
  #lastPrice: number | undefined;
  #direction: -1 | 0 | 1 = 0;
  #closed = false;
  /** Added to the bars' revision so a change of pair (new resolution, new epoch) always redraws. */
  #revisionBase = 0;
  #bars: IntervalBars | undefined;

  constructor(
    /** The name as the chart gave it (full or bare). */
    readonly name: string,
    readonly interval: BarInterval,
    private readonly listener: EmbedChartListener,
    private readonly scheduler: FrameScheduler,
    private readonly facts: () => HubFacts,
  ) {}

  /** Bars of the pair (instrument, interval), once the name resolved. */
  get bars(): IntervalBars | undefined {
    return this.#bars;
  }

  /** Points the watch at another pair's bars (or none): the chart redraws. */
  setBars(bars: IntervalBars | undefined): void {
    if (bars === this.#bars) return;
    this.#revisionBase += 1 + (this.#bars?.revision ?? 0);
    this.#bars = bars;
  }

  /** Asks for a state delivery at the next frame (coalesced). */
  notify(): void {
    if (this.#closed) return;
    this.#cancelFrame ??= this.scheduler(() => {
      this.#cancelFrame = undefined;
      if (!this.#closed) this.listener(this.state());
    });
  }

  /** The state now. */
  state(): EmbedChartState {
    const facts = this.facts();
    const bars = this.bars;
    const seeded = bars?.seeded ?? false;
    const price = bars?.lastTrade?.price;
    if (price !== this.#lastPrice) {
      if (price !== undefined && this.#lastPrice !== undefined)
        this.#direction = price > this.#lastPrice ? 1 : price < this.#lastPrice ? -1 : this.#direction;
      this.#lastPrice = price;
    }
    const problem = this.problem ?? facts.problem;
    const status =
      problem !== undefined && (this.problem !== undefined || !seeded)
        ? 'error'
        : seeded
          ? 'ready'
          : facts.connection === 'connected'
            ? 'loading'
            : 'connecting';
    return {
      status,
      connection: facts.connection,
      instrument: this.instrument,
      chart: {
        instrumentId: bars?.instrumentId,
        interval: this.interval,
        bars: bars?.bars ?? [],
        revision: this.#revisionBase + (bars?.revision ?? 0),
        status: seeded ? 'ready' : 'loading',
        older: bars?.older,
      },
      lastPrice: price,
      lastDirection: this.#direction,
      problem,
    };
  }

  /** Stops deliveries. */
  close(): void {
    this.#closed = true;
    this.#cancelFrame?.();
    this.#cancelFrame = undefined;
  }
}
