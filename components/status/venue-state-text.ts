/**
 * What the venue status list says about each venue state: the words shown, whether the state is a
 * problem worth spelling out beside the venue, and the hover text. Pure, so the wording is
 * table-tested (tests/unit/dashboard/venue-state-text.test.ts) apart from React.
 */
import type { VenueStatus } from '../../lib/protocol/messages';

/** A venue state as the wire carries it (docs/protocol.md §3.4). */
export type VenueState = VenueStatus['state'];

/** The words for each state, as the list shows them. */
export const VENUE_STATE_LABELS: Readonly<Record<VenueState, string>> = {
  connecting: 'connecting',
  live: 'live',
  stale: 'stale',
  down: 'down',
  upstream_lost: 'upstream lost',
};

/**
 * Why `upstream_lost` is not `down`: said on hover, since the words alone could read as the venue
 * having failed.
 */
export const UPSTREAM_LOST_EXPLANATION =
  'The gateway serving this dashboard lost its connection to the message broker (NATS). The venue itself may be fine; its data resumes when the gateway reconnects.';

/** True for the states shown in words beside the venue (with the reason): something is wrong. */
export function isTroubledVenueState(state: VenueState): boolean {
  return state === 'down' || state === 'stale' || state === 'upstream_lost';
}

/** The words shown beside a troubled venue: its state's label, then the reason when there is one. */
export function venueStateText(venue: VenueStatus): string {
  const label = VENUE_STATE_LABELS[venue.state];
  return venue.reason ? `${label}: ${venue.reason}` : label;
}

/**
 * The venue's hover text: the reason, else the state's label; for `upstream_lost` the explanation
 * first, then the reason the gateway gave.
 */
export function venueStateTitle(venue: VenueStatus): string {
  if (venue.state === 'upstream_lost') return venue.reason ? `${UPSTREAM_LOST_EXPLANATION}\n${venue.reason}` : UPSTREAM_LOST_EXPLANATION;
  return venue.reason || VENUE_STATE_LABELS[venue.state];
}
