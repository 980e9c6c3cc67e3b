/**
 * Reads a recording (NDJSON as recording-format.ts describes, or CSV with a header row) into
 * instruments and ticks in file order. Lines that cannot be used are skipped and counted per
 * problem (with the first line number), never fatal. Instruments without an instrument line get
 * the precision their data needs (the most decimal places seen) and asset class "other".
 */
import { MAX_DECIMALS } from '../../lib/market/decimal';
import { AssetClass } from '../../lib/market/types';
import { canonicalColumn, csvRecord, splitCsvLine } from './csv';
import { readRecord, type LineProblem, type RecordedInstrument, type RecordedTick } from './recording-format';

/** File formats replay reads. */
export type RecordingFormat = 'ndjson' | 'csv';

/** Problems found, with how often and where first. */
export type RecordingProblems = ReadonlyMap<
  LineProblem | 'csv-quote' | 'csv-header',
  { readonly count: number; readonly firstLine: number }
>;

/** A parsed recording. */
export interface Recording {
  /** Every instrument the ticks refer to (declared or inferred), in first-seen order. */
  readonly instruments: readonly RecordedInstrument[];
  /** Trades and quotes in file order. */
  readonly ticks: readonly RecordedTick[];
  readonly problems: RecordingProblems;
}

/** The format of `path` by its extension: .csv is CSV, anything else NDJSON. */
export function recordingFormatOf(path: string): RecordingFormat {
  return /\.csv$/i.test(path) ? 'csv' : 'ndjson';
}

/** Key of an instrument within a recording. */
export function recordingKey(venue: string, symbol: string): string {
  return `${venue}\u0000${symbol}`;
}

/** A number as JavaScript writes it in exponent form: 1.5e-7, 1e+21. */
const EXPONENT_RE = /^-?\d+(?:\.(\d+))?e([+-]?\d+)$/i;

/** Decimal places `value` needs (a number in exponent form too: 1.5e-7 needs 8), at most MAX_DECIMALS. */
function fractionDigits(value: string | number): number {
  const text = typeof value === 'number' ? String(value) : value;
  const exponent = EXPONENT_RE.exec(text);
  if (exponent !== null) return Math.min(MAX_DECIMALS, Math.max(0, (exponent[1] ?? '').length - Number(exponent[2])));
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(MAX_DECIMALS, text.length - dot - 1);
}

/** Parses recording text. */
export function parseRecording(text: string, format: RecordingFormat): Recording {
  const problems = new Map<LineProblem | 'csv-quote' | 'csv-header', { count: number; firstLine: number }>();
  const problem = (kind: LineProblem | 'csv-quote' | 'csv-header', line: number): void => {
    const entry = problems.get(kind);
    if (entry === undefined) problems.set(kind, { count: 1, firstLine: line });
    else entry.count += 1;
  };
  const declared = new Map<string, RecordedInstrument>();
  const inferred = new Map<string, { venue: string; symbol: string; priceDecimals: number; sizeDecimals: number }>();
  const order: string[] = [];
  const ticks: RecordedTick[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let columns: string[] | undefined;

  const take = (record: Record<string, unknown>, lineNo: number): void => {
    const item = readRecord(record);
    if (typeof item === 'string') return problem(item, lineNo);
    const key = recordingKey(item.venue, item.symbol);
    if (item.type === 'instrument') {
      if (!declared.has(key) && !inferred.has(key)) order.push(key);
      declared.set(key, item);
      return;
    }
    ticks.push(item);
    if (declared.has(key)) return;
    let entry = inferred.get(key);
    if (entry === undefined) {
      entry = { venue: item.venue, symbol: item.symbol, priceDecimals: 0, sizeDecimals: 0 };
      inferred.set(key, entry);
      order.push(key);
    }
    const prices = item.type === 'trade' ? [item.price] : [item.bid, item.ask];
    const sizes = item.type === 'trade' ? [item.size] : [item.bidSize, item.askSize];
    for (const p of prices) entry.priceDecimals = Math.max(entry.priceDecimals, fractionDigits(p));
    for (const s of sizes) entry.sizeDecimals = Math.max(entry.sizeDecimals, fractionDigits(s));
  };

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    const lineNo = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    if (format === 'ndjson') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line) as unknown;
      } catch {
        problem('malformed-json', lineNo);
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problem('malformed-json', lineNo);
        continue;
      }
      take(parsed as Record<string, unknown>, lineNo);
      continue;
    }
    const fields = splitCsvLine(line);
    if (fields === undefined) {
      problem('csv-quote', lineNo);
      continue;
    }
    if (columns === undefined) {
      columns = fields.map(canonicalColumn);
      if (!columns.includes('symbol')) {
        problem('csv-header', lineNo);
        break;
      }
      continue;
    }
    take(csvRecord(columns, fields), lineNo);
  }

  const instruments = order.map((key): RecordedInstrument => {
    const given = declared.get(key);
    if (given !== undefined) return given;
    const entry = inferred.get(key) as { venue: string; symbol: string; priceDecimals: number; sizeDecimals: number };
    return {
      type: 'instrument',
      venue: entry.venue,
      symbol: entry.symbol,
      assetClass: AssetClass.Other,
      priceDecimals: entry.priceDecimals,
      sizeDecimals: entry.sizeDecimals,
    };
  });
  return { instruments, ticks, problems };
}
