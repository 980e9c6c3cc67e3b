/**
 * Wires a {@link FeedClient} to a dashboard store, with no React in between:
 *
 * - client events (hello, instruments, snapshot, batch, status) are buffered into the store, which
 *   folds them in once per animation frame;
 * - connection state and stats go to the badge; client errors become actionable error banners;
 * - subscriptions follow the selection: the pair (all, 0) (every instrument, no bars) for the
 *   watchlist and the tape, plus the pair (charted instrument, chart interval) for the chart's bars
 *   (docs/protocol.md §2.3). A selection change adds the new pair, then drops the old one, so the
 *   instrument's ticks never stop in between. The client replays the pairs after a reconnect (and
 *   after a new server epoch) by itself; the store drops what the old epoch built and the new
 *   instrument table re-resolves the selection.
 */
import {
  ClientClosedError,
  ProtocolError,
  ProtocolVersionError,
  RemoteCloseError,
  ServerRequestError,
  TransportError,
  type FeedClient,
  type FeedClientError,
} from '../../lib/client';
import type { BarInterval } from '../../lib/market/types';
import { OLDER_PAGE_BARS, olderPageEnd } from '../../lib/store/older-bars';
import { ErrorCode } from '../../lib/protocol/constants';
import type { DashboardState, DashboardStore } from '../../lib/store/dashboard-store';
import {
  feedClosedText,
  feedUnreachableText,
  protocolMismatchText,
  requestRefusedText,
  unknownInstrumentText,
} from '../../lib/text/feed-errors';

/** How often the badge's stats are refreshed from the client (ms). */
export const STATS_REFRESH_MS = 500;
/**
 * Quiet time after the last selection change before resubscribing (ms): holding the arrow key
 * down the watchlist must not trip the gateway's subscribe rate limit.
 */
export const RESUBSCRIBE_DEBOUNCE_MS = 150;

/** Subject of the banner a server close raises, followed by the close code ("close-1002"). */
const CLOSE_SUBJECT_PREFIX = 'close-';

/**
 * The part of {@link FeedClient} the bridge uses (a fake with this shape works in tests). Without
 * `history` the chart cannot scroll back: every request for older bars fails.
 */
export type BridgeableClient = Pick<FeedClient, 'on' | 'subscribe' | 'unsubscribe' | 'stats' | 'url'> &
  Partial<Pick<FeedClient, 'history'>>;

/**
 * Connects `client` to `store`; returns a function that undoes every listener and timer. `feedUrls`
 * are the gateways the client was given (it fails over between them): the "cannot reach" banner
 * names them all, and once connected the store's feed URL follows the one in use.
 */
