'use client';
/**
 * Status of each venue's feed adapter (live / connecting / stale / down). A venue that is down or
 * stale says so in words with the adapter's reason ("down: connection closed (code 1006);
 * reconnecting in 2.0 s"); the full reason is also on hover.
 */
import { useDashboard } from '../../lib/store/react';

export function VenueStatusList() {
  const venues = useDashboard((s) => s.venues);
  if (venues.length === 0) return null;
  return (
    <ul className="venues" data-testid="venue-status" aria-label="Venues">
      {venues.map((venue) => {
        const troubled = venue.state === 'down' || venue.state === 'stale';
        return (
          <li
            key={venue.venue}
            className={`venue venue-${venue.state}`}
            title={venue.reason || venue.state}
            data-state={venue.state}
            data-venue={venue.venue}
          >
            <span className="venue-dot" aria-hidden />
            {venue.venue}
            {troubled && (
              <span className="venue-reason" data-testid="venue-reason" role="status">
                {venue.state}
                {venue.reason ? `: ${venue.reason}` : ''}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
