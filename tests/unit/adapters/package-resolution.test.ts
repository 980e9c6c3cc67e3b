import { describe, expect, it } from 'vitest';
import { isBareSpecifier } from '../../../server/adapters/package-resolution';

describe('isBareSpecifier', () => {
  it('is true for package names, which the Tickwire fallback may resolve', () => {
    for (const s of ['ws', 'tickwire/adapter', '@scope/pkg', 'lodash.get', 'a']) expect(isBareSpecifier(s)).toBe(true);
  });

  it('is false for relative, absolute and URL specifiers, which name one file only', () => {
    for (const s of ['./x', '../x.ts', '.', '..', '/abs/x.js', 'C:\\x.ts', 'file:///x.ts', 'node:fs', 'data:text/javascript,1'])
      expect(isBareSpecifier(s)).toBe(false);
  });
});
