/**
 * Lets a user's adapter file that lives outside the Tickwire checkout (`~/feeds/desk.ts`) import
 * `tickwire/adapter`, `ws` or any other package Tickwire has installed, although its own folder
 * has no node_modules. A bare import that the user's folder cannot satisfy is resolved again as
 * if it were written in Tickwire's own package.json folder: `tickwire/...` then finds Tickwire
 * through its package "exports" (Node's package self-reference), anything else finds
 * Tickwire's node_modules. What the user's folder does install still wins.
 *
 * Two module systems need it: tsx runs a `.ts` file in a folder without `"type": "module"` as
 * CommonJS (its imports become `require`), so `Module._resolveFilename` gets a fallback; ES
 * modules (`.mts`, `.mjs`, or a `"type": "module"` folder) get a `module.register` resolve hook.
 */
import Module, { register } from 'node:module';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The folder holding Tickwire's package.json (this file is server/adapters/package-resolution.ts). */
const TICKWIRE_ROOT = resolve(import.meta.dirname, '..', '..');

/** Relative (`./x`, `../x`), absolute (`/x`, `C:\\x`) or URL-like (`file:`, `node:`) specifiers. */
const NOT_BARE_RE = /^(?:\.{1,2}(?:\/|\\|$)|\/|\\|[A-Za-z]:[\\/]|[A-Za-z][A-Za-z0-9+.-]*:)/;

/** True for `ws`, `tickwire/adapter`, `@scope/x`: not relative, not absolute, not a URL or `node:` builtin. */
export function isBareSpecifier(specifier: string): boolean {
  return !NOT_BARE_RE.test(specifier);
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: ResolveFilename;
  _nodeModulePaths(from: string): string[];
}

/**
 * The ES-module resolve hook, as source: `register` loads it in the loader thread, where this
 * TypeScript file cannot be loaded (tsx may not be active there), so it stays plain JavaScript.
 */
const ESM_HOOK_SOURCE = `
let root, fallbackParent;
export function initialize(data) { root = data.rootUrl; fallbackParent = data.parentUrl; }
const NOT_BARE = ${String(NOT_BARE_RE)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const parent = context.parentURL;
    if (NOT_BARE.test(specifier) || parent === undefined || !parent.startsWith('file:') || parent.startsWith(root)) throw error;
    try {
      return await next(specifier, { ...context, parentURL: fallbackParent });
    } catch {
      throw error;
    }
  }
}
`;

let installed = false;

/**
 * Installs both fallbacks (idempotent). Called by the adapter loader before it imports a user's
 * module; harmless for modules inside the checkout, whose imports resolve before the fallback runs.
 */
export function installPackageResolution(root: string = TICKWIRE_ROOT): void {
  if (installed) return;
  installed = true;
  const packageJson = join(root, 'package.json');
  const rootPrefix = root.endsWith(sep) ? root : root + sep;

  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  const fallbackParent = Object.assign(new Module(packageJson), {
    filename: packageJson,
    paths: internals._nodeModulePaths(root),
    loaded: true,
  });
  internals._resolveFilename = function resolveWithTickwireFallback(this: unknown, request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (error) {
      const parentFile = (parent as { filename?: unknown } | undefined)?.filename;
      if (!isBareSpecifier(request) || typeof parentFile !== 'string' || parentFile.startsWith(rootPrefix)) throw error;
      try {
        return original.call(this, request, fallbackParent, false, options);
      } catch {
        throw error;
      }
    }
  };

  register(`data:text/javascript,${encodeURIComponent(ESM_HOOK_SOURCE)}`, {
    data: { rootUrl: pathToFileURL(rootPrefix).href, parentUrl: pathToFileURL(packageJson).href },
  });
}
