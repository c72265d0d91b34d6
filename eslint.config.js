// Lint with the layering of the codebase enforced (see README "Layers"):
//   shared/            language only: no Node, DOM, Electron or React
//   electron/core/     Node, never `electron` (it runs under plain Node in tests and the harness)
//   renderer/          DOM + React, never Node or Electron; talks only to the desktop API
//   server/            Node, never Electron, React or the client core
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const restrict = (paths, patterns, message) => ({
  'no-restricted-imports': ['error', {
    paths: paths.map((name) => ({ name, message })),
    patterns: patterns.map((group) => ({ group: [group], message })),
  }],
});

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
