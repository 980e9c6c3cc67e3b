/**
 * Turns `--adapter <name-or-path>` into adapters. A name is a built-in (index.ts); anything that
 * looks like a path ("./my-adapter.ts", "/abs/feed.mjs", "feeds/x.js") is imported with dynamic
 * `import()` (the CLI runs under tsx, so TypeScript works), optionally with `#exportName`.
 *
 * Accepted module shapes, looked for in the default export first, then the named exports:
 * - a class implementing FeedAdapter: `new Adapter(options)`, a fresh instance per restart;
 * - a factory function `(options) => FeedAdapter | Promise<FeedAdapter>`, called per restart;
 * - an object that already is a FeedAdapter: used as is (stopped and started again on restart).
 * Several qualifying named exports and no default is ambiguous: pick one with `path#name`.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAdapter, type AdapterOptions } from './index';
import { installPackageResolution } from './package-resolution';
import type { FeedAdapter } from './types';
import { describeUserPath, resolveUserPath, userDirectory } from './user-path';
import { withTimeout } from './with-timeout';

/** An adapter ready to supervise: its first instance and how to make more. */
export interface LoadedAdapter {
  readonly adapter: FeedAdapter;
  readonly recreate?: () => FeedAdapter | Promise<FeedAdapter>;
  /** Where it came from, for messages: "simulated" or "/abs/path/my-adapter.ts#default". */
  readonly origin: string;
}

const PATH_SUFFIX_RE = /\.(?:[cm]?[jt]s)$/;

/** True when `spec` names a file rather than a built-in adapter. */
export function isAdapterPath(spec: string): boolean {
  const file = spec.split('#')[0] ?? spec;
  return file.startsWith('.') || isAbsolute(file) || file.includes('/') || file.includes('\\') || PATH_SUFFIX_RE.test(file);
}

/** A clear error about an adapter module. */
export class AdapterLoadError extends Error {
  override readonly name = 'AdapterLoadError';
}

type Maker = (options: AdapterOptions) => FeedAdapter | Promise<FeedAdapter>;

function isFeedAdapter(value: unknown): value is FeedAdapter {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.start === 'function' && typeof v.stop === 'function';
}

function isAdapterClass(value: unknown): value is new (options: AdapterOptions) => FeedAdapter {
  if (typeof value !== 'function') return false;
  const proto = (value as { prototype?: unknown }).prototype as Record<string, unknown> | undefined;
  return proto !== undefined && typeof proto.start === 'function' && typeof proto.stop === 'function';
}

/** What an export is, for the "nothing usable" message. */
function describeExport(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return isAdapterClass(value) ? 'an adapter class' : 'a function';
  if (typeof value === 'object') return isFeedAdapter(value) ? 'an adapter object' : 'an object without start/stop';
  return typeof value;
}

/**
 * True for a function written with `class`: it can only be called with `new`. Catches classes whose
 * start and stop are arrow-function fields (`start = async (sink) => {...}`), which live on each
 * instance, not on the prototype {@link isAdapterClass} looks at.
 */
