/**
 * Interns symbols: each symbol gets a small id (1, 2, 3, ...) the first time any adapter declares
 * it and keeps it for the table's lifetime, so ticks on the wire carry the id, never the string.
 */
import type { Instrument } from '../../lib/market/types';
import type { InstrumentSpec } from './validate';

/** Outcome of declaring one instrument. */
export type DeclareOutcome = 'added' | 'unchanged' | 'instrument-conflict' | 'too-many-instruments';

/** The instrument table of one normaliser (one epoch). Declarations are additive. */
export class InstrumentTable {
  private readonly bySymbol = new Map<string, Instrument>();
  private cached: readonly Instrument[] | undefined;

  /** @param maxInstruments - most instruments the table will hold, bounding memory everywhere downstream. */
  constructor(readonly maxInstruments: number) {}

  /** Instruments held. */
  get size(): number {
    return this.bySymbol.size;
  }

  /**
   * Declares `spec` for `venue`. A symbol already held is `'unchanged'` when venue and precision
   * match and a conflict otherwise (its id and precision never change within an epoch, since
   * history and clients hold mantissas at that precision).
   */
  declare(venue: string, spec: InstrumentSpec): DeclareOutcome {
    const existing = this.bySymbol.get(spec.symbol);
    if (existing !== undefined) {
      const same =
        existing.venue === venue &&
        existing.priceDecimals === spec.priceDecimals &&
        existing.sizeDecimals === spec.sizeDecimals &&
        existing.assetClass === spec.assetClass;
      return same ? 'unchanged' : 'instrument-conflict';
    }
    if (this.bySymbol.size >= this.maxInstruments) return 'too-many-instruments';
    const instrument: Instrument = Object.freeze({
      id: this.bySymbol.size + 1,
      symbol: spec.symbol,
      venue,
      assetClass: spec.assetClass,
      priceDecimals: spec.priceDecimals,
      sizeDecimals: spec.sizeDecimals,
    });
    this.bySymbol.set(spec.symbol, instrument);
    this.cached = undefined;
    return 'added';
  }

  /** The instrument declared under `symbol`, if any. */
  get(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Every instrument, by ascending id (a frozen array, the same one until the table changes). */
  list(): readonly Instrument[] {
    this.cached ??= Object.freeze([...this.bySymbol.values()]);
    return this.cached;
  }
}
