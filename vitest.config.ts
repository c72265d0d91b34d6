import { defineConfig } from 'vitest/config';

// One runner for unit and integration tests. Integration tests talk to real parts
// (SQLCipher files, the OS keychain, a server on 127.0.0.1), so they run in forks and
// serially per file where they share a keychain service name.
//
// Two files at a time, even on a 2-core machine (Vitest's default there is one): most files
// spend their time waiting (on a server's answer, the keychain, PostgreSQL, a child process),
// a single worker kept about half of one core busy. Files never share state with each other:
// unique keychain service names, temp dirs, ephemeral ports, one PostgreSQL database per test
// database. SV_TEST_WORKERS overrides it (e.g. 1 to rule out interference).
const workers = Number(process.env.SV_TEST_WORKERS) || 2;

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'bench/**/*.test.ts', 'build/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: workers,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
