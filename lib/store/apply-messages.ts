/**
 * The store's frame reducer: folds every server message buffered since the last frame into the
 * market part of the state, in arrival order, and returns only the slices that changed (so
 * components subscribed to untouched slices do not render).
 *
 * Collections are copied at most once per frame, on first write; tickers are copied once per
 * instrument per frame and then mutated in place for the rest of the frame.
 */
import type { Bar, Instrument, MarketUpdate, Trade } from '../market/types';
import type { ServerMessage, SnapshotMessage } from '../protocol/messages';
import { mergeSnapshotBars, upsertBar } from './bar-series';
import { freshOlderBars } from './older-bars';
import { applyQuote, applySession, applyTrade, draftTicker, type TickerDraft } from './ticker';
import { freshChart, resolveSelection } from './selection';
import type { ChartState, ConnectionView, TapeEntry, Ticker } from './types';
import type { VenueStatus } from '../protocol/messages';

/** The part of the dashboard state market messages change. */
export interface MarketSlice {
  readonly connection: ConnectionView;
  readonly instruments: Readonly<Record<number, Instrument>>;
  readonly instrumentIds: readonly number[];
  readonly tickers: Readonly<Record<number, Ticker>>;
  readonly chart: ChartState;
  readonly tape: readonly TapeEntry[];
  readonly venues: readonly VenueStatus[];
  /** Wall-clock ms of the last market update applied; 0 before any. */
  readonly lastDataAtMs: number;
  /**
   * Name the chart and tape follow: the full `VENUE:SYMBOL` once resolved; before the instrument
   * table arrives, whatever was asked for (possibly a bare symbol).
   */
  readonly selectedSymbol: string | undefined;
}

/** Limits and hooks for {@link applyMessages}. */
export interface ApplyContext {
  /** Most bars kept for the chart. */
  readonly maxBars: number;
  /** Most trades kept in the tape. */
  readonly maxTape: number;
  /** Wall-clock time of this frame, ms since the Unix epoch. */
  readonly nowMs: number;
  /** Called with each live update's `receiveTimeUs` as it is applied (lag instrumentation). */
  readonly onLiveUpdate?: (receiveTimeUs: number) => void;
  /**
   * Called when the selected name is not in the instrument table, or is a bare symbol several
   * venues list (`candidates`); the first instrument is selected instead.
   */
  readonly onUnknownSymbol?: (symbol: string, fallback: string, candidates: readonly string[]) => void;
}

/** Folds `messages` into `state`; returns the changed slices (empty when nothing changed). */
export function applyMessages(state: MarketSlice, messages: readonly ServerMessage[], context: ApplyContext): Partial<MarketSlice> {
  const frame = new FrameDraft(state, context);
  for (const message of messages) frame.apply(message);
  return frame.result();
}

/** Tape key of a trade: unique within one server epoch. */
export function tapeKey(trade: Trade): string {
  return `${trade.instrumentId}:${trade.seq}:${String(trade.tradeId)}`;
}

function tapeEntry(trade: Trade): TapeEntry {
  return {
    key: tapeKey(trade),
    instrumentId: trade.instrumentId,
    seq: trade.seq,
    timeUs: trade.eventTimeUs,
    price: trade.price,
    size: trade.size,
    side: trade.side,
  };
}

class FrameDraft {
  private readonly out: { -readonly [K in keyof MarketSlice]?: MarketSlice[K] } = {};
  private tickers: Record<number, Ticker> | undefined;
  private readonly drafts = new Map<number, TickerDraft>();
  private bars: Bar[] | undefined;
  /** Trades of the charted instrument this frame, oldest first. */
  private newTape: TapeEntry[] = [];
  private tapeBase: readonly TapeEntry[];
  private tapeReplaced = false;

