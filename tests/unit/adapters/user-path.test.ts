import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectAdapterRequests } from '../../../server/adapters/adapter-args';
import { loadAdapterModule } from '../../../server/adapters/load-adapter';
import { describeUserPath, resolveUserPath, userDirectory } from '../../../server/adapters/user-path';

const dir = mkdtempSync(join(tmpdir(), 'tickwire-user-path-'));
const userDir = join(dir, 'me');
const packageRoot = join(dir, 'pkg');
mkdirSync(userDir);
mkdirSync(packageRoot);
writeFileSync(join(dir, 'a-file'), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('userDirectory', () => {
  it('is the folder npm recorded in INIT_CWD when that is an existing directory', () => {
    expect(userDirectory({ INIT_CWD: userDir }, packageRoot)).toBe(userDir);
  });

  it('is the working directory when INIT_CWD is unset, empty, missing or not a directory', () => {
    expect(userDirectory({}, packageRoot)).toBe(packageRoot);
    expect(userDirectory({ INIT_CWD: '' }, packageRoot)).toBe(packageRoot);
    expect(userDirectory({ INIT_CWD: join(dir, 'gone') }, packageRoot)).toBe(packageRoot);
    expect(userDirectory({ INIT_CWD: join(dir, 'a-file') }, packageRoot)).toBe(packageRoot);
  });
});

describe('resolveUserPath', () => {
  it('resolves a relative path against the given folder', () => {
    expect(resolveUserPath('./feeds/x.ts', userDir)).toBe(join(userDir, 'feeds/x.ts'));
    expect(resolveUserPath('../x.ndjson', userDir)).toBe(join(dir, 'x.ndjson'));
  });

  it('returns an absolute path unchanged', () => {
    expect(resolveUserPath(join(packageRoot, 'x.ts'), userDir)).toBe(join(packageRoot, 'x.ts'));
  });
});

describe('describeUserPath', () => {
  it('names the absolute path and, when it differs, the path as given', () => {
    expect(describeUserPath('./x.ts', join(userDir, 'x.ts'))).toBe(`${join(userDir, 'x.ts')} (given as "./x.ts")`);
    expect(describeUserPath(join(userDir, 'x.ts'), join(userDir, 'x.ts'))).toBe(join(userDir, 'x.ts'));
  });
});

describe('CLI path flags', () => {
  it('reads --adapter-config relative to the given folder, naming both paths when it is missing', () => {
    writeFileSync(join(userDir, 'opts.json'), '{"venue":"MINE"}');
    const tokens = (config: string) => [
      { kind: 'option', name: 'adapter', value: 'simulated' },
      { kind: 'option', name: 'adapter-config', value: config },
    ];
    expect(collectAdapterRequests(tokens('./opts.json'), userDir)).toEqual([{ spec: 'simulated', options: { venue: 'MINE' } }]);
    expect(() => collectAdapterRequests(tokens('./opts.json'), packageRoot)).toThrow(
      `--adapter-config ${join(packageRoot, 'opts.json')} (given as "./opts.json"): cannot read it: no such file`,
    );
  });

  it('loads an --adapter module relative to the given folder, naming both paths when it is missing', async () => {
    writeFileSync(
      join(userDir, 'feed.mjs'),
      "export default class { constructor() { this.name = 'mine'; this.venue = 'MINE'; } async start() {} async stop() {} }",
    );
    await expect(loadAdapterModule('./feed.mjs', {}, userDir)).resolves.toMatchObject({ origin: `${join(userDir, 'feed.mjs')}#default` });
    await expect(loadAdapterModule('./feed.mjs', {}, packageRoot)).rejects.toThrow(
      `adapter file not found: ${join(packageRoot, 'feed.mjs')} (given as "./feed.mjs") (from --adapter ./feed.mjs)`,
    );
  });
});
