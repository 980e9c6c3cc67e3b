/**
 * The layer table of docs/architecture.md ("Layers") as ESLint enforces it (eslint.config.js): a
 * wrong-way import is a lint error naming the rule, a right-way one is not.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** The `no-restricted-imports` messages ESLint gives for `source` as the file at `path`. */
async function layerErrors(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(ROOT, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** A module importing `specifier` as `name` and using it. */
const importing = (specifier: string, name = 'm') => `import * as ${name} from '${specifier}';\nexport const ${name}Used = ${name};\n`;

describe('eslint.config.js', () => {
  describe('layer table', () => {
    it.each([
      ['lib/market/new-file.ts', '../../server/history/history', 'lib/ must not import from server/'],
      ['lib/market/new-file.ts', '../../components/shared/format', 'lib/ must not import from server/, app/, components/'],
      ['lib/new-file.ts', '../app/page', 'lib/ must not import'],
      ['lib/market/new-file.ts', '@/server/log', 'lib/ must not import'],
      ['server/history/new-file.ts', '../../components/chart/chart-palette', 'server/ must not import from app/, components/'],
      ['server/new-file.ts', '../app/layout', 'server/ must not import'],
      ['components/chart/new-file.ts', '../../server/log', 'components/ must not import from server/, app/'],
      ['components/new-file.ts', '../app/page', 'components/ must not import'],
      ['app/new-file.ts', '../server/log', 'app/ must not import from server/'],
    ])('refuses %s importing %s', async (path, specifier, message) => {
      const errors = await layerErrors(path, importing(specifier));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(message);
    });

    it.each([
      ['lib/market/new-file.ts', './types'],
      ['server/history/new-file.ts', '../../lib/market/bars'],
      ['components/chart/new-file.ts', '../../lib/market/types'],
      ['app/new-file.ts', '../components/chart/chart-palette'],
      ['app/new-file.ts', '../lib/market/types'],
      // A sibling folder that happens to share a layer's name is not that layer.
      ['lib/protocol/new-file.ts', './constants'],
    ])('lets %s import %s', async (path, specifier) => {
      expect(await layerErrors(path, importing(specifier))).toEqual([]);
    });
  });

  describe('Node-only modules in lib/', () => {
    it.each(['node:fs', 'fs', 'fs/promises', 'events', 'ws'])('refuses %s in shared lib/ code', async (specifier) => {
      const errors = await layerErrors('lib/client/new-file.ts', importing(specifier));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('lib/ is shared with the browser');
    });

    it('refuses them where the tail CLI used to live (it moved to server/cli/, lib/ has no Node-only file)', async () => {
      expect(await layerErrors('lib/client/tail-cli.ts', importing('ws'))).toHaveLength(1);
    });

    it('allows them in server/', async () => {
      expect(await layerErrors('server/new-file.ts', importing('node:fs') + importing('ws', 'w'))).toEqual([]);
    });
  });
});
