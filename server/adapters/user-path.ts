/**
 * Where a relative path typed on a command line points. `npm run feed` and `npm run record` run
 * their script in the package root whatever folder the user typed the command in (npm looks for
 * package.json upward), so `process.cwd()` is the package root, not the user's folder. npm records
 * the user's folder in `INIT_CWD` (npm-run-script docs); every CLI flag and adapter option that
 * names a file resolves against it, so `--adapter ./my-feed.ts` means the file next to the user.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** The environment variable in which npm records the folder the user ran it from. */
export const USER_DIRECTORY_ENV = 'INIT_CWD';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The folder relative paths on the command line are relative to: `INIT_CWD` when it is set and
 * names an existing directory (run through npm), else `cwd` (run directly, `npx tsx server/cli/feed.ts`).
 */
export function userDirectory(env: Readonly<Record<string, string | undefined>> = process.env, cwd: string = process.cwd()): string {
  const recorded = env[USER_DIRECTORY_ENV];
  if (recorded === undefined || recorded === '') return cwd;
  const candidate = resolve(cwd, recorded);
  return isDirectory(candidate) ? candidate : cwd;
}

/** The absolute path `typed` names, relative to `base` (the user's folder); an absolute path is returned as is. */
export function resolveUserPath(typed: string, base: string = userDirectory()): string {
  return resolve(base, typed);
}

/**
 * A path for a message: the absolute path, and the path as typed when that differs, so a person
 * sees both which file was looked for and what they wrote: `/home/me/x.ts (given as "./x.ts")`.
 */
export function describeUserPath(typed: string, resolved: string): string {
  return typed === resolved ? resolved : `${resolved} (given as "${typed}")`;
}
