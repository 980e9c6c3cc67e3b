import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../server/cli/args';
import { dataDirFlag } from '../../../server/cli/feed-options';
import { FEED_FLAGS } from '../../../server/cli/flag-table';

const dataDir = (argv: string[], env: Record<string, string> = {}) => dataDirFlag(parseCommandLine(FEED_FLAGS, argv, { env }).values);

describe('dataDirFlag', () => {
  it('defaults to .tickwire in the folder the command ran in (INIT_CWD under npm)', () => {
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = '/tmp';
    try {
      expect(dataDir([])).toBe(join('/tmp', '.tickwire'));
      expect(dataDir(['--data-dir', 'store'])).toBe(join('/tmp', 'store'));
      expect(dataDir(['--data-dir', '/var/lib/tw'])).toBe('/var/lib/tw');
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });

  it('keeps history in memory with --no-persist or TICKWIRE_NO_PERSIST, unless a folder is named', () => {
    expect(dataDir(['--no-persist'])).toBeUndefined();
    expect(dataDir([], { TICKWIRE_NO_PERSIST: '1' })).toBeUndefined();
    expect(dataDir(['--data-dir', '/x'], { TICKWIRE_NO_PERSIST: '1' })).toBe('/x');
    expect(dataDir([], { TICKWIRE_NO_PERSIST: '1', TICKWIRE_DATA_DIR: '/y' })).toBe('/y');
  });
});
