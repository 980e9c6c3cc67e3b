/**
 * Is a build still current? One answer for `npm start` (server/cli/launch.ts), the embed bundle build
 * (server/cli/build-embed.ts) and the e2e setup, so they never disagree about when to rebuild.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Sources whose change makes the dashboard's production build (`.next`) stale. */
export const NEXT_BUILD_INPUTS = ['app', 'components', 'lib', 'next.config.js', 'proxy.ts', 'package.json', 'package-lock.json'];

/** Newest modification time (ms) under `path`, ignoring dot-folders and node_modules; 0 if absent. */
export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry.startsWith('.') || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when `builtAtMs` is no older than every input (paths relative to `root`). */
export function isNewerThanInputs(root: string, inputs: readonly string[], builtAtMs: number): boolean {
  return inputs.every((input) => newestMtime(join(root, input)) <= builtAtMs);
}

/** True when `<root>/.next` holds a production build newer than every dashboard source. */
export function nextBuildIsCurrent(root: string): boolean {
  const buildId = join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  return isNewerThanInputs(root, NEXT_BUILD_INPUTS, statSync(buildId).mtimeMs);
}
