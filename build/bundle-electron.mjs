// Bundles the Electron main process and the preload into CommonJS files that Electron loads:
//   electron/main/main.ts       → dist-electron/main.cjs
//   electron/preload/preload.ts → dist-electron/preload.cjs
//   electron/core/vault/import-worker.ts → dist-electron/vault-import-worker.cjs (the vault's
//     import worker thread; main.cjs reads it from beside itself, see vault/off-thread.ts)
// Native modules and electron itself stay external (they are loaded from node_modules at run
// time, unpacked from the asar); everything else (shared/, the core, zod, jose, …) is inlined.
//
//   node build/bundle-electron.mjs [outDir]      (default: dist-electron)

import { rolldown } from 'rolldown';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Loaded at run time, never bundled: Electron's API and the two native modules. */
export const RUNTIME_EXTERNALS = ['electron', 'keytar', 'better-sqlite3-multiple-ciphers'];

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const isExternal = (allowed) => (id) =>
  allowed.some((name) => id === name || id.startsWith(`${name}/`)) || (allowed === RUNTIME_EXTERNALS && nodeBuiltins.has(id));

/** One entry → one self-contained CommonJS file. */
async function bundle({ input, file, external }) {
  const build = await rolldown({
    input: path.join(repoRoot, input),
    platform: 'node',
    external,
    // Bundled library code checks NODE_ENV; fix it so dead development branches drop out.
    transform: { define: { 'process.env.NODE_ENV': JSON.stringify('production') } },
    logLevel: 'warn',
  });
  try {
    await build.write({
      file,
      format: 'cjs',
      codeSplitting: false,
      // `import('keytar')` becomes require(): the native module is CommonJS and lives in app.asar.unpacked.
      dynamicImportInCjs: false,
      sourcemap: false,
    });
  } finally {
    await build.close();
  }
  return file;
}

export async function bundleElectron(outDir = path.join(repoRoot, 'dist-electron')) {
  const main = await bundle({
    input: 'electron/main/main.ts',
    file: path.join(outDir, 'main.cjs'),
    external: isExternal(RUNTIME_EXTERNALS),
  });
  // The sandboxed preload can require only `electron`: no Node builtins, no native modules.
  const preload = await bundle({
    input: 'electron/preload/preload.ts',
    file: path.join(outDir, 'preload.cjs'),
    external: isExternal(['electron']),
  });
  // The import worker runs on a worker thread of the main process: same externals as main.
  const worker = await bundle({
    input: 'electron/core/vault/import-worker.ts',
    file: path.join(outDir, 'vault-import-worker.cjs'),
    external: isExternal(RUNTIME_EXTERNALS),
  });
  return { main, preload, worker };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  bundleElectron(outDir).then(
    (files) => console.log(`bundled ${[files.main, files.preload, files.worker].map((f) => path.relative(repoRoot, f)).join(', ')}`),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
