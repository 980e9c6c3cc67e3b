/**
 * The adapter flags shared by `npm run feed` and `npm run record` (declared with their help in
 * server/cli/flag-table.ts; this file reads them in command-line order):
 *
 *   --adapter <name-or-path>        repeatable; starts a new adapter
 *   --adapter-opt key=value         an option of the adapter named just before it (repeatable)
 *   --adapter-config <file.json>    options of the adapter named just before it, from a JSON object
 *   --symbol-map VENUE:SYM=NAME     rename a symbol (repeatable, comma-separated lists allowed)
 *
 * A value is parsed as JSON when it is valid JSON (`rate=50` is a number, `loop=true` a boolean,
 * `venue="123"` a string) and taken as a plain string otherwise (`symbols=btcusdt,ethusdt`).
 */
import { readFileSync } from 'node:fs';
import { describeUserPath, resolveUserPath, userDirectory } from './user-path';

/** One `--adapter` with the options that followed it. */
export interface AdapterRequest {
  /** Built-in name or module path, as given. */
  readonly spec: string;
  /** Options in the order given; later keys override earlier ones. */
  readonly options: Record<string, unknown>;
}

/** A token as `util.parseArgs({ tokens: true })` yields it (the parts used here). */
export interface ArgToken {
  readonly kind: string;
  readonly name?: string;
  readonly value?: string | undefined;
}

/** Parses an option value: JSON when it is JSON, else the text itself. */
export function parseOptionValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Parses "key=value" into [key, value].
 * @throws TypeError when there is no "=" or the key is empty.
 */
export function parseOptionPair(pair: string): [string, unknown] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new TypeError(`--adapter-opt must look like key=value, got "${pair}"`);
  return [pair.slice(0, eq).trim(), parseOptionValue(pair.slice(eq + 1))];
}

/**
 * Reads a JSON object of adapter options from `file`, relative to `cwd` (by default the folder the
 * user ran the command in: user-path.ts).
 * @throws TypeError naming the file (absolute, and as given) when it cannot be read or holds no JSON object.
 */
export function readAdapterConfig(file: string, cwd = userDirectory()): Record<string, unknown> {
  const path = resolveUserPath(file, cwd);
  const named = describeUserPath(file, path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a folder, not a file'
          : error instanceof Error
            ? error.message
            : String(error);
    throw new TypeError(`--adapter-config ${named}: cannot read it: ${why}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new TypeError(`--adapter-config ${named}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`--adapter-config ${named} must hold a JSON object of options`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Collects `--adapter` requests in command-line order from parseArgs tokens; `--adapter-config`
 * files are read relative to `cwd` (by default the user's folder: user-path.ts).
 * @throws TypeError when an option flag comes before any --adapter, or a pair or file is bad.
 */
export function collectAdapterRequests(tokens: readonly ArgToken[], cwd = userDirectory()): AdapterRequest[] {
  const requests: { spec: string; options: Record<string, unknown> }[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'adapter') {
      if (token.value === undefined || token.value === '') throw new TypeError('--adapter needs a name or a path');
      requests.push({ spec: token.value, options: {} });
      continue;
    }
    if (token.name !== 'adapter-opt' && token.name !== 'adapter-config') continue;
    const current = requests[requests.length - 1];
    if (current === undefined) throw new TypeError(`--${token.name} must follow the --adapter it configures`);
    if (token.value === undefined) throw new TypeError(`--${token.name} needs a value`);
    if (token.name === 'adapter-opt') {
      const [key, value] = parseOptionPair(token.value);
      current.options[key] = value;
    } else {
      Object.assign(current.options, readAdapterConfig(token.value, cwd));
    }
  }
  return requests;
}
