import { defineConfig } from 'vitest/config';

// One runner for unit and integration tests. Integration tests talk to real parts
// (SQLCipher files, the OS keychain, a server on 127.0.0.1), so they run in forks and
// serially per file where they share a keychain service name.
export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'bench/**/*.test.ts', 'build/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
