/**
 * `npm run build:embed`: builds the two embeddable artefacts into dist/ with esbuild.
 *
 * - dist/embed/tickwire-chart.js: the `<tickwire-chart>` custom element as one classic script
 *   (IIFE, minified) with everything inside (feed client, codec, lightweight-charts). The feed
 *   service serves it at GET /embed/tickwire-chart.js.
 * - dist/react/index.js + index.d.ts: the `tickwire/react` entry (package.json "exports"), ESM with
 *   React left to the host app, marked 'use client' for Next.js server components. Type
 *   declarations are made per file by TypeScript's transpileDeclaration (the public types are
 *   small and self-contained) and get explicit `.js` specifiers, so they resolve under
 *   `moduleResolution` bundler, node16 and nodenext alike.
 *
 * `--if-stale` skips the build when dist/ is newer than every source (npm start and the e2e setup
 * use it); `--check` only says whether it is current (exit 1 when not).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { isNewerThanInputs } from '../build-freshness';
import { exitUsage, parseCommandLine } from './args';
import { BUILD_EMBED_FLAGS } from './flag-table';
import { BUILD_EMBED_HELP } from './help';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the artefacts go. */
export const DIST_DIR = join(ROOT, 'dist');
/** The custom element bundle. */
export const ELEMENT_BUNDLE_PATH = join(DIST_DIR, 'embed', 'tickwire-chart.js');
/** The React entry (ESM). */
export const REACT_ENTRY_PATH = join(DIST_DIR, 'react', 'index.js');
/** Type declarations of the React entry. */
export const REACT_TYPES_PATH = join(DIST_DIR, 'react', 'index.d.ts');

const ELEMENT_ENTRY = join(ROOT, 'components', 'embed', 'element-entry.ts');
const REACT_ENTRY = join(ROOT, 'components', 'embed', 'react.ts');
/** Sources whose change makes the artefacts stale. */
const INPUTS = ['lib', 'components', 'package.json', 'server/cli/build-embed.ts'];
/** Browsers the bundles target: custom elements, private class fields and methods are native there. */
const TARGET = ['chrome90', 'firefox90', 'safari15'];

/** What {@link buildEmbed} produced. */
export interface EmbedBuildResult {
  readonly elementBundle: string;
  readonly elementBytes: number;
  readonly reactEntry: string;
  readonly reactBytes: number;
  readonly typeFiles: readonly string[];
  /** Wall time of the build (ms). */
  readonly elapsedMs: number;
}

/** Which artefacts to check or build: `element` is all the feed service needs. */
export type EmbedArtefacts = 'all' | 'element';

/** True when the artefacts exist and are newer than every source. */
export function embedBuildIsCurrent(which: EmbedArtefacts = 'all'): boolean {
  const outputs = which === 'element' ? [ELEMENT_BUNDLE_PATH] : [ELEMENT_BUNDLE_PATH, REACT_ENTRY_PATH, REACT_TYPES_PATH];
  if (!outputs.every((path) => existsSync(path))) return false;
  const builtAt = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  return isNewerThanInputs(ROOT, INPUTS, builtAt);
}

/** Version of this package (stamped into the bundles). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the `<tickwire-chart>` bundle only (what `npm start` and the feed service need). */
export async function buildElementBundle(): Promise<{ path: string; bytes: number }> {
  const version = packageVersion();
  await build({
    entryPoints: [ELEMENT_ENTRY],
    outfile: ELEMENT_BUNDLE_PATH,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: TARGET,
    minify: true,
    legalComments: 'eof',
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: {
      js: `/*! Tickwire ${version} <tickwire-chart>: docs/embedding.md. Includes lightweight-charts (Apache-2.0, TradingView). */`,
    },
    logLevel: 'warning',
  });
  return { path: ELEMENT_BUNDLE_PATH, bytes: statSync(ELEMENT_BUNDLE_PATH).size };
}

