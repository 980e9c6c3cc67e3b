import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectAdapterRequests, parseOptionValue } from '../../../server/adapters/adapter-args';
import { isAdapterPath, loadAdapter, loadAdapterModule } from '../../../server/adapters/load-adapter';
import { parseCommandLine } from '../../../server/cli/args';
import { FEED_FLAGS } from '../../../server/cli/flag-table';

const dir = mkdtempSync(join(tmpdir(), 'tickwire-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a module into the temp dir and returns its path. */
function module(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

const CLASS_BODY = `{
  constructor(options = {}) { this.name = 'mine'; this.venue = options.venue ?? 'MINE'; this.options = options; }
  async start() {}
  async stop() {}
}`;

describe('isAdapterPath', () => {
  it('tells paths from built-in names', () => {
    for (const spec of ['./a.ts', '../x/y.js', '/abs/feed.mjs', 'feeds/x', 'x.ts', 'x.cjs#Thing']) expect(isAdapterPath(spec)).toBe(true);
    for (const spec of ['simulated', 'binance', 'replay']) expect(isAdapterPath(spec)).toBe(false);
  });
});

describe('loadAdapterModule', () => {
  it('builds a default-exported class with the options, and a fresh instance per restart', async () => {
    const path = module('class-default.mjs', `export default class Mine ${CLASS_BODY}`);
    const loaded = await loadAdapterModule(path, { venue: 'X1' });
    expect(loaded.adapter).toMatchObject({ name: 'mine', venue: 'X1', options: { venue: 'X1' } });
    const again = await loaded.recreate?.();
    expect(again).not.toBe(loaded.adapter);
    expect(again?.venue).toBe('X1');
    expect(loaded.origin).toBe(`${path}#default`);
  });

  it('builds a class whose start and stop are arrow-function fields with new, not as a factory', async () => {
    const path = module(
      'class-fields.mjs',
      `export default class FieldAdapter { name = 'fields'; venue; constructor(options = {}) { this.venue = options.venue ?? 'FLD'; } start = async () => {}; stop = async () => {}; }`,
    );
    const loaded = await loadAdapterModule(path, { venue: 'F2' });
    expect(loaded.adapter).toMatchObject({ name: 'fields', venue: 'F2' });
    expect((await loaded.recreate?.())?.venue).toBe('F2');
  });

  it('calls a default-exported factory, sync or async', async () => {
    const path = module('factory.mjs', `export default async (options) => new (class ${CLASS_BODY})(options);`);
    expect((await loadAdapterModule(path, { venue: 'F' })).adapter.venue).toBe('F');
  });

  it('uses an exported adapter object as is, with no recreate', async () => {
    const path = module('object.mjs', `class Mine ${CLASS_BODY}\nexport const adapter = new Mine({ venue: 'OBJ' });`);
    const loaded = await loadAdapterModule(path, {});
    expect(loaded.adapter.venue).toBe('OBJ');
    expect(loaded.recreate).toBeUndefined();
  });

  it('finds the one named adapter export, and loads TypeScript', async () => {
    const path = module(
      'named.ts',
      `import type { FeedAdapter } from '${join(process.cwd(), 'server/adapters/types')}';\nexport const VERSION = 2;\nexport function helper() { return 1; }\nexport class MyAdapter implements FeedAdapter { readonly name = 'ts'; readonly venue = 'TS'; async start() {} async stop() {} }`,
    );
    expect((await loadAdapterModule(path, {})).adapter).toMatchObject({ name: 'ts', venue: 'TS' });
  });

  it('asks for #name when several exports qualify, and honours it', async () => {
    const path = module('two.mjs', `export class AAdapter ${CLASS_BODY}\nexport class BAdapter ${CLASS_BODY}`);
    await expect(loadAdapterModule(path, {})).rejects.toThrow(
      /several adapters \(AAdapter, BAdapter\); pick one with --adapter .*two\.mjs#AAdapter/,
    );
    expect((await loadAdapterModule(`${path}#BAdapter`, {})).origin).toMatch(/#BAdapter$/);
    await expect(loadAdapterModule(`${path}#Nope`, {})).rejects.toThrow(/has no export "Nope"; its exports: AAdapter, BAdapter/);
  });

  it('names the file and what it found when nothing is an adapter', async () => {
    const path = module('nothing.mjs', `export default { hello: 1 };\nexport const answer = 42;`);
    await expect(loadAdapterModule(path, {})).rejects.toThrow(
      /nothing\.mjs exports no FeedAdapter class, factory or object; found: default \(an object without start\/stop\), answer \(number\)/,
    );
  });

  it('refuses a factory result that is no adapter, or has no venue', async () => {
    await expect(loadAdapterModule(module('bad-factory.mjs', 'export default () => 42;'), {})).rejects.toThrow(
      /did not produce a FeedAdapter.*got number/,
    );
    await expect(
      loadAdapterModule(module('no-venue.mjs', `export default () => ({ name: 'x', start() {}, stop() {} });`), {}),
    ).rejects.toThrow(/has no venue/);
  });

  it('fails with the file named, instead of hanging, when the factory or the import never settles', async () => {
    const factory = module('hanging-factory.mjs', `export default function make() { return new Promise(() => {}); }`);
    await expect(loadAdapterModule(factory, {}, process.cwd(), 200)).rejects.toThrow(
      /hanging-factory\.mjs#default: the adapter factory did not return an adapter within 200 ms/,
    );
    const imported = module('hanging-import.mjs', `await new Promise(() => {});\nexport default function make() {}`);
    await expect(loadAdapterModule(imported, {}, process.cwd(), 200)).rejects.toThrow(
      /could not import adapter .*hanging-import\.mjs: importing it took longer than 200 ms/,
    );
  });

  it('reports a missing file and a module that fails to import', async () => {
    await expect(loadAdapterModule(join(dir, 'missing.ts'), {})).rejects.toThrow(/adapter file not found: .*missing\.ts/);
    await expect(loadAdapterModule(module('throws.mjs', `throw new Error('top-level bug');`), {})).rejects.toThrow(
      /could not import adapter .*throws\.mjs: top-level bug/,
    );
  });

  it('passes on what the constructor throws for a bad option', async () => {
    const path = module(
      'strict.mjs',
      `export default class Strict { constructor(o) { if (o.rate !== undefined) throw new TypeError('strict option rate is not supported'); } }\nStrict.prototype.start = async () => {};\nStrict.prototype.stop = async () => {};`,
    );
    await expect(loadAdapterModule(path, { rate: 1 })).rejects.toThrow(TypeError);
  });
});

describe('loadAdapter', () => {
  it('builds built-ins by name and loads paths relative to the working directory', async () => {
    expect((await loadAdapter('simulated', { instruments: 2 })).adapter.venue).toBe('SIM');
    await expect(loadAdapter('nasdaq', {})).rejects.toThrow(
      /unknown adapter "nasdaq"; built-in adapters: binance, coinbase, replay, simulated/,
    );
    module('rel.mjs', `export default class Rel ${CLASS_BODY}`);
    expect((await loadAdapter('./rel.mjs', { venue: 'REL' }, dir)).adapter.venue).toBe('REL');
  });
});

describe('collectAdapterRequests', () => {
  const tokens = (args: string[]) => parseCommandLine(FEED_FLAGS, args, { env: {} }).tokens;

  it('gives each --adapter the options that follow it, in order', () => {
    const config = module('binance.json', JSON.stringify({ symbols: ['btcusdt'], priceDecimals: 2 }));
    const requests = collectAdapterRequests(
      tokens([
        '--adapter',
        'binance',
        '--adapter-config',
        config,
        '--adapter-opt',
        'priceDecimals=4',
        '--port',
        '1',
        '--adapter',
        './mine.ts',
        '--adapter-opt',
        'symbols=a,b',
        '--adapter-opt',
        'loop=true',
      ]),
    );
    expect(requests).toEqual([
      { spec: 'binance', options: { symbols: ['btcusdt'], priceDecimals: 4 } },
      { spec: './mine.ts', options: { symbols: 'a,b', loop: true } },
    ]);
  });

  it('refuses options before any --adapter and malformed pairs or configs', () => {
    expect(() => collectAdapterRequests(tokens(['--adapter-opt', 'a=1']))).toThrow(/must follow the --adapter/);
    expect(() => collectAdapterRequests(tokens(['--adapter', 'x', '--adapter-opt', 'novalue']))).toThrow(/key=value/);
    const notObject = module('array.json', '[1]');
    expect(() => collectAdapterRequests(tokens(['--adapter', 'x', '--adapter-config', notObject]))).toThrow(/JSON object/);
    expect(() => collectAdapterRequests(tokens(['--adapter', 'x', '--adapter-config', join(dir, 'nope.json')]))).toThrow(
      /--adapter-config/,
    );
  });

  it('parses values as JSON when they are JSON', () => {
    expect(parseOptionValue('50')).toBe(50);
    expect(parseOptionValue('false')).toBe(false);
    expect(parseOptionValue('"123"')).toBe('123');
    expect(parseOptionValue('[1,2]')).toEqual([1, 2]);
    expect(parseOptionValue('btcusdt,ethusdt')).toBe('btcusdt,ethusdt');
    expect(parseOptionValue('./x.csv')).toBe('./x.csv');
  });
});
