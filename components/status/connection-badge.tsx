'use client';
/**
 * Connection badge: connected / connecting / reconnecting (with a countdown to the next attempt) /
 * offline, plus round-trip time, updates per second and data age, and a clear "stale" warning when
 * no market data has arrived for {@link STALE_AFTER_MS}.
 */
import { useMemo } from 'react';
import { useDashboard, useDashboardStoreApi } from '../../lib/store/react';
import { formatDuration, formatRate } from '../shared/format';
import { dataClockMs, useNow } from '../shared/use-now';

/** No market data for this long (ms) marks what is on screen as stale. */
export const STALE_AFTER_MS = 3_000;

const STATE_LABEL = {
  idle: 'Starting',
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting',
  closed: 'Offline',
} as const;

export function ConnectionBadge() {
  const connection = useDashboard((s) => s.connection);
  const stats = useDashboard((s) => s.stats);
  const now = useNow();
  // When data last arrived, read at each clock tick rather than subscribed: it changes every frame
  // while data flows, and a subscription would render the badge 60 times a second for an age and
  // a stale flag that are judged against this clock anyway.
  const store = useDashboardStoreApi();
  // Both on the store's clock, which is not the wall clock `now` (the retry time) is read from.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `now` is the re-read trigger, not an input.
  const [lastDataAtMs, dataNowMs] = useMemo(() => [store.getState().lastDataAtMs, dataClockMs()], [store, now]);
  const sinceData = lastDataAtMs > 0 && now > 0 ? Math.max(0, dataNowMs - lastDataAtMs) : undefined;
  const stale = sinceData !== undefined && sinceData > STALE_AFTER_MS;
  const ageMs = sinceData === undefined ? stats.dataAgeMs : Math.max(sinceData, stats.dataAgeMs ?? 0);
  const retryInMs =
    connection.state === 'reconnecting' && connection.retryAt !== undefined && now > 0 ? Math.max(0, connection.retryAt - now) : undefined;
  const live = connection.state === 'connected';
  let label: string = STATE_LABEL[connection.state];
  if (retryInMs !== undefined) label += retryInMs > 0 ? ` in ${Math.ceil(retryInMs / 1000)} s` : '…';

  return (
    <div
      className={`badge badge-${connection.state}${stale ? ' badge-stale' : ''}`}
      data-testid="connection-badge"
      data-state={connection.state}
      data-stale={stale ? 'true' : 'false'}
      title={connection.url ? `Feed: ${connection.url}` : undefined}
    >
      <span className="badge-dot" aria-hidden />
      <span className="badge-label" data-testid="connection-label">
        {label}
      </span>
      {stale && (
        <span className="badge-stale-text" data-testid="stale-warning" role="status">
          Stale: no data for {formatDuration(sinceData)}
        </span>
      )}
      <span className="badge-metric" title="Round-trip time to the feed">
        RTT <b data-testid="metric-rtt">{live ? formatDuration(stats.rttMs) : '—'}</b>
      </span>
      <span className="badge-metric" title="Market updates received per second">
        <b data-testid="metric-updates">{live ? formatRate(stats.updatesPerSec) : '—'}</b>
      </span>
      <span className="badge-metric" title="Age of the newest data on screen">
        age <b data-testid="metric-age">{formatDuration(ageMs)}</b>
      </span>
    </div>
  );
}