/** Builds both artefacts. @throws when esbuild or TypeScript reports an error. */
export async function buildEmbed(): Promise<EmbedBuildResult> {
  const started = performance.now();
  const version = packageVersion();
  const element = await buildElementBundle();
  await build({
    entryPoints: [REACT_ENTRY],
    outfile: REACT_ENTRY_PATH,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: TARGET,
    jsx: 'automatic',
    external: ['react', 'react-dom', 'react/*', 'react-dom/*'],
    legalComments: 'eof',
    // A module-level directive cannot survive bundling; the banner puts it back on top.
    banner: { js: `'use client';\n/* Tickwire ${version}: tickwire/react (docs/embedding.md) */` },
    logOverride: { 'module-level-directive': 'silent' },
    logLevel: 'warning',
  });
  const typeFiles = await emitReactTypes();
  return {
    elementBundle: element.path,
    elementBytes: element.bytes,
    reactEntry: REACT_ENTRY_PATH,
    reactBytes: statSync(REACT_ENTRY_PATH).size,
    typeFiles,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * Declarations of the React entry and the files it reaches, into dist/react/types/ (mirroring
 * the source tree), plus dist/react/index.d.ts re-exporting the entry. Returns the files written.
 */
async function emitReactTypes(): Promise<string[]> {
  // TypeScript is a devDependency: loaded only when the React entry is built (npm run build:embed).
  const { default: ts } = await import('typescript');
  const typesDir = join(DIST_DIR, 'react', 'types');
  rmSync(typesDir, { recursive: true, force: true });
  const written: string[] = [];
  const pending = [REACT_ENTRY];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop() as string;
    if (seen.has(source)) continue;
    seen.add(source);
    const { outputText, diagnostics } = ts.transpileDeclaration(readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: { jsx: ts.JsxEmit.ReactJSX, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, strict: true },
      reportDiagnostics: true,
    });
    if (diagnostics && diagnostics.length > 0) {
      const text = ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => '\n',
      });
      throw new Error(`type declarations of ${relative(ROOT, source)} need explicit types:\n${text}`);
    }
    const declaration = outputText.replace(
      /(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g,
      (_match, lead: string, quote: string, spec: string) => {
        const target = resolveSource(dirname(source), spec);
        pending.push(target.file);
        return `${lead}${quote}${target.specifier}${quote}`;
      },
    );
    const out = join(typesDir, relative(ROOT, source)).replace(/\.tsx?$/, '.d.ts');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, declaration);
    written.push(out);
  }
  const entryTypes = `./${relative(dirname(REACT_TYPES_PATH), join(typesDir, relative(ROOT, REACT_ENTRY))).replace(/\.ts$/, '.js')}`;
  writeFileSync(REACT_TYPES_PATH, `export * from '${entryTypes}';\n`);
  written.push(REACT_TYPES_PATH);
  return written;
}

/** The source file a relative import names, and the `.js` specifier its declaration answers to. */
function resolveSource(fromDir: string, spec: string): { file: string; specifier: string } {
  for (const ext of ['.ts', '.tsx']) {
    if (existsSync(join(fromDir, spec + ext))) return { file: join(fromDir, spec + ext), specifier: `${spec}.js` };
    if (existsSync(join(fromDir, spec, `index${ext}`))) return { file: join(fromDir, spec, `index${ext}`), specifier: `${spec}/index.js` };
  }
  throw new Error(`cannot resolve "${spec}" from ${relative(ROOT, fromDir)}`);
}

async function main(): Promise<void> {
  let values;
  try {
    const parsed = parseCommandLine(BUILD_EMBED_FLAGS, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${BUILD_EMBED_HELP}\n`);
      return;
    }
    values = parsed.values;
  } catch (error) {
    exitUsage((error as Error).message);
  }
  if (values.check) {
    const current = embedBuildIsCurrent();
    process.stdout.write(current ? 'embed build is current\n' : 'embed build is stale: run npm run build:embed\n');
    process.exit(current ? 0 : 1);
  }
  if (values['if-stale'] && embedBuildIsCurrent()) {
    process.stdout.write('embed build is current\n');
    return;
  }
  const result = await buildEmbed();
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  process.stdout.write(
    `built ${relative(ROOT, result.elementBundle)} (${kb(result.elementBytes)}), ${relative(ROOT, result.reactEntry)} (${kb(result.reactBytes)}) ` +
      `and ${result.typeFiles.length} type files in ${result.elapsedMs} ms\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`build:embed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
