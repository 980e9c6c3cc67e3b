import { describe, expect, it } from 'vitest';
import {
  ConsumerState,
  INITIAL_SLOW_CONSUMER_STATE,
  decideSlowConsumer,
  refusesSubscribe,
  type SlowConsumerAction,
  type SlowConsumerLimits,
  type SlowConsumerState,
} from '../../../server/gateway/slow-consumer-policy';

const LIMITS: SlowConsumerLimits = {
  softBufferLimitBytes: 1000,
  hardBufferLimitBytes: 10_000,
  hardLimitGraceMs: 2000,
  maxConflatedMs: 10_000,
};
const SOFT = LIMITS.softBufferLimitBytes;
const HARD = LIMITS.hardBufferLimitBytes;

const normal: SlowConsumerState = INITIAL_SLOW_CONSUMER_STATE;
const conflating = (sinceMs: number, hardLimitSinceMs?: number): SlowConsumerState => ({
  mode: ConsumerState.Conflating,
  conflatingSinceMs: sinceMs,
  hardLimitSinceMs,
});

/**
 * Runs the policy over a sequence of (time ms, buffered bytes) flushes from the initial state, as a
 * fake clock would, and returns each flush's action kind (with the close reason).
 */
function run(flushes: readonly (readonly [nowMs: number, buffered: number])[], limits = LIMITS): string[] {
  let state = INITIAL_SLOW_CONSUMER_STATE;
  const kinds: string[] = [];
  for (const [nowMs, buffered] of flushes) {
    const decision = decideSlowConsumer(state, buffered, nowMs, limits);
    state = decision.state;
    kinds.push(label(decision.action));
  }
  return kinds;
}

function label(action: SlowConsumerAction): string {
  switch (action.kind) {
    case 'close':
      return `close ${action.code}: ${action.reason}`;
    case 'hold':
      return action.entered ? 'hold (entered)' : 'hold';
    default:
      return action.kind;
  }
}

describe('decideSlowConsumer', () => {
  describe('one flush', () => {
    it.each<[string, SlowConsumerState, number, number, string, Partial<SlowConsumerState>]>([
      ['sends to a reader under the soft limit', normal, 0, 100, 'send', { mode: ConsumerState.Normal }],
      ['sends to a reader just under the soft limit', normal, SOFT - 1, 100, 'send', { mode: ConsumerState.Normal }],
      [
        'starts conflating at the soft limit',
        normal,
        SOFT,
        100,
        'hold (entered)',
        { mode: ConsumerState.Conflating, conflatingSinceMs: 100 },
      ],
      [
        'keeps holding a conflated reader still backed up',
        conflating(100),
        SOFT,
        5000,
        'hold',
        { mode: ConsumerState.Conflating, conflatingSinceMs: 100 },
      ],
      [
        'sends one conflated batch when a conflated reader drains',
        conflating(100),
        SOFT - 1,
        5000,
        'send-conflated',
        { mode: ConsumerState.Normal, conflatingSinceMs: undefined },
      ],
      [
        'closes a reader conflated for the whole time limit',
        conflating(100),
        SOFT,
        100 + LIMITS.maxConflatedMs,
        'close 1013: slow consumer: not reading',
        {},
      ],
      ['holds a reader conflated 1 ms short of the time limit', conflating(100), SOFT, 99 + LIMITS.maxConflatedMs, 'hold', {}],
      ['starts the hard-limit grace at the hard limit, conflating', normal, HARD, 100, 'hold (entered)', { hardLimitSinceMs: 100 }],
      [
        'closes a reader past the hard limit for the grace period',
        conflating(100, 100),
        HARD + 5,
        100 + LIMITS.hardLimitGraceMs,
        `close 1013: slow consumer: ${HARD + 5} bytes buffered past the hard limit`,
        {},
      ],
      [
        'forgets the hard-limit time once under the hard limit',
        conflating(100, 100),
        HARD - 1,
        1000,
        'hold',
        { hardLimitSinceMs: undefined },
      ],
    ])('%s', (_, state, buffered, nowMs, expected, next) => {
      const decision = decideSlowConsumer(state, buffered, nowMs, LIMITS);
      expect(label(decision.action)).toBe(expected);
      expect(decision.state).toMatchObject(next);
    });

    it('does not change the state it is given', () => {
      const state = conflating(100);
      const copy = { ...state };
      decideSlowConsumer(state, HARD, 200, LIMITS);
      expect(state).toEqual(copy);
    });
  });

  describe('over time (fake clock, 25 ms flushes)', () => {
    it('conflates a reader that backs up, then sends it one conflated batch and live batches again', () => {
      expect(
        run([
          [0, 0],
          [25, 5000],
          [50, 5000],
          [75, 10],
          [100, 10],
        ]),
      ).toEqual(['send', 'hold (entered)', 'hold', 'send-conflated', 'send']);
    });

    it('closes a reader that never drains below the soft limit after maxConflatedMs', () => {
      const flushes = Array.from({ length: 402 }, (_, i) => [i * 25, 5000] as const);
      const kinds = run(flushes);
      // Conflated at 0 ms; 10 000 ms later (the 401st flush) it is closed.
      expect(kinds.indexOf('close 1013: slow consumer: not reading')).toBe(400);
      expect(kinds.slice(1, 400).every((k) => k === 'hold')).toBe(true);
    });

    it('measures the conflation time from when it began, not from the last backed-up flush', () => {
      // Backed up, drained for one flush, backed up again: the clock restarts at the second episode.
      const kinds = run([
        [0, 5000],
        [9000, 5000],
        [9025, 0],
        [9050, 5000],
        [18_000, 5000],
        [19_050, 5000],
      ]);
      expect(kinds).toEqual([
        'hold (entered)',
        'hold',
        'send-conflated',
        'hold (entered)',
        'hold',
        'close 1013: slow consumer: not reading',
      ]);
    });

    it('closes a reader past the hard limit after the grace period, before the conflation limit', () => {
      expect(
        run([
          [0, HARD],
          [1999, HARD],
          [2000, HARD],
        ]),
      ).toEqual(['hold (entered)', 'hold', `close 1013: slow consumer: ${HARD} bytes buffered past the hard limit`]);
    });

    it('restarts the hard-limit grace when the buffer dips under the hard limit', () => {
      expect(
        run([
          [0, HARD],
          [1500, HARD - 1],
          [1600, HARD],
          [3500, HARD],
          [3600, HARD],
        ]),
      ).toEqual(['hold (entered)', 'hold', 'hold', 'hold', `close 1013: slow consumer: ${HARD} bytes buffered past the hard limit`]);
    });
  });
});

describe('refusesSubscribe', () => {
  it.each([
    [HARD - 1, false],
    [HARD, true],
    [HARD * 2, true],
  ])('with %i bytes buffered: %s', (buffered, refused) => {
    expect(refusesSubscribe(buffered, LIMITS)).toBe(refused);
  });
});
