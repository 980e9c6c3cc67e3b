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

  /**
   * Loads a table another normaliser of this epoch built (ids 1..n, as {@link declare} assigns
   * them), so the same symbols keep their ids and new ones continue after them.
   * @throws TypeError when the table is not empty or the ids are not 1..n in order.
   */
  restore(instruments: readonly Instrument[]): void {
    if (this.bySymbol.size > 0) throw new TypeError('an instrument table can only be restored while empty');
    instruments.forEach((instrument, i) => {
      if (instrument.id !== i + 1)
        throw new TypeError(
          `restored instrument ids must be 1..n in order; ${instrument.symbol} has id ${instrument.id} at position ${i + 1}`,
        );
      this.bySymbol.set(instrument.symbol, Object.freeze({ ...instrument }));
    });
    this.cached = undefined;
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
