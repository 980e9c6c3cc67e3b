/**
 * Minimal CSV (RFC 4180) for replay files: a header row naming the columns, then one row per
 * trade or quote. Fields may be quoted ("a,b", "say ""hi"""); rows do not span lines. Header
 * names are matched loosely: `trade_id`, `TradeId` and `tradeid` all mean `tradeId`.
 */

/** Canonical column names, by their loose form (lower case, no `_`, `-` or spaces). */
const COLUMNS: Readonly<Record<string, string>> = {
  type: 'type',
  kind: 'type',
  time: 'time',
  timestamp: 'time',
  timeus: 'timeUs',
  timems: 'timeMs',
  symbol: 'symbol',
  venue: 'venue',
  price: 'price',
  size: 'size',
  qty: 'size',
  quantity: 'size',
  side: 'side',
  tradeid: 'tradeId',
  bid: 'bid',
  bidsize: 'bidSize',
  ask: 'ask',
  asksize: 'askSize',
};

/** The canonical name of a header cell, or the cell itself (an extra column, kept but unused). */
export function canonicalColumn(header: string): string {
  const loose = header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  return COLUMNS[loose] ?? header.trim();
}

/**
 * Splits one CSV line into fields. Returns `undefined` for a line with an unterminated quote.
 * Surrounding spaces of unquoted fields are kept (callers trim what they read).
 */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** One data row as an object keyed by canonical column names (empty cells omitted). */
export function csvRecord(columns: readonly string[], fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) {
    const value = fields[i]?.trim() ?? '';
    if (value !== '') record[columns[i] as string] = value;
  }
  return record;
}
