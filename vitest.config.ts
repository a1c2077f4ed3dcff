import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['stack/vitest-global-setup.ts'],
    include: [
      'service/**/*.test.ts',
      'stack/**/*.test.ts',
      'scenarios/**/*.test.ts',
      'chaos/**/*.test.ts',
      'observability/**/*.test.ts',
    ],
    // Real processes get SIGKILLed in tests: a child process per file isolates that best.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
