import { defineConfig } from 'vitest/config';

/** Every folder whose tests vitest runs. */
const roots = [
  'service',
  'harness',
  'lib',
  'contract',
  'fakes',
  'stack',
  'observability',
  'bench',
  'scripts',
];

export default defineConfig({
  test: {
    // Real processes get SIGKILLed in tests: a child process per file isolates that best.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // The inner loop (`npm run test:unit`): tests beside the code, which start no PostgreSQL, Redis
        // or other server program: stack/process.ts refuses to start one under FAULTLINE_NO_STACK.
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((r) => `${r}/**/*.test.ts`),
          exclude: ['**/test/**', '**/node_modules/**'],
          env: { FAULTLINE_NO_STACK: '1' },
        },
      },
      {
        // Tests in test/ folders: the service against the stack the global setup starts (PostgreSQL,
        // both Redis servers, the bank), stacks of their own, and the system programs (Prometheus,
        // promtool, docker-compose, Chromium).
        extends: true,
        test: {
          name: 'integration',
          globalSetup: ['stack/vitest-global-setup.ts'],
          include: roots.map((r) => `${r}/test/**/*.test.ts`),
          exclude: ['bench/test/**', '**/node_modules/**'],
        },
      },
      {
        // The bench smoke run measures throughput with every core it can get: it runs alone, after
        // every other test file (groupOrder), so neither slows the other into a timeout.
        extends: true,
        test: {
          name: 'bench',
          include: ['bench/test/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