function isClassSyntax(value: unknown): value is new (options: AdapterOptions) => unknown {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

/** The export's way of building adapters, or undefined when it is no adapter at all. */
function asMaker(value: unknown): { make: Maker; reusable: boolean } | undefined {
  if (isAdapterClass(value)) return { make: (options) => new value(options), reusable: false };
  if (isClassSyntax(value)) return { make: (options) => new value(options) as FeedAdapter, reusable: false };
  if (typeof value === 'function') return { make: value as Maker, reusable: false };
  if (isFeedAdapter(value)) return { make: () => value, reusable: true };
  return undefined;
}

/** Checks what a class or factory produced. */
function checkProduced(value: unknown, origin: string): FeedAdapter {
  if (!isFeedAdapter(value)) {
    throw new AdapterLoadError(
      `${origin} did not produce a FeedAdapter (an object with start and stop methods); got ${describeExport(value)}`,
    );
  }
  if (typeof value.venue !== 'string' || value.venue.length === 0)
    throw new AdapterLoadError(`${origin}: the adapter has no venue (a non-empty string property "venue")`);
  if (typeof value.name !== 'string' || value.name.length === 0)
    throw new AdapterLoadError(`${origin}: the adapter has no name (a non-empty string property "name")`);
  return value;
}

/**
 * How long (ms) importing a user's adapter module, and its factory building the first instance,
 * may take before loading fails: a module or factory that never settles would otherwise leave
 * `npm run feed` hanging without a word. As long as the supervisor gives a start.
 */
export const ADAPTER_LOAD_TIMEOUT_MS = 15_000;

/**
 * Imports the adapter module at `spec` ("./x.ts" or "./x.ts#Export"), relative to `cwd` (by
 * default the folder the user ran the command in: see user-path.ts), and builds its first
 * instance with `options`.
 * @throws AdapterLoadError naming the file (absolute, and as given) when it does not exist; naming
 *   the file and what was found when it holds no usable adapter, or
 *   when the import or the factory takes longer than `timeoutMs`; whatever the adapter's
 *   constructor or factory throws (e.g. a TypeError for a bad option).
 */
export async function loadAdapterModule(
  spec: string,
  options: AdapterOptions,
  cwd = userDirectory(),
  timeoutMs = ADAPTER_LOAD_TIMEOUT_MS,
): Promise<LoadedAdapter> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const exportName = hash > 0 ? spec.slice(hash + 1) : undefined;
  const path = resolveUserPath(file, cwd);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new AdapterLoadError(`adapter file not found: ${describeUserPath(file, path)} (from --adapter ${spec})`);
  // A file outside the checkout imports tickwire/adapter and ws from Tickwire's node_modules.
  installPackageResolution();
  let module: Record<string, unknown>;
  try {
    module = (await withTimeout(
      import(pathToFileURL(path).href),
      timeoutMs,
      `importing it took longer than ${timeoutMs} ms (a top-level await that never settles?)`,
    )) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterLoadError(`could not import adapter ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let chosen: string;
  if (exportName !== undefined) {
    if (!Object.hasOwn(module, exportName)) {
      throw new AdapterLoadError(
        `adapter module ${path} has no export "${exportName}"; its exports: ${Object.keys(module).join(', ') || 'none'}`,
      );
    }
    chosen = exportName;
  } else if (asMaker(module.default) !== undefined) {
    chosen = 'default';
  } else {
    const candidates = Object.keys(module).filter(
      (name) =>
        name !== 'default' &&
        asMaker(module[name]) !== undefined &&
        (isAdapterClass(module[name]) || isFeedAdapter(module[name]) || /adapter/i.test(name)),
    );
    if (candidates.length !== 1) {
      const found =
        Object.keys(module)
          .map((name) => `${name} (${describeExport(module[name])})`)
          .join(', ') || 'no exports';
      throw new AdapterLoadError(
        candidates.length === 0
          ? `adapter module ${path} exports no FeedAdapter class, factory or object; found: ${found}. See docs/adapters.md.`
          : `adapter module ${path} exports several adapters (${candidates.join(', ')}); pick one with --adapter ${file}#${candidates[0]}`,
      );
    }
    chosen = candidates[0] as string;
  }
  const origin = `${path}#${chosen}`;
  const maker = asMaker(module[chosen]);
  if (maker === undefined)
    throw new AdapterLoadError(`${origin} is ${describeExport(module[chosen])}, not a FeedAdapter class, factory or object`);
  const made = await withTimeout(
    Promise.resolve(maker.make(options)),
    timeoutMs,
    () => new AdapterLoadError(`${origin}: the adapter factory did not return an adapter within ${timeoutMs} ms`),
  );
  const adapter = checkProduced(made, origin);
  const recreate = maker.reusable ? undefined : async () => checkProduced(await maker.make(options), origin);
  return { adapter, recreate, origin };
}

/**
 * Builds the adapter `spec` names (a built-in name or a module path, relative to `cwd`) with `options`.
 * @throws TypeError for an unknown built-in name or a bad option; AdapterLoadError for a module problem.
 */
export async function loadAdapter(spec: string, options: AdapterOptions, cwd = userDirectory()): Promise<LoadedAdapter> {
  if (isAdapterPath(spec)) return loadAdapterModule(spec, options, cwd);
  const adapter = createAdapter(spec, options);
  return { adapter, recreate: () => createAdapter(spec, options), origin: spec };
}

/**
 * Builds every requested adapter in order, module paths relative to `cwd` (by default the user's
 * folder: user-path.ts); the first failure throws (nothing is started yet).
 */
export async function loadAdapters(
  requests: readonly { spec: string; options: AdapterOptions }[],
  cwd = userDirectory(),
): Promise<LoadedAdapter[]> {
  const loaded: LoadedAdapter[] = [];
  for (const request of requests) loaded.push(await loadAdapter(request.spec, request.options, cwd));
  return loaded;
}
