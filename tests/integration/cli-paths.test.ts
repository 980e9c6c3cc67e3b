/**
 * Relative paths on the command line, as npm runs the CLIs: the process starts in the package root
 * and `INIT_CWD` names the folder the user typed the command in, which the paths are relative to.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { feedUrl, killAll, ROOT, runCli } from './adapters-support';

/** The user's folder: somewhere other than the package root, as a subfolder of a project would be. */
const userDir = mkdtempSync(join(tmpdir(), 'tickwire-cli-paths-'));
const asNpm = { INIT_CWD: userDir };
afterEach(() => killAll());
afterAll(() => rmSync(userDir, { recursive: true, force: true }));

const RECORDING = [
  { type: 'instrument', symbol: 'DESK:A', assetClass: 'equity', priceDecimals: 2, sizeDecimals: 0 },
  ...Array.from({ length: 5 }, (_, i) => ({
    type: 'trade',
    symbol: 'DESK:A',
    timeUs: 1_714_564_800_000_000 + i * 1000,
    price: `10${i}.00`,
    size: '1',
    side: 'buy',
  })),
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe('npm run feed from another folder', () => {
  it('loads --adapter and --adapter-config relative to the folder npm was run in', async () => {
    copyFileSync(join(ROOT, 'server/adapters/examples/sine-wave.ts'), join(userDir, 'my-feed.ts'));
    writeFileSync(join(userDir, 'wave.json'), JSON.stringify({ venue: 'MINE', intervalMs: 50 }));
    const run = runCli(
      'server/cli/feed.ts',
      ['--port', '0', '--log-level', 'info', '--adapter', './my-feed.ts', '--adapter-config', './wave.json'],
      asNpm,
    );
    const url = await feedUrl(run);
    const health = (await (await fetch(`${url.replace('ws://', 'http://')}/healthz`)).json()) as {
      adapters: { venue: string; adapter: string }[];
    };
    expect(health.adapters).toEqual([expect.objectContaining({ venue: 'MINE', adapter: 'sine-wave' })]);
  });

  it('exits 2 naming the absolute path it looked for and the path as given', async () => {
    const run = runCli('server/cli/feed.ts', ['--port', '0', '--adapter', './not-here.ts'], asNpm);
    expect(await run.exited).toBe(2);
    expect(run.err()).toContain(`adapter file not found: ${join(userDir, 'not-here.ts')} (given as "./not-here.ts")`);
  });
});

describe('npm run record from another folder', () => {
  it('reads replay file=... and writes --out relative to the folder npm was run in', async () => {
    writeFileSync(join(userDir, 'in.ndjson'), RECORDING);
    const run = runCli(
      'server/cli/record.ts',
      [
        '--adapter',
        'replay',
        '--adapter-opt',
        'file=in.ndjson',
        '--adapter-opt',
        'speed=1000',
        '--out',
        'out.ndjson',
        '--log-level',
        'warn',
      ],
      asNpm,
    );
    expect(await run.exited).toBe(0);
    expect(run.err()).toContain(`recorded 5 ticks in`);
    expect(run.err()).toContain(`to ${join(userDir, 'out.ndjson')} (every adapter finished)`);
    expect(existsSync(join(ROOT, 'out.ndjson'))).toBe(false);
    const lines = readFileSync(join(userDir, 'out.ndjson'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['instrument', 'trade', 'trade', 'trade', 'trade', 'trade']);
  });

  it('exits 2 before recording when the replay file or the --out folder is missing, naming both paths', async () => {
    const missingFile = runCli(
      'server/cli/record.ts',
      ['--adapter', 'replay', '--adapter-opt', 'file=gone.ndjson', '--out', 'x.ndjson'],
      asNpm,
    );
    const missingFolder = runCli(
      'server/cli/record.ts',
      ['--adapter', 'replay', '--adapter-opt', 'file=in.ndjson', '--out', 'no-such-folder/x.ndjson'],
      asNpm,
    );
    expect(await missingFile.exited).toBe(2);
    expect(missingFile.err()).toContain(
      `replay adapter option file must be an existing file, got ${join(userDir, 'gone.ndjson')} (given as "gone.ndjson")`,
    );
    expect(await missingFolder.exited).toBe(2);
    expect(missingFolder.err()).toContain(
      `--out ${join(userDir, 'no-such-folder/x.ndjson')} (given as "no-such-folder/x.ndjson"): the folder ${join(userDir, 'no-such-folder')} does not exist`,
    );
    expect(existsSync(join(userDir, 'x.ndjson'))).toBe(false);
  });
});
