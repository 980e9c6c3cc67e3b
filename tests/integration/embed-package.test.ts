/**
 * `tickwire/react` as another app gets it: the package is packed with npm (prepack builds dist/),
 * unpacked into a scratch app's node_modules beside that app's own React, then
 *
 * - its type declarations are checked the way the app's TypeScript resolves them (package
 *   "exports", under moduleResolution bundler and nodenext): good props compile, wrong ones do not;
 * - the built ESM is imported by Node and rendered with react-dom/server, as a Next.js server
 *   render of a page holding <LiveChart> would.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createElement, type ComponentType } from 'react';
import { renderToString } from 'react-dom/server';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbed } from '../../server/cli/build-embed';
import { createConsumerApp, type ConsumerApp } from '../support/consumer-app';

let consumer: ConsumerApp | undefined;
let app: string;
let packedFiles: readonly string[];

beforeAll(async () => {
  await buildEmbed();
  consumer = createConsumerApp();
  app = consumer.dir;
  packedFiles = consumer.packedFiles;
}, 120_000);

afterAll(() => consumer?.remove());

/** Type errors of `source` compiled as the app's file `name`. */
function typeErrors(name: string, source: string, resolution: 'bundler' | 'nodenext'): string[] {
  const file = join(app, name);
  writeFileSync(file, source);
  const options: ts.CompilerOptions =
    resolution === 'bundler'
      ? { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }
      : { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  const program = ts.createProgram([file], {
    ...options,
    target: ts.ScriptTarget.ES2022,
    jsx: ts.JsxEmit.ReactJSX,
    strict: true,
    noEmit: true,
    types: [],
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const GOOD = `
import { LiveChart, type LiveChartProps } from 'tickwire/react';
const props: LiveChartProps = { symbol: 'ETH-USD', interval: '5m', theme: 'light', height: '60vh', volume: false };
export const a = <LiveChart symbol="BTC-USD" interval="1m" feedUrl="wss://feed.example.com" />;
export const b = <LiveChart {...props} className="chart" style={{ maxWidth: 600 }} />;
`;

const BAD = `
import { LiveChart } from 'tickwire/react';
export const a = <LiveChart symbol="BTC-USD" interval="2m" />;
export const b = <LiveChart interval="1m" />;
export const c = <LiveChart symbol="BTC-USD" volume="off" />;
`;

describe('the tickwire/react package', () => {
  it('ships the built embeds and their docs, not the app', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/react/index.js',
        'dist/react/index.d.ts',
        'dist/embed/tickwire-chart.js',
        'docs/embedding.md',
      ]),
    );
    expect(packedFiles.filter((f) => !f.startsWith('dist/') && !['package.json', 'docs/embedding.md', 'README.md'].includes(f))).toEqual(
      [],
    );
  });

  it("installs nothing of the server or the dashboard into an embedder's app: React is its own (an optional peer)", () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'tickwire', 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual(['react', 'react-dom']);
    expect(manifest.peerDependenciesMeta?.react?.optional).toBe(true);
  });

  it('types LiveChart for an app resolving modules like a bundler (Next.js, Vite)', () => {
    expect(typeErrors('good.tsx', GOOD, 'bundler')).toEqual([]);
  });

  it('types LiveChart under nodenext resolution too', () => {
    expect(typeErrors('good-node.tsx', GOOD, 'nodenext')).toEqual([]);
  });

  it('refuses wrong props at compile time', () => {
    const errors = typeErrors('bad.tsx', BAD, 'bundler');
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toMatch(/"2m"/);
    expect(errors.join('\n')).toMatch(/symbol/);
  });

  it("renders on the server as a box of the chart's height that the browser fills after hydration", async () => {
    const entry = join(app, 'node_modules', 'tickwire', 'dist', 'react', 'index.js');
    const { LiveChart } = (await import(pathToFileURL(entry).href)) as { LiveChart: ComponentType<Record<string, unknown>> };
    const html = renderToString(createElement(LiveChart, { symbol: 'BTC-USD', interval: '1m', height: 320, className: 'chart' }));
    expect(html).toBe('<div class="chart" style="display:block;height:320px" data-tickwire-chart=""></div>');
  });

  it('marks the entry as a client module for Next.js server components', () => {
    const dist = readdirSync(join(app, 'node_modules', 'tickwire', 'dist', 'react'));
    expect(dist).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'types']));
    const head = execFileSync('head', ['-c', '13', join(app, 'node_modules', 'tickwire', 'dist', 'react', 'index.js')], {
      encoding: 'utf8',
    });
    expect(head).toBe("'use client';");
  });
});