export function bridgeFeed(client: BridgeableClient, store: DashboardStore, feedUrls: readonly string[]): () => void {
  const { actions } = store.getState();
  let everConnected = false;
  let charted: { symbol: string; interval: BarInterval } | undefined;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;

  const unreachable = (): void =>
    actions.reportError(
      'feed-unreachable',
      feedUrls.join(','),
      feedUnreachableText(feedUrls),
      'Start it with "npm start" (dashboard + feed) or "npm run feed -- --port 8080", or open this page with ?feed=ws://host:port. Retrying automatically.',
    );

  const onError = (error: FeedClientError | unknown): void => {
    if (error instanceof ClientClosedError) return;
    if (error instanceof ProtocolVersionError) {
      actions.reportError(
        'protocol-mismatch',
        error.url,
        protocolMismatchText(error.url, error.serverVersion, error.clientVersion, 'dashboard'),
        'Run the dashboard and the feed service from the same Tickwire release, then reload the page.',
      );
    } else if (error instanceof ServerRequestError) {
      const subject = error.symbols.join(', ') || 'request';
      if (error.code === ErrorCode.UnknownInstrument) {
        actions.reportError('unknown-instrument', subject, unknownInstrumentText(subject), 'Pick an instrument from the watchlist.');
      } else if (error.code === ErrorCode.BadInterval) {
        actions.reportError(
          'bad-interval',
          subject,
          requestRefusedText('the bar interval', error.serverMessage),
          'Choose another timeframe.',
        );
      } else {
        actions.reportError(
          'server-error',
          subject,
          requestRefusedText(subject === 'request' ? 'a request' : subject, error.serverMessage),
          'Reload the page; if it persists, check the feed service log.',
        );
      }
    } else if (error instanceof RemoteCloseError) {
      const subject = `${CLOSE_SUBJECT_PREFIX}${error.closeCode}`;
      if (error.kind === 'policy') {
        actions.reportError(
          'server-error',
          subject,
          feedClosedText(error.url, error.reason, error.closeCode),
          `If it refused this page's origin, start the feed with --allow-origin ${globalOrigin()}.`,
        );
      } else {
        actions.reportError(
          'server-error',
          subject,
          error.message,
          'Reconnecting automatically; check the feed service log if it keeps happening.',
        );
      }
    } else if (error instanceof ProtocolError) {
      actions.reportError(
        'decode-error',
        error.code,
        `Unreadable data from the feed: ${error.message}`,
        'Reconnecting automatically; the feed and dashboard may be from different releases.',
      );
    } else if (error instanceof TransportError) {
      if (!everConnected) unreachable();
    } else {
      actions.reportError('server-error', 'unexpected', `Feed client error: ${String(error)}`, 'Reload the page.');
    }
  };

  const subscribeCharted = (state: DashboardState): void => {
    const id = state.chart.instrumentId;
    const symbol = id === undefined ? undefined : state.instruments[id]?.symbol;
    if (symbol === undefined) return;
    const interval = state.chart.interval;
    // Already subscribed: nothing to do unless the chart was reset since (the selection went to
    // another instrument or interval and came back before the debounce ended), which leaves it
    // loading with no bars until a fresh snapshot is asked for.
    if (charted?.symbol === symbol && charted.interval === interval && state.chart.status === 'ready') return;
    const previous = charted;
    charted = { symbol, interval };
    // Added first: the old pair's drop must not leave a moment without the new one.
    client.subscribe([symbol], interval).catch(onError);
    if (previous && (previous.symbol !== symbol || previous.interval !== interval)) {
      client.unsubscribe([previous.symbol], previous.interval).catch(onError);
    }
  };

  const followSelection = (state: DashboardState, prev: DashboardState): void => {
    if (state.chart.instrumentId === prev.chart.instrumentId && state.chart.interval === prev.chart.interval) return;
    if (state.instruments !== prev.instruments && charted === undefined) {
      subscribeCharted(state); // first resolution after the instrument table: no need to wait
      return;
    }
    clearTimeout(resubscribeTimer);
    resubscribeTimer = setTimeout(() => subscribeCharted(store.getState()), RESUBSCRIBE_DEBOUNCE_MS);
  };

  /**
   * Scroll-back: the store marks the chart's `older` as loading (the chart reached its oldest
   * bars); this asks the feed for the page before them and hands it back tagged with that state,
   * so an answer for another instrument, interval or epoch is dropped.
   */
  const loadOlder = (state: DashboardState, prev: DashboardState): void => {
    const token = state.chart.older;
    if (!token || token === prev.chart.older || token.status !== 'loading') return;
    const id = state.chart.instrumentId;
    const symbol = id === undefined ? undefined : state.instruments[id]?.symbol;
    if (symbol === undefined || !client.history) {
      actions.olderBarsFailed(token);
      return;
    }
    const { history } = client;
    const request = { endTimeUs: olderPageEnd(state.chart.bars), count: OLDER_PAGE_BARS };
    // A synchronous throw (malformed arguments) fails the page like a refusal does.
    Promise.resolve()
      .then(() => history.call(client, symbol, state.chart.interval, request))
      .then(
        (page) => actions.olderBarsLoaded(token, page),
        () => actions.olderBarsFailed(token),
      );
  };

  const offs = [
    client.on('state', (change) => {
      actions.setConnectionState(change.newState, change.retryAt);
      if (change.newState === 'connected') {
        everConnected = true;
        actions.setFeedUrl(client.url);
        actions.clearErrors('feed-unreachable');
        actions.clearErrors('decode-error');
        // A close the client reconnected after is over: its "Reconnecting automatically" banner
        // would otherwise stay red above a live page.
        for (const e of store.getState().errors) {
          if (e.id.startsWith(`server-error:${CLOSE_SUBJECT_PREFIX}`)) actions.dismissError(e.id);
        }
      } else if (change.newState === 'reconnecting' && !everConnected) {
        unreachable();
      }
    }),
    client.on('hello', (message) => actions.ingest(message)),
    client.on('instruments', (message) => actions.ingest(message)),
    client.on('status', (message) => actions.ingest(message)),
    client.on('snapshot', (message) => actions.ingest(message)),
    client.on('batch', (message) => actions.ingest(message)),
    client.on('error', onError),
    store.subscribe(followSelection),
    store.subscribe(loadOlder),
  ];

  client.subscribe('all', 0).catch(onError);
  subscribeCharted(store.getState());

  const statsTimer = setInterval(() => {
    const stats = client.stats();
    actions.setStats({
      messagesPerSec: stats.messagesPerSec,
      updatesPerSec: stats.updatesPerSec,
      bytesPerSec: stats.bytesPerSec,
      rttMs: stats.rttMs ?? undefined,
      dataAgeMs: stats.dataAgeMs ?? undefined,
    });
  }, STATS_REFRESH_MS);

  return () => {
    clearInterval(statsTimer);
    clearTimeout(resubscribeTimer);
    for (const off of offs) off();
  };
}

function globalOrigin(): string {
  return (globalThis as { location?: { origin: string } }).location?.origin ?? 'http://localhost:3000';
}
