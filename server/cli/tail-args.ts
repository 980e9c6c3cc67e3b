/**
 * Command-line arguments of `npm run tail` (tail.ts): the flag table's values turned into what
 * the tail needs. Pure apart from reading the environment it is given, so it is unit-tested.
 */
import { DEFAULT_FEED_URL } from '../../lib/net/feed-address';
import type { BarInterval } from '../../lib/market/types';
import { parseCommandLine, type Environment } from './args';
import { TAIL_FLAGS, TAIL_KINDS, type TailKind } from './flag-table';
import { UsageError } from './kinds';

export { UsageError };

/** Parsed arguments. */
export interface TailArgs {
  readonly urls: readonly string[];
  /** Bar interval in seconds, or 0 for no bars. */
  readonly interval: BarInterval | 0;
  readonly protocol: 'binary' | 'json';
  readonly all: boolean;
  /** Bars of `interval` to print per symbol before going live (`--history`); 0 = none. */
  readonly history: number;
  readonly symbols: readonly string[];
  readonly kinds: ReadonlySet<TailKind>;
}

/** Result of {@link parseTailArgs}: arguments, or a request for the help text. */
export type TailArgsResult = { readonly help: true } | { readonly help: false; readonly args: TailArgs };

/**
 * Parses `argv` (without the node and script paths); `FEED_URL` in `env` stands in for `--url`.
 * @throws UsageError
 */
export function parseTailArgs(argv: readonly string[], env: Environment = {}): TailArgsResult {
  const parsed = parseCommandLine(TAIL_FLAGS, argv, { env, positionals: true });
  if (parsed.help) return { help: true };
  const { values, positionals } = parsed;
  const unknown = positionals.find((p) => p.startsWith('-'));
  if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}`);
  if (!values.all && positionals.length === 0) throw new UsageError('name at least one SYMBOL, or pass --all');
  if (values.history !== undefined && (values.interval ?? 0) === 0) throw new UsageError('--history needs --interval (the bars to print)');
  if (values.history !== undefined && values.all) throw new UsageError('--history needs SYMBOLs, not --all');
  return {
    help: false,
    args: {
      urls: values.url.length > 0 ? values.url : [DEFAULT_FEED_URL],
      interval: values.interval ?? 0,
      protocol: values.json ? 'json' : 'binary',
      all: values.all,
      history: values.history ?? 0,
      symbols: [...new Set(positionals)],
      kinds: values.kinds ?? new Set(TAIL_KINDS),
    },
  };
}
