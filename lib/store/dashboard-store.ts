/**
 * The dashboard store: a vanilla zustand store (no React) holding everything the dashboard shows.
 *
 * Market messages do not touch the state as they arrive. {@link DashboardActions.ingest} buffers
 * them and one flush per animation frame folds the whole buffer in (see apply-messages.ts), so
 * 20,000 updates a second cost ~60 state changes a second, and React renders at most once a frame.
 *
 * Create one per page inside a client provider (never a module-level global: Next.js renders on
 * the server for many requests with the same modules).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { BAR_INTERVALS, type BarInterval } from '../market/types';
import type { ServerMessage } from '../protocol/messages';
import { applyMessages, type MarketSlice } from './apply-messages';
import { animationFrameScheduler, type FrameScheduler } from './frame-scheduler';
import { createLagProbe, type LagProbe } from './lag-probe';
import { canLoadOlder, mergeOlderBars, olderFailed, type OlderBars, type OlderPage } from './older-bars';
import { freshChart, resolveSelection } from './selection';
import type { ConnectionState, DashboardError, DashboardErrorKind, DisplayPrefs, FeedStatsView } from './types';

/** Options of {@link createDashboardStore}. */
export interface DashboardStoreOptions {
  /** Feed URL shown in the badge and in error advice. */
  url: string;
  /** Symbol to select first; the first instrument when undefined. */
  initialSymbol?: string | undefined;
  /** Bar interval to show first (seconds). @defaultValue 60 */
  initialInterval: BarInterval;
  /** Most bars the chart keeps. @defaultValue 2000 */
  maxBars: number;
  /** Most trades the tape keeps. @defaultValue 200 */
  maxTape: number;
  /** Buffered messages that force a flush without waiting for a frame. @defaultValue 20000 */
  maxPendingMessages: number;
  /** Schedules the per-frame flush. @defaultValue next animation frame (timer fallback) */
  scheduler: FrameScheduler;
  /** Wall clock in ms since the Unix epoch (injectable for tests). @defaultValue Date.now-ish, µs resolution */
  now: () => number;
  /** Initial display preferences. */
  prefs: DisplayPrefs;
}

/** Defaults of {@link DashboardStoreOptions}. */
export const DASHBOARD_STORE_DEFAULTS: Omit<DashboardStoreOptions, 'url'> = {
  initialSymbol: undefined,
  initialInterval: 60,
  maxBars: 2000,
  maxTape: 200,
  maxPendingMessages: 20_000,
  scheduler: animationFrameScheduler(),
  now: wallClockMs,
  prefs: { timeZone: 'local', theme: 'system' },
};

/** Everything a person can do to the store, and what the feed bridge reports into it. */
export interface DashboardActions {
  /** Buffers a decoded server message; applied at the next frame. */
  ingest(message: ServerMessage): void;
  /** Applies everything buffered now (tests, and before a selection change). */
  flush(): void;
  setConnectionState(state: ConnectionState, retryAt?: number): void;
  /** Sets the feed URL shown in the badge and in error advice (known only in the browser). */
  setFeedUrl(url: string): void;
  setStats(stats: FeedStatsView): void;
  /** Selects an instrument by full or bare name: the chart and tape reload for it. */
  select(symbol: string): void;
  /**
   * Moves the selection by `offset` positions within `orderedSymbols` (keyboard up/down), stopping
   * at the ends. When the selection is not in the list, a positive offset counts from above the
   * first row and a negative one from below the last.
   */
  selectRelative(orderedSymbols: readonly string[], offset: number): void;
  /** Changes the chart's bar interval: the chart reloads. */
  setInterval(interval: BarInterval): void;
  /**
   * Asks for the page of bars before the chart's oldest (scroll-back, lib/store/older-bars.ts):
   * the chart's `older` becomes a new object with status `loading`, which the feed bridge sees and
   * answers with {@link olderBarsLoaded} or {@link olderBarsFailed}. Does nothing while a page is
   * in flight, at the start of data, before the snapshot, or within the retry wait after a failure.
   */
  loadOlder(): void;
  /** Merges a page asked for by {@link loadOlder} with `token` (the chart's `older` then); a stale token is ignored. */
  olderBarsLoaded(token: OlderBars, page: OlderPage): void;
  /** The page asked for with `token` failed; a stale token is ignored. */
  olderBarsFailed(token: OlderBars): void;
  /** Raises (or refreshes) an error banner. */
  reportError(kind: DashboardErrorKind, subject: string, message: string, hint: string): void;
  dismissError(id: string): void;
  /** Removes every error of `kind` (the problem went away, e.g. the feed is reachable again). */
  clearErrors(kind: DashboardErrorKind): void;
  setPrefs(prefs: Partial<DisplayPrefs>): void;
}

