#!/usr/bin/env node
// Which test files run again on PostgreSQL (`npm test`'s store phase): the test files under the
// given folders whose static import graph reaches the test-database helper `server/test/db.ts`
// — the one module that reads SV_TEST_DB and picks SQLite or PostgreSQL. A test file that never
// reaches it runs the same code on the same store under either setting, so running it twice
// would repeat the SQLite phase exactly. The list is derived on every run, so a new file that
// uses the helper (directly or through a fixture such as test/support/real-server.ts) joins
// the PostgreSQL phase without anyone editing a list.
//
//   node scripts/store-test-files.mjs server test/attacks   → one path per line
//   --why   also prints, for each file, the import chain that reaches the helper
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const HELPER = join(root, 'server/test/db.ts');
const TEST_FILE = /\.test\.tsx?$/;

const args = process.argv.slice(2);
const why = args.includes('--why');
const folders = args.filter((a) => a !== '--why');
if (folders.length === 0) {
  console.error('usage: node scripts/store-test-files.mjs [--why] FOLDER...');
  process.exit(2);
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (TEST_FILE.test(name)) out.push(path);
  }
  return out;
}

/** A relative import specifier resolved the way the bundler resolution of tsconfig does. */
function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return null; // packages never reach the helper
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/\.[cm]?js$/, '.ts'));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

const importsCache = new Map();
function importsOf(file) {
  let found = importsCache.get(file);
  if (!found) {
    // preProcessFile sees static imports, re-exports, and dynamic import('…') with a literal.
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    found = info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((f) => f !== null);
    importsCache.set(file, found);
  }
  return found;
}

/** The chain from `file` to the helper, or null when the helper is out of reach. */
function chainToHelper(file) {
  const seen = new Set([file]);
  const queue = [[file]];
  while (queue.length > 0) {
    const chain = queue.shift();
    for (const next of importsOf(chain[chain.length - 1])) {
      if (next === HELPER) return [...chain, next];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...chain, next]);
      }
    }
  }
  return null;
}

const files = folders.flatMap((folder) => walk(resolve(root, folder), [])).sort();
for (const file of files) {
  const chain = chainToHelper(file);
  if (!chain) continue;
  const rel = (p) => relative(root, p);
  console.log(why ? `${rel(file)}\t${chain.map(rel).join(' → ')}` : rel(file));
}
