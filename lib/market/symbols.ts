/**
 * Instrument naming. The feed service names every instrument `VENUE:SYMBOL` (e.g. "SIM:BTC-USD",
 * "BINANCE:BTCUSDT") so two venues can list the same symbol. People and old code still say the
 * bare symbol ("BTC-USD"): a bare name resolves to the one instrument with that symbol after the
 * colon, and is ambiguous when several venues list it. Shared by the gateway and every client.
 */

/** Separator between venue and symbol in an instrument name. */
export const VENUE_SEPARATOR = ':';

/** Longest symbol an adapter may declare (the bare part, without the venue), in UTF-16 code units. */
export const MAX_SYMBOL_LENGTH = 64;
/** Longest venue name, in characters. */
export const MAX_VENUE_LENGTH = 32;
/**
 * Longest instrument name a person may type (`VENUE:SYMBOL`), in UTF-16 code units: the longest
 * venue, the separator and the longest symbol, so every instrument the normaliser accepts can be named.
 */
export const MAX_INSTRUMENT_NAME_LENGTH = MAX_VENUE_LENGTH + VENUE_SEPARATOR.length + MAX_SYMBOL_LENGTH;

/** Venue and bare symbol of an instrument name; `venue` is `''` for a name without a venue. */
export interface SymbolParts {
  readonly venue: string;
  readonly symbol: string;
}

/** Splits "BINANCE:BTCUSDT" into { venue: "BINANCE", symbol: "BTCUSDT" } at the first colon. */
export function splitSymbol(name: string): SymbolParts {
  const at = name.indexOf(VENUE_SEPARATOR);
  return at < 0 ? { venue: '', symbol: name } : { venue: name.slice(0, at), symbol: name.slice(at + 1) };
}

/** The symbol without its venue prefix, as the dashboard shows it: "SIM:BTC-USD" -> "BTC-USD". */
export function bareSymbol(name: string): string {
  return splitSymbol(name).symbol;
}

/** The namespaced name of `symbol` on `venue`: ("SIM", "BTC-USD") -> "SIM:BTC-USD". */
export function qualifySymbol(venue: string, symbol: string): string {
  return `${venue}${VENUE_SEPARATOR}${symbol}`;
}

/** Outcome of resolving a name: the instrument, several candidates (ambiguous), or none. */
export type SymbolResolution<T> =
  | { readonly kind: 'found'; readonly instrument: T }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly T[] }
  | { readonly kind: 'unknown' };

const UNKNOWN = Object.freeze({ kind: 'unknown' as const });

/**
 * Name -> instrument lookup with bare-symbol aliases. A full name always wins; a name without a
 * colon that is not itself a full name resolves through the alias table. Rebuilt whenever the
 * instrument table changes (O(n)); lookups are O(1).
 */
export class SymbolIndex<T extends { readonly symbol: string }> {
  readonly #byName = new Map<string, T>();
  /** Bare symbol -> the instruments listing it (usually one). */
  readonly #byBare = new Map<string, T[]>();

  constructor(instruments: Iterable<T> = []) {
    for (const instrument of instruments) this.add(instrument);
  }

  /** Adds (or replaces) one instrument under its full name and its bare alias. */
  add(instrument: T): void {
    const previous = this.#byName.get(instrument.symbol);
    if (previous !== undefined) this.delete(previous);
    this.#byName.set(instrument.symbol, instrument);
    const bare = bareSymbol(instrument.symbol);
    if (bare === instrument.symbol) return;
    const list = this.#byBare.get(bare);
    if (list === undefined) this.#byBare.set(bare, [instrument]);
    else list.push(instrument);
  }

  /** Removes one instrument (no-op when it is not held). */
  delete(instrument: T): void {
    if (this.#byName.get(instrument.symbol) !== instrument) return;
    this.#byName.delete(instrument.symbol);
    const bare = bareSymbol(instrument.symbol);
    const list = this.#byBare.get(bare);
    if (list === undefined) return;
    const rest = list.filter((i) => i !== instrument);
    if (rest.length === 0) this.#byBare.delete(bare);
    else this.#byBare.set(bare, rest);
  }

  /** Forgets everything. */
  clear(): void {
    this.#byName.clear();
    this.#byBare.clear();
  }

  /** Resolves a full name ("SIM:BTC-USD") or a bare symbol ("BTC-USD"). */
  resolve(name: string): SymbolResolution<T> {
    const exact = this.#byName.get(name);
    if (exact !== undefined) return { kind: 'found', instrument: exact };
    if (name.includes(VENUE_SEPARATOR)) return UNKNOWN;
    const candidates = this.#byBare.get(name);
    if (candidates === undefined || candidates.length === 0) return UNKNOWN;
    if (candidates.length === 1) return { kind: 'found', instrument: candidates[0] as T };
    return { kind: 'ambiguous', candidates: [...candidates] };
  }

  /** The instrument `name` resolves to unambiguously, else `undefined`. */
  get(name: string): T | undefined {
    const result = this.resolve(name);
    return result.kind === 'found' ? result.instrument : undefined;
  }

  /**
   * The bare alias of `instrument` when that alias resolves to it (its symbol is listed by no
   * other venue and no instrument is literally named so), else `undefined`.
   */
  aliasOf(instrument: T): string | undefined {
    const bare = bareSymbol(instrument.symbol);
    if (bare === instrument.symbol) return undefined;
    return this.get(bare) === instrument ? bare : undefined;
  }
}

/**
 * Resolves a name as a person may have typed it (a link, a command line): exactly first, then
 * ignoring case ("btc-usd", "sim:btc-usd") when that still names one instrument or one bare
 * symbol. Builds its indexes per call (O(n)): for what a person types, not for every tick.
 */
export function resolveTyped<T extends { readonly symbol: string }>(instruments: Iterable<T>, name: string): SymbolResolution<T> {
  const listed = [...instruments];
  const exact = new SymbolIndex(listed).resolve(name);
  if (exact.kind !== 'unknown') return exact;
  const folded = new SymbolIndex(listed.map((instrument) => ({ symbol: instrument.symbol.toUpperCase(), instrument })));
  const match = folded.resolve(name.toUpperCase());
  if (match.kind === 'found') return { kind: 'found', instrument: match.instrument.instrument };
  if (match.kind === 'ambiguous') return { kind: 'ambiguous', candidates: match.candidates.map((c) => c.instrument) };
  return exact;
}
