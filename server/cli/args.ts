/**
 * The one wrapper over `node:util` `parseArgs` every Tickwire CLI uses. A flag is declared once
 * (name, kind, environment variable, help line, default) and that declaration gives both the typed
 * value and its line in `--help`, so the two cannot disagree.
 *
 * Why not commander: no new dependency for five small CLIs; `parseArgs` is strict (an unknown flag
 * or a missing value is an error, not a positional); and what we need beyond it (environment
 * variables, blank ones counting as unset, typed numbers with one rule per kind, help generated
 * from the same table) commander would still have to be wrapped for. docs/architecture.md says so too.
 */
import { parseArgs } from 'node:util';
import { UsageError, type ValueKind } from './kinds';

/** What a flag declaration says, whatever its value's type. */
interface FlagBase {
  /** Help text; `\n` continues it on the next line, aligned. */
  readonly help: string;
  /** Placeholder shown after the flag in help: `<n>`, `<url>`. */
  readonly placeholder?: string;
  /** Environment variable read when the flag is absent (a blank one counts as unset). */
  readonly env?: string;
  /** One-letter alias (`-h`). */
  readonly short?: string;
  /** Heading the flag is listed under in help. @defaultValue "Options" */
  readonly group?: string;
  /** The default as help shows it ("8080"), when the flag has one. */
  readonly shows?: string;
}

/** A declared flag whose parsed value has type `V`. */
export interface Flag<V> extends FlagBase {
  readonly type: 'string' | 'boolean';
  readonly multiple: boolean;
  /** Value from the command line (`undefined` when absent) or else from the environment. */
  read(given: string | boolean | string[] | undefined, envText: string | undefined, name: string): V;
}

/** Environment variables by name (`process.env`, or a plain object in tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A table of flags by long name (without the dashes). */
export type FlagTable = Readonly<Record<string, Flag<unknown>>>;

/** The values a table parses into, typed per flag. */
export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: T[K] extends Flag<infer V> ? V : never };

function sourceOf(name: string, fromEnv: boolean, env: string | undefined): string {
  return fromEnv && env !== undefined ? env : `--${name}`;
}

/** A flag with one value of `kind`: `default` when absent (and no env var is set), else undefined. */
export function valueFlag<T>(kind: ValueKind<T>, spec: FlagBase & { readonly default: T }): Flag<T>;
export function valueFlag<T>(kind: ValueKind<T>, spec: FlagBase): Flag<T | undefined>;
export function valueFlag<T>(kind: ValueKind<T>, spec: FlagBase & { readonly default?: T }): Flag<T | undefined> {
  return {
    ...spec,
    ...(spec.default !== undefined && spec.shows === undefined ? { shows: String(spec.default) } : {}),
    type: 'string',
    multiple: false,
    read(given, envText, name) {
      if (typeof given === 'string') return kind.parse(given, sourceOf(name, false, spec.env));
      if (envText !== undefined) return kind.parse(envText, sourceOf(name, true, spec.env));
      return spec.default;
    },
  };
}

/** A repeatable flag: every value given, in order (`[]` when absent); `split` also splits each at commas. */
export function listFlag<T>(kind: ValueKind<T>, spec: FlagBase & { readonly split?: boolean }): Flag<T[]> {
  return {
    ...spec,
    type: 'string',
    multiple: true,
    read(given, envText, name) {
      const fromEnv = !Array.isArray(given) && envText !== undefined;
      const texts = Array.isArray(given) ? given : envText !== undefined ? [envText] : [];
      const parts = spec.split ? texts.flatMap((t) => t.split(',').map((p) => p.trim())) : texts;
      return parts.map((part) => kind.parse(part, sourceOf(name, fromEnv, spec.env)));
    },
  };
}

/** An on/off flag: true when given (an environment variable set to 1 or true also turns it on). */
export function booleanFlag(spec: FlagBase): Flag<boolean> {
  return {
    ...spec,
    type: 'boolean',
    multiple: false,
    read(given, envText) {
      if (given === true) return true;
      return envText !== undefined && ['1', 'true', 'yes'].includes(envText.trim().toLowerCase());
    },
  };
}

/** The `-h, --help` flag every CLI has. */
export const HELP_FLAG = booleanFlag({ short: 'h', help: 'show this help' });

/** A `parseArgs` token (the parts callers read: adapter flags keep their command-line order). */
export interface ArgToken {
  readonly kind: string;
  readonly name?: string;
  readonly value?: string | undefined;
}

/** What {@link parseCommandLine} returns. */
export interface ParsedCommandLine<T extends FlagTable> {
  /** `-h` / `--help` was given: print help, ignore the rest. */
  readonly help: boolean;
  readonly values: FlagValues<T>;
  readonly positionals: readonly string[];
  /** Options in command-line order. */
  readonly tokens: readonly ArgToken[];
}

