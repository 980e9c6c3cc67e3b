/**
 * `npm run bench:ab -- --base <git rev> [--bench codec|fanout] [--rounds N] [-- <bench args>]`:
 * runs one benchmark of this checkout and of another revision side by side in one sitting,
 * alternating A/B and B/A so drift on a shared machine falls on both, and prints each run's output
 * under its label. The other revision is checked out into a temporary git worktree that borrows this
 * checkout's node_modules, and removed afterwards.
 *
 * Used to compare protocol v2 against v1 (docs/performance.md, "v2 against v1").
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const SCRIPTS = { codec: 'bench/codec.ts', fanout: 'bench/fanout.ts' } as const;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: 'string' },
    bench: { type: 'string', default: 'codec' },
    rounds: { type: 'string', default: '2' },
  },
});
if (!values.base) throw new TypeError('--base <git revision> is required (e.g. --base 34a2bda)');
const bench = values.bench as keyof typeof SCRIPTS;
if (!(bench in SCRIPTS)) throw new TypeError(`--bench must be one of ${Object.keys(SCRIPTS).join(', ')}, got ${values.bench}`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new TypeError(`--rounds must be a whole number of at least 1, got ${values.rounds}`);

const here = resolve(new URL('..', import.meta.url).pathname);
const rev = execFileSync('git', ['-C', here, 'rev-parse', '--short', values.base], { encoding: 'utf8' }).trim();
const head = execFileSync('git', ['-C', here, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const other = join(mkdtempSync(join(tmpdir(), 'tickwire-ab-')), 'base');
execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', other, rev], { stdio: 'ignore' });
symlinkSync(join(here, 'node_modules'), join(other, 'node_modules'));

function run(dir: string, label: string): Promise<void> {
  console.log(`\n===== ${label} (${dir === here ? `this checkout, ${head}` : `base ${rev}`}) =====`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPTS[bench], ...positionals], { cwd: dir, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${label} exited with ${code}`))));
  });
}

try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [here, other] : [other, here];
    for (const dir of order) await run(dir, `round ${round}: ${dir === here ? 'HEAD' : 'BASE'}`);
  }
} finally {
  execFileSync('git', ['-C', here, 'worktree', 'remove', '--force', other], { stdio: 'ignore' });
  rmSync(resolve(other, '..'), { recursive: true, force: true });
}
