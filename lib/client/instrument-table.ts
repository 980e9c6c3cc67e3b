/**
 * The client's copy of the server's instrument table: ticks on the wire carry a small id, this
 * maps it back to a symbol and the decimal precisions needed to show prices exactly.
 */
import { formatDecimal } from '../market/decimal';
import type { Instrument } from '../market/types';
import type { InstrumentEntry } from '../protocol/messages';

/** Id -> instrument and symbol -> instrument, kept consistent under upserts and removals. */
export class InstrumentTable {
  readonly #byId = new Map<number, Instrument>();
  readonly #bySymbol = new Map<string, Instrument>();

  /** Instrument by wire id. */
  get(id: number): Instrument | undefined {
    return this.#byId.get(id);
  }

  /** Instrument by symbol, e.g. "BTC-USD". */
  bySymbol(symbol: string): Instrument | undefined {
    return this.#bySymbol.get(symbol);
  }

  /** Number of instruments. */
  get size(): number {
    return this.#byId.size;
  }

  /** Read-only view keyed by id (the same Map object across calls, updated in place). */
  get byId(): ReadonlyMap<number, Instrument> {
    return this.#byId;
  }

  /**
   * Applies an `instruments` message: upserts entries and deletes the `removed` ones.
   * Returns the ids removed, so callers can forget per-instrument state.
   */
  apply(entries: readonly InstrumentEntry[]): number[] {
    const removed: number[] = [];
    for (const entry of entries) {
      const previous = this.#byId.get(entry.id);
      if (previous && this.#bySymbol.get(previous.symbol) === previous) this.#bySymbol.delete(previous.symbol);
      if (entry.removed) {
        if (this.#byId.delete(entry.id)) removed.push(entry.id);
        continue;
      }
      const instrument: Instrument = {
        id: entry.id,
        symbol: entry.symbol,
        venue: entry.venue,
        assetClass: entry.assetClass,
        priceDecimals: entry.priceDecimals,
        sizeDecimals: entry.sizeDecimals,
      };
      this.#byId.set(entry.id, instrument);
      this.#bySymbol.set(entry.symbol, instrument);
    }
    return removed;
  }

  /** Forgets every instrument (a new epoch may renumber them). */
  clear(): void {
    this.#byId.clear();
    this.#bySymbol.clear();
  }

  /** Formats a price mantissa of instrument `id` exactly, or `undefined` when the id is unknown. */
  formatPrice(id: number, mantissa: number): string | undefined {
    const instrument = this.#byId.get(id);
    return instrument && formatPrice(instrument, mantissa);
  }

  /** Formats a size mantissa of instrument `id` exactly, or `undefined` when the id is unknown. */
  formatSize(id: number, mantissa: number): string | undefined {
    const instrument = this.#byId.get(id);
    return instrument && formatSize(instrument, mantissa);
  }
}

/** Exact price text for a mantissa, e.g. (BTC-USD at 2 decimals, 6000012) -> "60000.12". */
export function formatPrice(instrument: Pick<Instrument, 'priceDecimals'>, mantissa: number): string {
  return formatDecimal(mantissa, instrument.priceDecimals);
}

/** Exact size text for a mantissa, e.g. (8 decimals, 1500000) -> "0.01500000". */
export function formatSize(instrument: Pick<Instrument, 'sizeDecimals'>, mantissa: number): string {
  return formatDecimal(mantissa, instrument.sizeDecimals);
}