/** An environment variable's text, or undefined when unset or blank (`FEED_HOST=` in a service file). */
export function envText(env: Environment, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** parseArgs' own messages, in the words our CLIs use ("unknown option --bogus", "--url needs a value"). */
function usageFromParseArgs(error: NodeJS.ErrnoException): UsageError {
  const flag = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${flag ?? error.message}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(/does not take an argument/.test(error.message) ? `${flag} takes no value` : `${flag} needs a value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ''}: this command takes only options`);
    default:
      return new UsageError(error.message);
  }
}

/**
 * Parses `argv` (without the node and script paths) against `table`, reading each flag's
 * environment variable when the flag is absent. `-h` / `--help` is always understood.
 * @throws UsageError for an unknown flag, a missing value, a value its kind refuses, or a positional
 * argument when `positionals` is false
 */
export function parseCommandLine<T extends FlagTable>(
  table: T,
  argv: readonly string[],
  options: { readonly env?: Environment; readonly positionals?: boolean } = {},
): ParsedCommandLine<T> {
  const env = options.env ?? process.env;
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, flag] of Object.entries(table)) {
    config[name] = { type: flag.type, ...(flag.multiple ? { multiple: true } : {}), ...(flag.short ? { short: flag.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: options.positionals ?? false, tokens: true });
  } catch (error) {
    throw usageFromParseArgs(error as NodeJS.ErrnoException);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (raw.help === true) return { help: true, values: {} as FlagValues<T>, positionals: parsed.positionals, tokens: parsed.tokens };
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(table)) values[name] = flag.read(raw[name], envText(env, flag.env), name);
  return { help: false, values: values as FlagValues<T>, positionals: parsed.positionals, tokens: parsed.tokens };
}

/** Column where help text starts. */
const HELP_COLUMN = 28;
/** Widest help line the notes are fitted into. */
const HELP_WIDTH = 110;

/** One flag's help lines: `  --port <n>   text (default 8080; env FEED_PORT)`. */
function flagLines(name: string, flag: Flag<unknown>): string[] {
  const head = `  ${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.placeholder ? ` ${flag.placeholder}` : ''}`;
  const notes = [flag.shows !== undefined ? `default ${flag.shows}` : '', flag.env ? `env ${flag.env}` : ''].filter(Boolean);
  const text = flag.help.split('\n');
  if (notes.length > 0) {
    const note = `(${notes.join('; ')})`;
    const last = text.length - 1;
    // On the last line when it fits in HELP_WIDTH columns, else on a line of its own.
    if (HELP_COLUMN + (text[last] ?? '').length + 1 + note.length <= HELP_WIDTH) text[last] = `${text[last] ?? ''} ${note}`;
    else text.push(note);
  }
  const indent = ' '.repeat(HELP_COLUMN);
  const lines = head.length < HELP_COLUMN - 1 ? [`${head.padEnd(HELP_COLUMN)}${text[0]}`] : [head, `${indent}${text[0]}`];
  for (const more of text.slice(1)) lines.push(`${indent}${more}`);
  return lines;
}

/** What a help page says besides the flags. */
export interface HelpPage {
  /** First line: what the command does. */
  readonly title: string;
  /** The usage line(s), without "Usage: ". */
  readonly usage: string;
  /** Text under a group's heading, after its flags (e.g. how relative paths are read). */
  readonly groupNotes?: Readonly<Record<string, string>>;
  /** Paragraphs after the flags: examples, where to read more. */
  readonly footer?: string;
}

/** The `--help` text of a CLI: every flag of `table` (and `-h, --help`) under its group's heading. */
export function formatHelp(table: FlagTable, page: HelpPage): string {
  const groups = new Map<string, string[]>();
  const entries: [string, Flag<unknown>][] = [...Object.entries(table), ['help', HELP_FLAG]];
  for (const [name, flag] of entries) {
    const group = flag.group ?? 'Options';
    groups.set(group, [...(groups.get(group) ?? []), ...flagLines(name, flag)]);
  }
  const sections = [...groups].map(([group, lines]) => {
    const note = page.groupNotes?.[group];
    return [`${group}:`, ...lines, ...(note ? note.split('\n').map((l) => `  ${l}`) : [])].join('\n');
  });
  return [page.title, `Usage: ${page.usage}`, ...sections, ...(page.footer ? [page.footer] : [])].join('\n\n');
}

/** Prints `message` and how to get help to stderr, and exits 2 (a usage error, in every CLI). */
export function exitUsage(message: string, hint = 'Run with --help for usage.'): never {
  process.stderr.write(`${message}\n\n${hint}\n`);
  process.exit(2);
}
