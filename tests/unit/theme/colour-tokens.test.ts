/**
 * One source of colour: lib/theme/colour-tokens.ts. The dashboard's stylesheets, the chart's canvas
 * palette and the embed's shadow-DOM styles read it, hold no colour literals of their own, and
 * reference no colour variable the tokens do not define.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_PALETTES, CHART_PALETTE_TOKENS } from '../../../components/chart/chart-palette';
import { EMBED_COLOUR_VARS, EMBED_CSS } from '../../../components/embed/embed-styles';
import { COLOUR_TOKEN_NAMES, COLOUR_TOKENS, colourTokenCss, type ColourToken } from '../../../lib/theme/colour-tokens';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The dashboard's stylesheets: app/globals.css and every CSS module under components/. */
function dashboardStylesheets(): string[] {
  const modules = readdirSync(join(ROOT, 'components'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.css'))
    .map((file) => join('components', file));
  return ['app/globals.css', ...modules];
}

/** A colour written out: #rgb/#rrggbb(aa), rgb()/rgba()/hsl()/hsla(). */
const COLOUR_LITERAL = /#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?)\(/gi;

const varsReferenced = (css: string) => new Set([...css.matchAll(/var\(--([\w-]+)/g)].map((m) => m[1]!));
const varsDeclared = (css: string) => new Set([...css.matchAll(/(?:^|[\s;{])--([\w-]+)\s*:/g)].map((m) => m[1]!));
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '');

describe('colour tokens', () => {
  it('define every token: light on :root, dark when the system asks for it unless data-theme forces light, dark when data-theme forces it', () => {
    const blocks = new Map([...colourTokenCss().matchAll(/([^{}\n]+) \{\n([^{}]*)\}/g)].map((m) => [m[1]!.trim(), m[2]!]));
    expect([...blocks.keys()]).toEqual([':root', ":root:not([data-theme='light'])", ":root[data-theme='dark']"]);
    expect(colourTokenCss()).toContain("@media (prefers-color-scheme: dark) {\n:root:not([data-theme='light'])");
    const expected = { ':root': 'light', ":root:not([data-theme='light'])": 'dark', ":root[data-theme='dark']": 'dark' } as const;
    for (const [selector, theme] of Object.entries(expected)) {
      const block = blocks.get(selector)!;
      for (const name of COLOUR_TOKEN_NAMES) expect(block).toContain(`--${name}: ${COLOUR_TOKENS[name][theme]};`);
      expect(varsDeclared(block)).toEqual(new Set(COLOUR_TOKEN_NAMES));
    }
  });

  it('are each read by at least one consumer (no dead token)', () => {
    const used = new Set<string>([...Object.values(CHART_PALETTE_TOKENS), ...Object.values(EMBED_COLOUR_VARS)]);
    for (const sheet of dashboardStylesheets()) for (const name of varsReferenced(read(sheet))) used.add(name);
    // The browser's theme colour (app/layout.tsx) is the page background.
    used.add('bg');
    expect(COLOUR_TOKEN_NAMES.filter((name) => !used.has(name))).toEqual([]);
  });

  describe('the dashboard stylesheets', () => {
    it.each(dashboardStylesheets())('%s references only variables the tokens or the sheet itself define', (sheet) => {
      const css = read(sheet);
      const defined = new Set<string>([...COLOUR_TOKEN_NAMES, ...varsDeclared(css), ...varsDeclared(read('app/globals.css'))]);
      expect([...varsReferenced(css)].filter((name) => !defined.has(name))).toEqual([]);
    });

    it.each(dashboardStylesheets())('%s holds no colour literal', (sheet) => {
      expect(withoutComments(read(sheet)).match(COLOUR_LITERAL)).toBeNull();
    });

    it('get their tokens from the root layout', () => {
      const layout = read('app/layout.tsx');
      expect(layout).toContain('colourTokenCss()');
      expect(layout.match(COLOUR_LITERAL)).toBeNull();
    });
  });

  describe('the chart palette', () => {
    it('is the tokens, theme by theme', () => {
      for (const theme of ['dark', 'light'] as const) {
        for (const [key, token] of Object.entries(CHART_PALETTE_TOKENS)) {
          expect(CHART_PALETTES[theme][key as keyof typeof CHART_PALETTE_TOKENS]).toBe(COLOUR_TOKENS[token][theme]);
        }
      }
    });

    it('draws candles in the colours the dashboard and the embed use for up and down', () => {
      expect(CHART_PALETTE_TOKENS.up).toBe<ColourToken>('up');
      expect(CHART_PALETTE_TOKENS.down).toBe<ColourToken>('down');
      expect(EMBED_COLOUR_VARS['up']).toBe<ColourToken>('up');
      expect(EMBED_COLOUR_VARS['down']).toBe<ColourToken>('down');
      expect(varsReferenced(read('app/globals.css'))).toContain('up');
    });

    it('holds no colour literal', () => {
      expect(read('components/chart/chart-palette.ts').match(COLOUR_LITERAL)).toBeNull();
    });
  });

  describe("the embed's shadow-DOM styles", () => {
    it('declare every variable they reference, from the tokens, for both themes', () => {
      const [dark, light] = [...EMBED_CSS.matchAll(/\.tw(?:\[data-theme='light'\])? \{([^}]*)\}/g)].map((m) => m[1]!);
      for (const [theme, block] of [
        ['dark', dark],
        ['light', light],
      ] as const) {
        for (const [name, token] of Object.entries(EMBED_COLOUR_VARS))
          expect(block).toContain(`--${name}: ${COLOUR_TOKENS[token][theme]};`);
      }
      // --tw-height is the host page's to set (with a fallback); every other variable is a token.
      const referenced = [...varsReferenced(EMBED_CSS)].filter((name) => name !== 'tw-height');
      expect(referenced.filter((name) => !(name in EMBED_COLOUR_VARS))).toEqual([]);
    });

    it('hold no colour literal in their source', () => {
      expect(read('components/embed/embed-styles.ts').match(COLOUR_LITERAL)).toBeNull();
    });
  });
});
