/**
 * The `symbols` option of exchange adapters: which markets to stream and at what precision.
 * Venues publish prices and sizes as decimal strings with a fixed number of places (Binance
 * "25.35190000" has 8), so the precision is configuration: 8 places by default for both, which
 * keeps every venue string exact (trailing zeros beyond the precision are accepted as exact).
 *
 *   "btcusdt,ethusdt"                                   (a string from --adapter-opt)
 *   ["btcusdt", "ethusdt"]                              (JSON)
 *   [{ "symbol": "btcusdt", "priceDecimals": 2, "sizeDecimals": 5 }]   (per-symbol precision)
 */
import { MAX_DECIMALS } from '../../lib/market/decimal';
import { AssetClass } from '../../lib/market/types';
import type { AdapterInstrument } from './types';

/** Default decimal places of exchange prices and sizes. */
export const DEFAULT_VENUE_DECIMALS = 8;
/** Most symbols one exchange adapter streams (Binance allows 1024 streams per connection, two per symbol). */
export const MAX_VENUE_SYMBOLS = 500;

const VENUE_SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

function isDecimals(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DECIMALS;
}

/**
 * Parses a `symbols` option into instruments (symbols upper-cased, asset class crypto).
 * @param adapter - adapter name, for error messages.
 * @throws TypeError naming the option and the offending entry.
 */
export function parseVenueSymbols(
  adapter: string,
  value: unknown,
  defaults: { readonly priceDecimals: number; readonly sizeDecimals: number },
): AdapterInstrument[] {
  const fail = (detail: string): never => {
    throw new TypeError(`${adapter} adapter option symbols ${detail}`);
  };
  const entries: unknown[] =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : Array.isArray(value)
        ? value
        : fail(`must be a comma-separated string or an array, got ${JSON.stringify(value)}`);
  if (entries.length === 0) fail('must name at least one symbol, e.g. symbols=btcusdt,ethusdt');
  if (entries.length > MAX_VENUE_SYMBOLS) fail(`may name at most ${MAX_VENUE_SYMBOLS} symbols, got ${entries.length}`);
  const seen = new Set<string>();
  return entries.map((entry) => {
    const spec = typeof entry === 'string' ? { symbol: entry } : entry;
    if (typeof spec !== 'object' || spec === null)
      return fail(`entries must be symbols or { symbol, priceDecimals, sizeDecimals }, got ${JSON.stringify(entry)}`);
    const { symbol, priceDecimals = defaults.priceDecimals, sizeDecimals = defaults.sizeDecimals } = spec as Record<string, unknown>;
    if (typeof symbol !== 'string' || !VENUE_SYMBOL_RE.test(symbol)) return fail(`entry ${JSON.stringify(entry)} is not a venue symbol`);
    if (!isDecimals(priceDecimals) || !isDecimals(sizeDecimals))
      return fail(`entry ${JSON.stringify(entry)}: decimals must be integers 0..${MAX_DECIMALS}`);
    const upper = symbol.toUpperCase();
    if (seen.has(upper)) fail(`names ${upper} twice`);
    seen.add(upper);
    return { symbol: upper, assetClass: AssetClass.Crypto, priceDecimals, sizeDecimals };
  });
}
