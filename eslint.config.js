/**
 * ESLint (flat config): typescript-eslint's recommended rules plus the layer table of the design
 * (docs/architecture.md, "Layers") as import restrictions, so a wrong-way import fails `npm run lint`
 * instead of waiting for a reviewer. Formatting is Prettier's job (`eslint-config-prettier` turns
 * off every rule that would disagree with it).
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * Files in `lib/` that run only under Node and so may import Node built-ins and Node-only packages.
 * Everything else in `lib/` is shared with the browser. Keep this list short and say why.
 */
const NODE_ONLY_LIB_FILES = [
  // None today: the `tail` terminal client moved to server/cli/.
];

/** A `no-restricted-imports` pattern that refuses imports reaching into the given top-level folders. */
function layerPattern(from, folders, why) {
  const alternatives = folders.join('|');
  return {
    // Relative (`../../server/x`) and the `@/server/x` alias of tsconfig's `paths`.
    regex: `^(?:(?:\\.\\./)+|@/)(?:${alternatives})(?:/|$)`,
    message: `${from}/ must not import from ${folders.map((f) => `${f}/`).join(', ')} (${why}; see docs/architecture.md, "Checks").`,
  };
}

const NODE_ONLY_MESSAGE =
  'lib/ is shared with the browser: Node built-ins and Node-only packages belong in server/ (or in a file listed in NODE_ONLY_LIB_FILES of eslint.config.js).';

/** Node built-ins (`fs`, `fs/promises`, `node:fs`) and Node-only packages, refused in shared `lib/` code. */
const NODE_ONLY_PATHS = [...builtinModules, 'ws'].map((name) => ({ name, message: NODE_ONLY_MESSAGE }));
const NODE_SCHEME = { regex: '^node:', message: NODE_ONLY_MESSAGE };

const LIB_LAYERS = layerPattern('lib', ['server', 'app', 'components'], 'lib is the bottom layer, shared by server and browser');

export default tseslint.config(
  {
    ignores: ['node_modules/', '.next/', 'dist/', 'test-results/', 'playwright-report/', 'next-env.d.ts', '.tmp/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // TypeScript resolves names; the core rule does not know type-only globals (NodeJS, JSX).
      'no-undef': 'off',
      // `_`-prefixed bindings are deliberately unused (positional parameters, destructuring rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // A `let` assigned once but read first by a closure (a timer cleared in a callback) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  // React: the rules of hooks (same hooks in the same order every render; effect and memo
  // dependencies complete). The plugin's React Compiler rules are left off: the project does not use
  // the compiler, and they refuse plain DOM writes through refs in layout effects.
  {
    files: ['app/**/*.tsx', 'components/**/*.{ts,tsx}', 'lib/store/react.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // The layer table: layers only point down (lib <- server; lib <- components <- app).
  {
    files: ['lib/**/*.{ts,tsx}'],
    ignores: NODE_ONLY_LIB_FILES,
    rules: { 'no-restricted-imports': ['error', { paths: NODE_ONLY_PATHS, patterns: [LIB_LAYERS, NODE_SCHEME] }] },
  },
  ...(NODE_ONLY_LIB_FILES.length > 0
    ? [{ files: NODE_ONLY_LIB_FILES, rules: { 'no-restricted-imports': ['error', { patterns: [LIB_LAYERS] }] } }]
    : []),
  {
    files: ['server/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [layerPattern('server', ['app', 'components'], 'the feed service runs without the dashboard')] },
      ],
    },
  },
  {
    files: ['components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [layerPattern('components', ['server', 'app'], 'components run in the browser and are composed by app/')] },
      ],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [layerPattern('app', ['server'], 'pages reach the feed service over the wire, not by import')] },
      ],
    },
  },
  prettier,
);
