/**
 * A scratch "other app" that installs this package the way a consumer would: `npm pack` (the
 * artefacts in dist/ must be built), unpacked into the app's node_modules/tickwire, beside the
 * app's own React (links to the React this repository installed). Used by the package test and
 * by the e2e test that bundles a React app importing `tickwire/react`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root. */
const ROOT = resolve(import.meta.dirname, '..', '..');

/** A consumer app directory. */
export interface ConsumerApp {
  readonly dir: string;
  /** Paths npm packed. */
  readonly packedFiles: readonly string[];
  remove(): void;
}

/** Packs this package (scripts skipped: build dist/ first) and installs it into a new scratch app. */
export function createConsumerApp(): ConsumerApp {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-consumer-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error('npm pack printed nothing');
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'tickwire'), { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, info.filename), '-C', join(modules, 'tickwire'), '--strip-components=1']);
  mkdirSync(join(modules, '@types'), { recursive: true });
  for (const name of ['react', 'react-dom', '@types/react', '@types/react-dom']) {
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  return { dir, packedFiles: info.files.map((f) => f.path), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