/** The whole dashboard state. */
export interface DashboardState extends MarketSlice {
  readonly stats: FeedStatsView;
  readonly errors: readonly DashboardError[];
  readonly prefs: DisplayPrefs;
  readonly actions: DashboardActions;
}

/** A dashboard store plus its lag instrumentation. */
export type DashboardStore = StoreApi<DashboardState> & { readonly lagProbe: LagProbe };

/** Creates a dashboard store. Throws TypeError naming a bad option. */
export function createDashboardStore(options: Partial<DashboardStoreOptions> & { url: string }): DashboardStore {
  const config: DashboardStoreOptions = { ...DASHBOARD_STORE_DEFAULTS, ...options };
  validate(config);
  const lagProbe = createLagProbe();
  let pending: ServerMessage[] = [];
  let cancelFrame: (() => void) | undefined;

  const store = createStore<DashboardState>()((set, get) => {
    const reportUnknown = (symbol: string, fallback: string, candidates: readonly string[]): void =>
      get().actions.reportError(
        'unknown-instrument',
        symbol,
        candidates.length > 0
          ? `"${symbol}" is listed by several venues: ${candidates.join(', ')}.`
          : `Instrument "${symbol}" is not offered by this feed.`,
        `Showing ${fallback} instead; pick another from the watchlist${candidates.length > 0 ? ' or use the full VENUE:SYMBOL name' : ''}.`,
      );

    const flush = (): void => {
      cancelFrame?.();
      cancelFrame = undefined;
      if (pending.length === 0) return;
      const messages = pending;
      pending = [];
      const nowMs = config.now();
      const changes = applyMessages(get(), messages, {
        maxBars: config.maxBars,
        maxTape: config.maxTape,
        nowMs,
        onLiveUpdate: (receiveTimeUs) => lagProbe.record(nowMs - receiveTimeUs / 1000),
        onUnknownSymbol: reportUnknown,
      });
      if (Object.keys(changes).length > 0) set(changes);
    };

    const actions: DashboardActions = {
      ingest(message) {
        pending.push(message);
        if (pending.length >= config.maxPendingMessages) flush();
        else cancelFrame ??= config.scheduler(flush);
      },
      flush,
      setConnectionState(state, retryAt) {
        const { connection } = get();
        set({ connection: { ...connection, state, retryAt: state === 'reconnecting' ? retryAt : undefined } });
      },
      setFeedUrl(url) {
        set({ connection: { ...get().connection, url } });
      },
      setStats(stats) {
        set({ stats });
      },
      select(symbol) {
        flush();
        const state = get();
        if (symbol === state.selectedSymbol && state.chart.instrumentId !== undefined) return;
        const unresolved = { ...state.chart, instrumentId: undefined };
        const change = resolveSelection(symbol, unresolved, state.instruments, state.instrumentIds);
        if (!change) {
          // Instrument table not here yet: remember the name; the table resolves it on arrival.
          set({ selectedSymbol: symbol, chart: freshChart(state.chart, undefined), tape: [] });
          return;
        }
        if (change.unknownSymbol !== undefined) reportUnknown(change.unknownSymbol, change.selectedSymbol, change.candidates);
        if (change.chart.instrumentId === state.chart.instrumentId) {
          set({ selectedSymbol: change.selectedSymbol }); // same instrument by another name
          return;
        }
        set({ selectedSymbol: change.selectedSymbol, chart: change.chart, tape: [] });
      },
      selectRelative(orderedSymbols, offset) {
        if (orderedSymbols.length === 0) return;
        const current = get().selectedSymbol;
        const last = orderedSymbols.length - 1;
        const index = current === undefined ? -1 : orderedSymbols.indexOf(current);
        // Not in the list (e.g. filtered out): a move down enters it from above the first row,
        // a move up from below the last, so End lands on the last row and Home on the first.
        const from = index >= 0 ? index : offset > 0 ? -1 : orderedSymbols.length;
        const next = Math.min(last, Math.max(0, from + offset));
        const symbol = orderedSymbols[next];
        if (symbol !== undefined) actions.select(symbol);
      },
      setInterval(interval) {
        flush();
        const { chart } = get();
        if (interval === chart.interval) return;
        set({ chart: freshChart(chart, chart.instrumentId, interval) });
      },
      loadOlder() {
        const { chart } = get();
        if (chart.status !== 'ready' || !chart.older || !canLoadOlder(chart.older, config.now())) return;
        set({ chart: { ...chart, older: { ...chart.older, status: 'loading' } } });
      },
      olderBarsLoaded(token, page) {
        flush(); // live bars buffered for this frame go in first: they win over the page's
        const { chart } = get();
        if (chart.older !== token) return;
        const merged = mergeOlderBars(chart.bars, page, token);
        set({ chart: { ...chart, bars: merged.bars, older: merged.older } });
      },
      olderBarsFailed(token) {
        const { chart } = get();
        if (chart.older !== token) return;
        set({ chart: { ...chart, older: olderFailed(token, config.now()) } });
      },
      reportError(kind, subject, message, hint) {
        const id = `${kind}:${subject}`;
        const error: DashboardError = { id, kind, message, hint, at: config.now() };
        set({ errors: [...get().errors.filter((e) => e.id !== id), error] });
      },
      dismissError(id) {
        set({ errors: get().errors.filter((e) => e.id !== id) });
      },
      clearErrors(kind) {
        const { errors } = get();
        if (errors.some((e) => e.kind === kind)) set({ errors: errors.filter((e) => e.kind !== kind) });
      },
      setPrefs(prefs) {
        set({ prefs: { ...get().prefs, ...prefs } });
      },
    };

    return {
      connection: { state: 'idle', retryAt: undefined, url: config.url, epoch: undefined, serverId: undefined },
      instruments: {},
      instrumentIds: [],
      tickers: {},
      chart: { instrumentId: undefined, interval: config.initialInterval, bars: [], revision: 0, status: 'loading' },
      tape: [],
      venues: [],
      lastDataAtMs: 0,
      selectedSymbol: config.initialSymbol,
      stats: { messagesPerSec: 0, updatesPerSec: 0, bytesPerSec: 0, rttMs: undefined, dataAgeMs: undefined },
      errors: [],
      prefs: config.prefs,
      actions,
    };
  });
  return Object.assign(store, { lagProbe });
}

/** Wall clock with sub-ms resolution where `performance` exists. */
function wallClockMs(): number {
  const perf = (globalThis as { performance?: { timeOrigin: number; now(): number } }).performance;
  return perf ? perf.timeOrigin + perf.now() : Date.now();
}

function validate(config: DashboardStoreOptions): void {
  if (typeof config.url !== 'string') throw new TypeError('url must be a string');
  if (!(BAR_INTERVALS as readonly number[]).includes(config.initialInterval)) {
    throw new TypeError(`initialInterval must be one of ${BAR_INTERVALS.join(', ')} (seconds)`);
  }
  for (const key of ['maxBars', 'maxTape', 'maxPendingMessages'] as const) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) {
      throw new TypeError(`${key} must be a positive integer, got ${String(config[key])}`);
    }
  }
  if (typeof config.scheduler !== 'function') throw new TypeError('scheduler must be a function');
  if (typeof config.now !== 'function') throw new TypeError('now must be a function');
}
