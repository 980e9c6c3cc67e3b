/**
 * Command-line arguments of `npm run tail` (lib/client/tail-cli.ts), parsed without Node APIs so
 * the parser is unit-tested like any other pure function.
 */
import { BAR_INTERVAL_LABELS, BAR_INTERVALS, parseBarInterval, type BarInterval } from '../../lib/market/types';
import { isWebSocketUrl } from '../../lib/net/url';

/** Update kinds the tail can print. */
export const TAIL_KINDS = ['trade', 'quote', 'bar', 'session'] as const;
/** One of {@link TAIL_KINDS}. */
export type TailKind = (typeof TAIL_KINDS)[number];

/** Default gateway URL. */
export const DEFAULT_TAIL_URL = 'ws://localhost:8080';

/** Parsed arguments. */
export interface TailArgs {
  readonly urls: readonly string[];
  /** Bar interval in seconds, or 0 for no bars. */
  readonly interval: BarInterval | 0;
  readonly protocol: 'binary' | 'json';
  readonly all: boolean;
  readonly symbols: readonly string[];
  readonly kinds: ReadonlySet<TailKind>;
}

/** Result of {@link parseTailArgs}: arguments, or a request for the help text. */
export type TailArgsResult = { readonly help: true } | { readonly help: false; readonly args: TailArgs };

/** Bad command line; the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The `--help` text. */
export const TAIL_USAGE = `Usage: npm run tail -- [options] SYMBOL...

Prints one NDJSON line per market update on stdout (prices and sizes as exact decimal strings,
times as ISO-8601 with microseconds); connection events, gaps and errors go to stderr as NDJSON.
A SYMBOL is a bare symbol (BTC-USD), or the full name (SIM:BTC-USD) when several venues list it;
any case works (btc-usd) when only one instrument matches it that way.

Options:
  --url URL         Gateway URL (default ${DEFAULT_TAIL_URL}). Repeat it or separate with commas
                    to fail over between gateways.
  --interval IVL    Also stream bars of this interval: ${BAR_INTERVALS.map((i) => BAR_INTERVAL_LABELS[i]).join(', ')} (default: no bars).
  --json            Use the JSON subprotocol (tickwire.v1.json) instead of binary frames.
  --all             Subscribe to every instrument (no SYMBOL needed).
  --kinds LIST      Comma-separated kinds to print: trade,quote,bar,session (default: all four;
                    session = the session's open/high/low/last/volume, sent with snapshots).
  -h, --help        Show this help.

Example: npm run tail -- --url ws://localhost:8080 --interval 1m BTC-USD ETH-USD`;

/** Parses `argv` (without the node and script paths). @throws UsageError */
export function parseTailArgs(argv: readonly string[]): TailArgsResult {
  const urls: string[] = [];
  const symbols: string[] = [];
  let interval: BarInterval | 0 = 0;
  let protocol: 'binary' | 'json' = 'binary';
  let all = false;
  let kinds: Set<TailKind> = new Set(TAIL_KINDS);

  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = (): string => {
      if (eq > 0) return raw.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return { help: true };
      case '--url':
        for (const url of value().split(',')) {
          const trimmed = url.trim();
          if (!isWebSocketUrl(trimmed)) throw new UsageError(`--url must be a ws:// or wss:// URL, got "${trimmed}"`);
          urls.push(trimmed);
        }
        break;
      case '--interval': {
        const text = value();
        const parsed = parseBarInterval(text);
        if (parsed === undefined) {
          throw new UsageError(
            `--interval must be one of ${BAR_INTERVALS.map((b) => BAR_INTERVAL_LABELS[b]).join(', ')}, got "${text}"`,
          );
        }
        interval = parsed;
        break;
      }
      case '--json':
        protocol = 'json';
        break;
      case '--all':
        all = true;
        break;
      case '--kinds': {
        const list = value().split(',').map((k) => k.trim()).filter((k) => k.length > 0);
        const bad = list.filter((k) => !(TAIL_KINDS as readonly string[]).includes(k));
        if (list.length === 0 || bad.length > 0) {
          throw new UsageError(`--kinds takes a comma-separated subset of ${TAIL_KINDS.join(',')}, got "${list.join(',')}"`);
        }
        kinds = new Set(list as TailKind[]);
        break;
      }
      default:
        if (raw.startsWith('-')) throw new UsageError(`unknown option ${flag}`);
        symbols.push(raw);
    }
  }
  if (!all && symbols.length === 0) throw new UsageError('name at least one SYMBOL, or pass --all');
  return {
    help: false,
    args: { urls: urls.length > 0 ? urls : [DEFAULT_TAIL_URL], interval, protocol, all, symbols: [...new Set(symbols)], kinds },
  };
}
