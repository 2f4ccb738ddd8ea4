import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread tests start real pools; two cores run two files at once at most.
    maxWorkers: 2,
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
