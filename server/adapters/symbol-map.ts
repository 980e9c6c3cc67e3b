/**
 * Symbol maps rename an adapter's symbols before they are shown: with
 * `--symbol-map BINANCE:BTCUSDT=BTC-USDT` the Binance adapter's "BTCUSDT" becomes the instrument
 * "BINANCE:BTC-USDT". The venue prefix says which adapter the entry is for; the new name is a
 * bare symbol (the venue is always the adapter's).
 */
import { splitSymbol } from '../../lib/market/symbols';
import { MAX_SYMBOL_LENGTH } from '../../lib/market/symbols';

/** Venue -> (adapter symbol -> displayed symbol). */
export type SymbolMaps = Map<string, Map<string, string>>;

const NAME_RE = /^[^\s\p{C}:]+$/u;

function checkName(what: string, name: string, entry: string): void {
  if (name.length === 0 || name.length > MAX_SYMBOL_LENGTH || !NAME_RE.test(name)) {
    throw new TypeError(`symbol map entry "${entry}": ${what} must be 1..${MAX_SYMBOL_LENGTH} printable characters without spaces or ":"`);
  }
}

/**
 * Parses entries like "BINANCE:BTCUSDT=BTC-USDT" (each argument may hold several, comma-separated)
 * into per-venue maps, merged into `into` when given.
 * @throws TypeError naming the entry that is malformed or maps one symbol twice.
 */
export function parseSymbolMapEntries(entries: readonly string[], into: SymbolMaps = new Map()): SymbolMaps {
  for (const argument of entries) {
    for (const raw of argument.split(',')) {
      const entry = raw.trim();
      if (entry === '') continue;
      const eq = entry.indexOf('=');
      if (eq < 0) throw new TypeError(`symbol map entry "${entry}" must look like VENUE:SYMBOL=NEW-NAME`);
      const { venue, symbol } = splitSymbol(entry.slice(0, eq));
      const name = entry.slice(eq + 1);
      if (venue === '') throw new TypeError(`symbol map entry "${entry}" must start with the venue, e.g. BINANCE:BTCUSDT=BTC-USDT`);
      checkName('the venue', venue, entry);
      checkName('the symbol', symbol, entry);
      checkName('the new name', name, entry);
      let map = into.get(venue);
      if (map === undefined) into.set(venue, (map = new Map()));
      const previous = map.get(symbol);
      if (previous !== undefined && previous !== name)
        throw new TypeError(`symbol map entry "${entry}": ${venue}:${symbol} is already mapped to ${previous}`);
      map.set(symbol, name);
    }
  }
  return into;
}

/**
 * A symbol map from a plain object ({ "BTCUSDT": "BTC-USDT" }), e.g. from a config file.
 * @throws TypeError when it is not an object of non-empty strings.
 * @internal
 */
export function symbolMapFromRecord(venue: string, record: unknown): Map<string, string> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new TypeError(`symbolMap must be an object of "SYMBOL": "NEW-NAME" pairs, got ${JSON.stringify(record)}`);
  }
  const map = new Map<string, string>();
  for (const [symbol, name] of Object.entries(record)) {
    const entry = `${venue}:${symbol}=${String(name)}`;
    if (typeof name !== 'string') throw new TypeError(`symbol map entry "${entry}": the new name must be a string`);
    checkName('the symbol', symbol, entry);
    checkName('the new name', name, entry);
    map.set(symbol, name);
  }
  return map;
}
