import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Argon2 and PGlite are CPU-bound; two workers match the CI machine's two cores.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The process entry points are exercised by the system tests and the official suite.
      exclude: ['src/server.ts', 'src/infrastructure/db/migrate-cli.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        lines: 80,
        branches: 80,
        'src/domain/**': { lines: 90, branches: 90 },
      },
    },
  },
});
