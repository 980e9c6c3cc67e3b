import { describe, expect, it } from 'vitest';
import {
  UPSTREAM_LOST_EXPLANATION,
  VENUE_STATE_LABELS,
  isTroubledVenueState,
  venueStateText,
  venueStateTitle,
} from '../../../components/status/venue-state-text';
import { VENUE_STATES } from '../../../lib/protocol/constants';

describe('venue state text', () => {
  it('has words for every venue state the wire defines', () => {
    expect(Object.keys(VENUE_STATE_LABELS).sort()).toEqual([...VENUE_STATES].sort());
  });

  it.each([
    ['connecting', false, 'connecting'],
    ['live', false, 'live'],
    ['stale', true, 'stale: no data since 12:00:00 UTC'],
    ['down', true, 'down: connection closed (code 1006)'],
    ['upstream_lost', true, 'upstream lost: gateway lost NATS'],
  ] as const)('shows %s beside the venue: %s, as "%s"', (state, troubled, text) => {
    const reasons = { stale: 'no data since 12:00:00 UTC', down: 'connection closed (code 1006)', upstream_lost: 'gateway lost NATS' };
    const reason = state in reasons ? reasons[state as keyof typeof reasons] : '';
    expect(isTroubledVenueState(state)).toBe(troubled);
    expect(venueStateText({ venue: 'SIM', state, reason })).toBe(text);
  });

  it('says "upstream lost", not the wire name, and without a reason just the label', () => {
    expect(venueStateText({ venue: 'SIM', state: 'upstream_lost', reason: '' })).toBe('upstream lost');
  });

  it('explains on hover that an upstream loss is the gateway broker, not the venue, then gives the reason', () => {
    expect(venueStateTitle({ venue: 'SIM', state: 'upstream_lost', reason: 'gateway lost NATS' })).toBe(
      `${UPSTREAM_LOST_EXPLANATION}\ngateway lost NATS`,
    );
    expect(venueStateTitle({ venue: 'SIM', state: 'upstream_lost', reason: '' })).toBe(UPSTREAM_LOST_EXPLANATION);
    expect(UPSTREAM_LOST_EXPLANATION).toMatch(/message broker \(NATS\).*venue itself may be fine/);
  });

  it('gives the reason on hover for the venue states, else the state', () => {
    expect(venueStateTitle({ venue: 'SIM', state: 'down', reason: 'failed to start' })).toBe('failed to start');
    expect(venueStateTitle({ venue: 'SIM', state: 'live', reason: '' })).toBe('live');
  });
});
