import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real processes get SIGKILLed in tests: a child process per file isolates that best.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          globalSetup: ['stack/vitest-global-setup.ts'],
          include: [
            'service/**/*.test.ts',
            'stack/**/*.test.ts',
            'scenarios/**/*.test.ts',
            'chaos/**/*.test.ts',
            'observability/**/*.test.ts',
            'load/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['bench/bench.test.ts'],
        },
      },
      {
        // The bench smoke run measures throughput with every core it can get: it runs alone, after
        // every other test file (groupOrder), so neither slows the other into a timeout.
        extends: true,
        test: {
          name: 'bench',
          include: ['bench/bench.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
