/**
 * What a graceful stop of the all-in-one feed saves in its store and how the next start continues
 * from it (docs/architecture.md "Where history lives"): the same epoch, the normaliser's table and
 * last seqs, and every instrument's in-memory history, so connected clients resume with
 * `recovered = true`.
 */
import type { Instrument } from '../../../lib/market/types';
import type { History } from '../history';
import type { SavedState } from './types';

/** The state to save at a graceful stop. */
export function captureState(
  epoch: number,
  instruments: readonly Instrument[],
  lastSeqs: ReadonlyMap<number, number>,
  history: History,
  nowMs = Date.now(),
): SavedState {
  const exported = instruments.map((i) => history.exportInstrument(i.id)).filter((h) => h !== undefined);
  return { epoch, savedAtMs: nowMs, instruments, lastSeqs: Object.fromEntries(lastSeqs), history: exported };
}

/** What a start takes from a saved state: the epoch, the normaliser's resume, and the history to import. */
export interface Continuation {
  readonly epoch: number;
  readonly resume: { readonly instruments: readonly Instrument[]; readonly lastSeqs: ReadonlyMap<number, number> };
}

/**
 * Imports the saved history into `history` and returns how the normaliser continues; undefined
 * when the state does not fit (no instruments, or ids not 1..n as a table restores them), so
 * the start takes a new epoch instead.
 */
export function continueFrom(state: SavedState | undefined, history: History): Continuation | undefined {
  if (state === undefined || !Number.isSafeInteger(state.epoch) || state.epoch <= 0) return undefined;
  if (!state.instruments.every((instrument, i) => instrument.id === i + 1)) return undefined;
  for (const exported of state.history) history.importInstrument(exported);
  const lastSeqs = new Map(Object.entries(state.lastSeqs).map(([id, seq]) => [Number(id), seq]));
  return { epoch: state.epoch, resume: { instruments: state.instruments, lastSeqs } };
}
