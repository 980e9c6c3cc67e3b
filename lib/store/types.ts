/**
 * State shapes of the dashboard store. Everything here is plain data (no classes, no DOM) so the
 * store runs the same in the browser, in Node tests and in the benchmark.
 *
 * Prices and sizes stay integer mantissas at the instrument's precision (see lib/market/types.ts);
 * components format them with `formatDecimal` so what a person reads is exact.
 */
import type { ClientState } from '../client/states';
import type { Bar, BarInterval, Side } from '../market/types';
import type { OlderBars } from './older-bars';

/** Connection states: the feed client's own ({@link ClientState}), one list for both. */
export type ConnectionState = ClientState;

/** What the connection badge shows. */
export interface ConnectionView {
  readonly state: ConnectionState;
  /** Wall-clock time (ms since the Unix epoch) of the next reconnect attempt, when reconnecting. */
  readonly retryAt: number | undefined;
  /** Feed URL the page talks to. */
  readonly url: string;
  /** Server epoch from the last `hello`; sequence numbers only mean something within one epoch. */
  readonly epoch: number | undefined;
  /** Gateway identity from the last `hello`. */
  readonly serverId: string | undefined;
}

/** Throughput and latency figures, refreshed a few times a second from the client's `stats()`. */
export interface FeedStatsView {
  /** WebSocket messages received per second. */
  readonly messagesPerSec: number;
  /** Market updates (trades, quotes, bars, session figures) received per second. */
  readonly updatesPerSec: number;
  /** Bytes received per second. */
  readonly bytesPerSec: number;
  /** Last measured round-trip time (ms), undefined before the first pong. */
  readonly rttMs: number | undefined;
  /** Age of the freshest live update by the server's clock (ms), undefined before any. */
  readonly dataAgeMs: number | undefined;
}

/**
 * Live figures for one instrument. The *session* is the instrument's trading day (UTC) as the feed
 * counts it (lib/market/session.ts): the subscribe snapshot carries the feed's session figures,
 * every live trade is folded into them, and a conflated batch brings them again, so two pages
 * opened at different times show the same open, high, low and volume. A trade of a new UTC day
 * starts a new session.
 */
export interface Ticker {
  readonly instrumentId: number;
  /** Last trade price mantissa. */
  readonly last: number | undefined;
  readonly lastSize: number | undefined;
  readonly lastSide: Side | undefined;
  /** Event time of the last trade, µs since the Unix epoch. */
  readonly lastTimeUs: number | undefined;
  readonly bid: number | undefined;
  readonly bidSize: number | undefined;
  readonly ask: number | undefined;
  readonly askSize: number | undefined;
  /** Start of the session (UTC midnight, µs since the Unix epoch); undefined before a trade. */
  readonly sessionStartUs: number | undefined;
  /** Session open, high and low price mantissas; undefined before a trade. */
  readonly open: number | undefined;
  readonly high: number | undefined;
  readonly low: number | undefined;
  /** Session volume, size mantissa units. */
  readonly volume: number;
  /** Trades in the session. */
  readonly sessionTrades: number;
  /** Sequence of the last trade the session figures count (folded here or in the feed's figures). */
  readonly sessionSeq: number;
  /** Sequence of the trade `last` comes from (a trade, or the close of the feed's session figures). */
  readonly lastTradeSeq: number;
  /** Direction of the last price change: 1 up, -1 down, 0 none yet or unchanged. */
  readonly direction: -1 | 0 | 1;
  /** Counts trades that changed `last`. */
  readonly tickCount: number;
  /** Frame time (wall ms) when `last` last moved; 0 never. Cells flash for a while after it. */
  readonly lastMovedAtMs: number;
  /** Direction of the last bid change (1 up, -1 down, 0 none yet). */
  readonly bidDirection: -1 | 0 | 1;
  /** Frame time (wall ms) when the bid last moved; 0 never. */
  readonly bidMovedAtMs: number;
  /** Direction of the last ask change (1 up, -1 down, 0 none yet). */
  readonly askDirection: -1 | 0 | 1;
  /** Frame time (wall ms) when the ask last moved; 0 never. */
  readonly askMovedAtMs: number;
  /** Highest sequence number applied (trades, quotes and the session figures' last trade); used to drop duplicates. */
  readonly seq: number;
}

/** One print in the trade tape. */
export interface TapeEntry {
  /** Unique within the tape (instrument id + sequence), for React keys. */
  readonly key: string;
  readonly instrumentId: number;
  /** Per-instrument sequence number; orders the tape. */
  readonly seq: number;
  /** Event time, µs since the Unix epoch. */
  readonly timeUs: number;
  readonly price: number;
  readonly size: number;
  readonly side: Side;
}

/**
 * Bars of the selected instrument at the selected interval. `revision` changes whenever the whole
 * series must be redrawn (`setData`): a snapshot, a new selection, a new epoch. Between revisions
 * only the tail changes and a chart applies it with `series.update()`.
 */
export interface ChartState {
  readonly instrumentId: number | undefined;
  readonly interval: BarInterval;
  /** Ascending by `openTimeUs`, at most the store's `maxBars`. */
  readonly bars: readonly Bar[];
  readonly revision: number;
  /** 'loading' from a new selection until its snapshot arrives. */
  readonly status: 'loading' | 'ready';
  /**
   * Scroll-back (older pages of bars, lib/store/older-bars.ts): set once the snapshot came;
   * undefined before, and where the chart's source cannot page back.
   */
  readonly older?: OlderBars | undefined;
}

/** Kinds of error a person can act on; each maps to advice in the UI. */
export type DashboardErrorKind =
  'feed-unreachable' | 'protocol-mismatch' | 'unknown-instrument' | 'bad-interval' | 'server-error' | 'decode-error';

/** An error shown as a banner until dismissed or resolved. */
export interface DashboardError {
  /** Stable id per kind + subject, so the same problem is shown once. */
  readonly id: string;
  readonly kind: DashboardErrorKind;
  readonly message: string;
  /** What the person can do about it. */
  readonly hint: string;
  /** Wall-clock ms when it was (last) raised. */
  readonly at: number;
}

/** Display preferences the person chooses. */
export interface DisplayPrefs {
  /** Show times in the viewer's local zone or in UTC. */
  readonly timeZone: 'local' | 'utc';
  /** 'system' follows prefers-color-scheme. */
  readonly theme: 'system' | 'dark' | 'light';
}
