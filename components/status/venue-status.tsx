'use client';
/** Status of each venue's feed adapter (live / connecting / stale / down), with the reason on hover. */
import { useDashboard } from '../../lib/store/react';

export function VenueStatusList() {
  const venues = useDashboard((s) => s.venues);
  if (venues.length === 0) return null;
  return (
    <ul className="venues" data-testid="venue-status" aria-label="Venues">
      {venues.map((venue) => (
        <li key={venue.venue} className={`venue venue-${venue.state}`} title={venue.reason || venue.state} data-state={venue.state}>
          <span className="venue-dot" aria-hidden />
          {venue.venue}
        </li>
      ))}
    </ul>
  );
}
