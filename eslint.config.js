import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/**
 * The layering of ARCHITECTURE.md §2, on relative imports (the repository imports by relative path
 * only). A file `depth` folders below the root reaches the root with `depth` `../`, so each depth
 * gets its own pattern.
 */
const MAX_DEPTH = 8;
const up = (depth) => `^(\\.\\./){${depth}}`;
const underEach = (folder, rule) => Array.from({ length: MAX_DEPTH }, (_, i) => rule(`${folder}/${'*/'.repeat(i)}*.{ts,js,mjs}`, i + 1));
const restrict = (files, regex, message, ignores = []) => ({ files: [files], ignores, rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] } });

/**
 * infra/ holds adapters and test peers: it imports domain/ (and its own files), never the layers
 * built on it. The exceptions are the entry points that assemble everything and test support that
 * starts the assembled app; each says why in a comment.
 */
const INFRA_MAY_IMPORT_EVERY_LAYER = [
  // `npm start`: loads the composition root (api/main.ts, which builds api/server.ts).
  'infra/start.mjs',
  // `npm run bench`: gathers the benches, which sit beside what they measure in every layer.
  'infra/bench/main.ts',
  // `npm run contract`: builds the API app (never listening) to read the OpenAPI document it serves.
  'infra/contract/openapi-document.ts',
  // Test support: the assembled server on the embedded stores, for integration and browser tests.
  'infra/testing/server.ts',
  // Tests of infra concerns that only the assembled app shows (files' modes, the access log of requests).
  'infra/data-dir-permissions.int.test.ts',
  'infra/usage/access-log.int.test.ts',
];

const layering = [
  // domain/ imports nothing outside domain/ (packages such as zod aside); an integration test may also use infra/'s real stores.
  ...underEach('domain', (files, depth) =>
    restrict(files, `${up(depth)}(?!domain/)`, 'domain/ imports nothing outside domain/ (ARCHITECTURE.md §2)', ['domain/**/*.int.test.ts']),
  ),
  ...underEach('domain', (files, depth) =>
    restrict(files.replace('*.{ts,js,mjs}', '*.int.test.ts'), `${up(depth)}(?!domain/|infra/)`, 'a domain/ integration test imports domain/ and infra/ only (ARCHITECTURE.md §2)'),
  ),
  ...underEach('infra', (files, depth) =>
    restrict(files, `${up(depth)}(api|scanner|projections|web)(/|$)`, 'infra/ imports domain/ and infra/ only; see INFRA_MAY_IMPORT_EVERY_LAYER in eslint.config.js', INFRA_MAY_IMPORT_EVERY_LAYER),
  ),
];

export default ts.config(
  { ignores: ['node_modules/', 'data/', '.peers/', 'web/build/', 'web/.svelte-kit/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['log', 'error'] }],
    },
  },
  ...layering,
  {
    files: ['web/**/*.svelte', 'web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