  constructor(
    private readonly state: MarketSlice,
    private readonly context: ApplyContext,
  ) {
    this.tapeBase = state.tape;
  }

  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
        this.onHello(message.epoch, message.serverId);
        break;
      case 'instruments':
        this.onInstruments(message.instruments);
        break;
      case 'batch':
        for (const update of message.updates) {
          this.context.onLiveUpdate?.(update.receiveTimeUs);
          this.applyUpdate(update);
        }
        if (message.updates.length > 0) this.out.lastDataAtMs = this.context.nowMs;
        break;
      case 'snapshot':
        this.onSnapshot(message);
        break;
      case 'status':
        this.out.venues = message.venues;
        break;
      default:
        // ack, error, heartbeat, ping, pong carry no market state.
        break;
    }
  }

  result(): Partial<MarketSlice> {
    if (this.tickers) {
      for (const [id, draft] of this.drafts) this.tickers[id] = draft;
      this.out.tickers = this.tickers;
    }
    if (this.bars) {
      const chart = this.chart();
      // Live bars pushed the oldest out: there is something older again.
      const trimmed =
        chart.older?.status === 'start' &&
        this.out.chart === undefined &&
        this.bars[0]?.openTimeUs !== this.state.chart.bars[0]?.openTimeUs;
      this.out.chart = { ...chart, bars: this.bars, ...(trimmed && chart.older ? { older: { ...chart.older, status: 'idle' } } : {}) };
    }
    if (this.newTape.length > 0 || this.tapeReplaced) {
      const merged = [...this.newTape.reverse(), ...this.tapeBase];
      this.out.tape = merged.length > this.context.maxTape ? merged.slice(0, this.context.maxTape) : merged;
    }
    return this.out;
  }

  private chart(): ChartState {
    return this.out.chart ?? this.state.chart;
  }

  private onHello(epoch: number, serverId: string): void {
    const connection = this.out.connection ?? this.state.connection;
    if (connection.epoch !== undefined && connection.epoch !== epoch) {
      // Sequence numbers and instrument ids restarted: everything keyed by them is void. The
      // instrument table that follows `hello` re-resolves the selection.
      this.tickers = {};
      this.drafts.clear();
      this.bars = undefined;
      this.out.instruments = {};
      this.out.instrumentIds = [];
      this.out.chart = freshChart(this.chart(), undefined);
      this.newTape = [];
      this.tapeBase = [];
      this.tapeReplaced = true;
    }
    this.out.connection = { ...connection, epoch, serverId };
  }

  private onInstruments(entries: readonly (Instrument & { removed: boolean })[]): void {
    const instruments = { ...(this.out.instruments ?? this.state.instruments) };
    for (const entry of entries) {
      if (entry.removed) {
        delete instruments[entry.id];
        this.drafts.delete(entry.id);
        this.tickers ??= { ...this.state.tickers };
        delete this.tickers[entry.id];
        continue;
      }
      const { removed: _removed, ...instrument } = entry;
      instruments[entry.id] = instrument;
    }
    this.out.instruments = instruments;
    this.out.instrumentIds = Object.keys(instruments).map(Number);
    this.followSelection();
  }

  /** Points the chart and tape at the selected symbol now that the table may know it. */
  private followSelection(): void {
    const change = resolveSelection(
      this.out.selectedSymbol ?? this.state.selectedSymbol,
      this.chart(),
      this.out.instruments ?? this.state.instruments,
      this.out.instrumentIds ?? this.state.instrumentIds,
    );
    if (!change) return;
    if (change.unknownSymbol !== undefined) {
      this.context.onUnknownSymbol?.(change.unknownSymbol, change.selectedSymbol, change.candidates);
    }
    this.out.selectedSymbol = change.selectedSymbol;
    if (change.chart === this.chart()) return; // same instrument, now under its full name
    this.out.chart = change.chart;
    this.bars = undefined;
    this.newTape = [];
    this.tapeBase = [];
    this.tapeReplaced = true;
  }

  private onSnapshot(snapshot: SnapshotMessage): void {
    if (snapshot.recovered) {
      for (const update of snapshot.updates) this.applyUpdate(update);
      this.out.lastDataAtMs = this.context.nowMs;
      return;
    }
    const ticks: MarketUpdate[] = [];
    const bars: Bar[] = [];
    for (const update of snapshot.updates) {
      if (update.kind === 'bar') bars.push(update);
      else ticks.push(update);
    }
    // A fresh snapshot lists the last quote and recent trades in no promised order; apply them by
    // sequence so that sequence de-duplication keeps all of them.
    ticks.sort((a, b) => a.seq - b.seq);
    for (const tick of ticks) this.applyUpdate(tick);
    const chart = this.chart();
    if (snapshot.instrumentId === chart.instrumentId) this.mergeTape(ticks);
    if (snapshot.instrumentId === chart.instrumentId && snapshot.interval === chart.interval) {
      // The chart's bars are from this epoch (a new epoch or selection empties them): a resync
      // keeps the older ones the snapshot does not reach back to.
      const held = this.bars ?? chart.bars;
      this.bars = mergeSnapshotBars(held, bars, chart.older?.limit ?? this.context.maxBars);
      // Scroll-back goes on while the held bars were kept (the same oldest bar); otherwise it starts again.
      const older = chart.older && held[0] !== undefined && this.bars[0] === held[0] ? chart.older : freshOlderBars(this.context.maxBars);
      this.out.chart = { ...chart, bars: this.bars, revision: chart.revision + 1, status: 'ready', older };
    }
    this.out.lastDataAtMs = this.context.nowMs;
  }

  private applyUpdate(update: MarketUpdate): void {
    if (update.kind === 'bar') {
      const chart = this.chart();
      if (update.instrumentId !== chart.instrumentId || update.interval !== chart.interval) return;
      this.bars ??= chart.bars.slice();
      upsertBar(this.bars, update, chart.older?.limit ?? this.context.maxBars);
      return;
    }
    if (!(this.out.instruments ?? this.state.instruments)[update.instrumentId]) return;
    const draft = this.ticker(update.instrumentId);
    if (update.kind === 'quote') {
      applyQuote(draft, update, this.context.nowMs);
      return;
    }
    if (update.kind === 'session') {
      applySession(draft, update, this.context.nowMs);
      return;
    }
    if (applyTrade(draft, update, this.context.nowMs) && update.instrumentId === this.chart().instrumentId) {
      this.newTape.push(tapeEntry(update));
    }
  }

  /**
   * Puts a fresh snapshot's recent trades into the tape. The watchlist subscription has usually
   * applied newer trades to the ticker already, so these bypass sequence de-duplication and are
   * de-duplicated against the tape by key instead.
   */
  private mergeTape(ticks: readonly MarketUpdate[]): void {
    const current = [...this.newTape.reverse(), ...this.tapeBase];
    const seen = new Set(current.map((entry) => entry.key));
    for (const tick of ticks) {
      if (tick.kind !== 'trade') continue;
      const entry = tapeEntry(tick);
      if (!seen.has(entry.key)) current.push(entry);
    }
    current.sort((a, b) => b.seq - a.seq);
    this.newTape = [];
    this.tapeBase = current;
    this.tapeReplaced = true;
  }

  private ticker(instrumentId: number): TickerDraft {
    let draft = this.drafts.get(instrumentId);
    if (!draft) {
      this.tickers ??= { ...this.state.tickers };
      draft = draftTicker(this.tickers[instrumentId], instrumentId);
      this.drafts.set(instrumentId, draft);
    }
    return draft;
  }
}
