/**
 * The client's copy of the server's instrument table: ticks on the wire carry a small id, this
 * maps it back to a symbol and the decimal precisions needed to show prices exactly. Names are
 * `VENUE:SYMBOL`; a bare symbol ("BTC-USD") also finds its instrument while only one venue lists
 * it (lib/market/symbols.ts), so code written before venues were namespaced keeps working.
 */
import { formatDecimal } from '../market/decimal';
import { SymbolIndex, type SymbolResolution } from '../market/symbols';
import type { Instrument } from '../market/types';
import type { InstrumentEntry } from '../protocol/messages';

/** Id -> instrument and name -> instrument, kept consistent under upserts and removals. */
export class InstrumentTable {
  readonly #byId = new Map<number, Instrument>();
  readonly #byName = new SymbolIndex<Instrument>();
  /** instrument -> alias ('' = none); cleared whenever the table changes. */
  #aliases = new WeakMap<Instrument, string>();

  /** Instrument by wire id. */
  get(id: number): Instrument | undefined {
    return this.#byId.get(id);
  }

  /** Instrument by full name ("SIM:BTC-USD") or unambiguous bare symbol ("BTC-USD"). */
  bySymbol(symbol: string): Instrument | undefined {
    return this.#byName.get(symbol);
  }

  /** Like {@link bySymbol}, but says when a bare symbol is ambiguous and lists the candidates. */
  resolve(symbol: string): SymbolResolution<Instrument> {
    return this.#byName.resolve(symbol);
  }

  /**
   * The bare symbol that names `instrument` unambiguously ("BTC-USD" for "SIM:BTC-USD" while no
   * other venue lists BTC-USD), else `undefined`. Lets updates be matched to subscriptions made
   * with bare names. Cached until the table changes.
   */
  aliasOf(instrument: Instrument): string | undefined {
    let cached = this.#aliases.get(instrument);
    if (cached === undefined) {
      cached = this.#byName.aliasOf(instrument) ?? '';
      this.#aliases.set(instrument, cached);
    }
    return cached === '' ? undefined : cached;
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
    this.#aliases = new WeakMap();
    for (const entry of entries) {
      const previous = this.#byId.get(entry.id);
      if (previous) this.#byName.delete(previous);
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
      this.#byName.add(instrument);
    }
    return removed;
  }

  /** Forgets every instrument (a new epoch may renumber them). */
  clear(): void {
    this.#byId.clear();
    this.#byName.clear();
    this.#aliases = new WeakMap();
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
