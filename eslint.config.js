// Lint with the layering of the codebase enforced (see README "Layers"):
//   shared/            language only: no Node, DOM, Electron or React
//   electron/core/     Node, never `electron` (it runs under plain Node in tests and the harness)
//   renderer/          DOM + React, never Node or Electron; talks only to the desktop API
//   server/            Node, never Electron, React or the client core
//   electron/main/     Electron + the client core + shared (thin wiring; no renderer, server or harness)
//   electron/preload/  Electron + shared only (sandboxed: it can load nothing else at run time)
// and production code never imports test support (test/, */test/*, test-support, *.test-support,
// *-test-kit, *.test): see docs/architecture.md "Processes and layers".
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';
import path from 'node:path';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const restrict = (paths, patterns, message) => ({
  'no-restricted-imports': ['error', {
    paths: paths.map((name) => ({ name, message })),
    patterns: patterns.map((group) => ({ group: [group], message })),
  }],
});

/** Where test support lives: files that exist only for tests, never shipped or imported by code that is. */
const TEST_SUPPORT = [/(^|\/)test\//, /(^|\/)e2e\//, /(^|\/)test-support\//, /\.test-support(\.tsx?)?$/, /-test-kit(\.tsx?)?$/, /\.test(\.tsx?)?$/];
const PRODUCTION_FILES = ['electron/**/*.ts', 'server/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}'];
const NOT_PRODUCTION = ['**/*.test.ts', '**/*.test.tsx', '**/*.test-support.ts', '**/*-test-kit.ts', '**/test/**', '**/test-support/**'];

/** Production code may not import test support (resolved against the importing file, so any spelling of the path is caught). */
const noTestSupportImport = {
  meta: { type: 'problem', schema: [], messages: { testSupport: 'Production code may not import test support ({{path}}): move what it needs into the source tree.' } },
  create(context) {
    const check = (source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const resolved = path.relative(context.cwd, path.resolve(path.dirname(context.filename), source.value)).split(path.sep).join('/');
      if (TEST_SUPPORT.some((re) => re.test(resolved))) context.report({ node: source, messageId: 'testSupport', data: { path: resolved } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist-electron/**', 'release/**', 'test-results/**', 'playwright-report/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: restrict(
      [...nodeBuiltins, 'electron', 'react', 'react-dom', 'better-sqlite3-multiple-ciphers', 'keytar', 'fastify', 'kysely', 'pg'],
      ['node:*', 'electron/*', 'react/*', 'react-dom/*', '../server/*', '../../server/*', '../electron/*', '../../electron/*', '../renderer/*', '../../renderer/*'],
      'shared/ is runtime-free: no Node, DOM, Electron, React or storage imports.',
    ),
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: restrict(['electron'], ['electron/*', '**/renderer/**', '**/server/**'], 'The client core runs under plain Node: no electron, renderer or server imports.'),
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: restrict(
      ['react', 'react-dom'],
      ['react/*', 'react-dom/*', '**/renderer/**', '**/server/**', '**/harness/**', '**/preload/**'],
      'electron/main wires Electron to the client core: it may import electron, electron/core and shared only.',
    ),
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: restrict(
      [...nodeBuiltins, 'react', 'react-dom', 'keytar', 'better-sqlite3-multiple-ciphers'],
      ['node:*', 'react/*', 'react-dom/*', '**/core/**', '**/main/**', '**/renderer/**', '**/server/**', '**/harness/**'],
      'The preload is sandboxed: it may import electron and shared only.',
    ),
  },
  {
    files: PRODUCTION_FILES,
    ignores: NOT_PRODUCTION,
    plugins: { local: { rules: { 'no-test-support-import': noTestSupportImport } } },
    rules: { 'local/no-test-support-import': 'error' },
  },
  {
    files: ['server/**/*.ts'],
    rules: restrict(['electron', 'react', 'keytar'], ['**/electron/**', '**/renderer/**'], 'The server does not import client code.'),
  },
  {
    // Domain services raise DomainError (server/domain-error.ts); only the HTTP layer (and app.ts,
    // which installs it) knows about HTTP statuses.
    files: ['server/**/*.ts'],
    ignores: ['server/http/**', 'server/app.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['electron', 'react', 'keytar'].map((name) => ({ name, message: 'The server does not import client code.' })),
        patterns: [
          ...['**/electron/**', '**/renderer/**'].map((group) => ({ group: [group], message: 'The server does not import client code.' })),
          { group: ['**/http/errors'], message: 'Throw DomainError from server/domain-error.ts; the HTTP layer maps it to a status.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [...nodeBuiltins, 'electron', 'keytar', 'better-sqlite3-multiple-ciphers', 'fastify', 'kysely', 'pg'],
        ['node:*', 'electron/*', '**/electron/**', '**/server/**'],
        'The renderer is a web page: no Node or Electron; talk to the desktop API (window.salesVault).',
      ),
    },
  },
);
