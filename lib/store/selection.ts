/**
 * Which instrument the chart and tape follow. The person picks a symbol (from the URL, a click,
 * the keyboard) possibly before the instrument table has arrived; this resolves it to an id once
 * the table knows it, and falls back to the first instrument when the feed does not offer it.
 */
import type { Instrument } from '../market/types';
import type { ChartState } from './types';

/** Outcome of {@link resolveSelection}: nothing to do, or the chart to switch to. */
export interface SelectionChange {
  readonly selectedSymbol: string;
  readonly chart: ChartState;
  /** The asked-for symbol when the feed does not offer it (the caller reports it). */
  readonly unknownSymbol: string | undefined;
}

/**
 * Resolves `selectedSymbol` against the instrument table. Returns undefined when the table is
 * still empty or the chart already follows the right instrument; else the selection to apply,
 * with a fresh chart (no bars, `loading`, next revision) for it.
 */
export function resolveSelection(
  selectedSymbol: string | undefined,
  chart: ChartState,
  symbolToId: Readonly<Record<string, number>>,
  instruments: Readonly<Record<number, Instrument>>,
  instrumentIds: readonly number[],
): SelectionChange | undefined {
  if (instrumentIds.length === 0) return undefined;
  const id = selectedSymbol === undefined ? undefined : symbolToId[selectedSymbol];
  if (id !== undefined) {
    if (chart.instrumentId === id) return undefined;
    return { selectedSymbol: selectedSymbol as string, chart: freshChart(chart, id), unknownSymbol: undefined };
  }
  const first = instruments[instrumentIds[0] as number];
  if (!first) return undefined;
  return { selectedSymbol: first.symbol, chart: freshChart(chart, first.id), unknownSymbol: selectedSymbol };
}

/** An empty, loading chart for `instrumentId` at `interval` (defaults to the current interval). */
export function freshChart(chart: ChartState, instrumentId: number | undefined, interval = chart.interval): ChartState {
  return { instrumentId, interval, bars: [], revision: chart.revision + 1, status: 'loading' };
}
