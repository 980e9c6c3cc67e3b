'use client';
/**
 * Status of each venue's feed (live / connecting / stale / down / upstream lost). A venue that is
 * down, stale or whose upstream is lost says so in words with the reason ("down: connection closed
 * (code 1006); reconnecting in 2.0 s"); the full reason is also on hover. "upstream lost" has its
 * own colour: the gateway lost its broker, the venue has not necessarily failed.
 */
import { useDashboard } from '../../lib/store/react';
import { isTroubledVenueState, venueStateText, venueStateTitle } from './venue-state-text';

export function VenueStatusList() {
  const venues = useDashboard((s) => s.venues);
  if (venues.length === 0) return null;
  return (
    <ul className="venues" data-testid="venue-status" aria-label="Venues">
      {venues.map((venue) => (
        <li
          key={venue.venue}
          className={`venue venue-${venue.state}`}
          title={venueStateTitle(venue)}
          data-state={venue.state}
          data-venue={venue.venue}
        >
          <span className="venue-dot" aria-hidden />
          {venue.venue}
          {isTroubledVenueState(venue.state) && (
            <span className="venue-reason" data-testid="venue-reason" role="status">
              {venueStateText(venue)}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
