/**
 * Which instrument the chart and tape follow. The person picks a name (from the URL, a click,
 * the keyboard) possibly before the instrument table has arrived; this resolves it once the table
 * knows it, and falls back to the first instrument when the feed does not offer it.
 *
 * Names are `VENUE:SYMBOL` ("SIM:BTC-USD"); a bare symbol ("BTC-USD", as people type it in a URL)
 * resolves to the one venue listing it (lib/market/symbols.ts).
 */
import { resolveTyped } from '../market/symbols';
import type { Instrument } from '../market/types';
import type { ChartState } from './types';

/** Outcome of {@link resolveSelection}: nothing to do, or the chart to switch to. */
export interface SelectionChange {
  /** Full name of the instrument now selected. */
  readonly selectedSymbol: string;
  readonly chart: ChartState;
  /** The asked-for name when the feed does not offer it unambiguously (the caller reports it). */
  readonly unknownSymbol: string | undefined;
  /** Full names of the venues' instruments a bare name matched, when it was ambiguous. */
  readonly candidates: readonly string[];
}

/**
 * Resolves `selectedSymbol` (full or bare name) against the instrument table. Returns undefined
 * when the table is still empty or the chart already follows the right instrument; else the
 * selection to apply, with a fresh chart (no bars, `loading`, next revision) for it.
 */
export function resolveSelection(
  selectedSymbol: string | undefined,
  chart: ChartState,
  instruments: Readonly<Record<number, Instrument>>,
  instrumentIds: readonly number[],
): SelectionChange | undefined {
  if (instrumentIds.length === 0) return undefined;
  const listed = instrumentIds.map((id) => instruments[id]).filter((i): i is Instrument => i !== undefined);
  const resolution = selectedSymbol === undefined ? ({ kind: 'unknown' } as const) : resolveTyped(listed, selectedSymbol);
  if (resolution.kind === 'found') {
    const { id, symbol } = resolution.instrument;
    if (chart.instrumentId === id && selectedSymbol === symbol) return undefined;
    const next = chart.instrumentId === id ? chart : freshChart(chart, id);
    return { selectedSymbol: symbol, chart: next, unknownSymbol: undefined, candidates: [] };
  }
  // Several venues list the name: show one of them (the banner names them all), not whatever
  // instrument happens to be first.
  const first = resolution.kind === 'ambiguous' ? resolution.candidates[0] : instruments[instrumentIds[0] as number];
  if (!first) return undefined;
  return {
    selectedSymbol: first.symbol,
    chart: freshChart(chart, first.id),
    unknownSymbol: selectedSymbol,
    candidates: resolution.kind === 'ambiguous' ? resolution.candidates.map((i) => i.symbol) : [],
  };
}

/** An empty, loading chart for `instrumentId` at `interval` (defaults to the current interval). */
export function freshChart(chart: ChartState, instrumentId: number | undefined, interval = chart.interval): ChartState {
  return { instrumentId, interval, bars: [], revision: chart.revision + 1, status: 'loading' };
}
