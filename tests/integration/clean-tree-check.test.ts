/**
 * tests/check-clean-tree.sh, which ends `npm test`: it fails when the tests changed the working
 * tree (as the e2e suite once overwrote docs/img/dashboard.png), and not for a developer's own
 * uncommitted edits. Run in a throwaway git repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from './adapters-support';

const SCRIPT = join(ROOT, 'tests', 'check-clean-tree.sh');
let repo: string;
let snapshot: string;

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'ignore' });
}

function check(command: 'snapshot' | 'compare') {
  const run = spawnSync('bash', [SCRIPT, command, snapshot], { cwd: repo, encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr };
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'tickwire-tree-'));
  snapshot = join(repo, '..', `${repo.split('/').pop() ?? 'x'}.state`);
  git('init', '-q');
  writeFileSync(join(repo, '.gitignore'), 'ignored/\n');
  writeFileSync(join(repo, 'dashboard.png'), 'picture');
  writeFileSync(join(repo, 'notes.md'), 'notes');
  git('add', '.');
  git('commit', '-qm', 'start');
  // The developer's own work in progress, there before the tests ran.
  appendFileSync(join(repo, 'notes.md'), ' in progress');
  writeFileSync(join(repo, 'draft.ts'), 'draft');
  expect(check('snapshot').code).toBe(0);
});

afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(snapshot, { force: true });
});

describe('check-clean-tree.sh', () => {
  it('passes when the tests left the tree as they found it, uncommitted edits and all', () => {
    expect(check('compare').code).toBe(0);
  });

  it('passes when the tests wrote only under ignored folders', () => {
    execFileSync('mkdir', ['-p', join(repo, 'ignored')]);
    writeFileSync(join(repo, 'ignored', 'shot.png'), 'x');
    expect(check('compare').code).toBe(0);
  });

  it('fails naming a tracked file the tests overwrote', () => {
    writeFileSync(join(repo, 'dashboard.png'), 'another picture');
    const result = check('compare');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dashboard.png');
  });

  it('fails when the tests changed a file the developer had already edited, or left a new file', () => {
    appendFileSync(join(repo, 'notes.md'), ' and more');
    writeFileSync(join(repo, 'out.ndjson'), '{}');
    const result = check('compare');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('notes.md');
    expect(result.stderr).toContain('out.ndjson');
  });
});
