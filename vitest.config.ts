import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/slow-first-sequencer.js';

/** The package's own name, as the examples import it, resolved to the source as tsconfig.json's `paths` do. */
const source = (file: string): string => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^background-task-manager$/, replacement: source('index.ts') },
      { find: /^background-task-manager\/worker$/, replacement: source('worker.ts') },
      { find: /^background-task-manager\/inspector$/, replacement: source('inspector.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The inspector server reads the built page; `npm test` must not depend on a prior `npm run build`.
    globalSetup: ['./test/global-setup.ts'],
    // Worker-thread tests start real pools; two cores run two files at once at most.
    maxWorkers: 2,
    testTimeout: 60_000,
    // Hooks that run a real program (the asset browser's first run) get a test's budget: under the
    // load of the slow files beside them, a fresh clone's first run took over vitest's default 10 s.
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The worker runtime runs only inside worker threads and the inspector page only in the browser,
      // where V8 coverage is not collected; the worker, fault and browser tests drive them for real. So does
      // the remote worker command, in the processes the remote-execution tests start.
      exclude: [
        'src/workers/worker-runtime.ts',
        'src/workers/worker-task-context.ts',
        'src/inspector/page/**',
        'src/bullmq-worker.ts',
      ],
      reporter: ['text-summary', 'json-summary'],
      // What the suite reaches (stable from run to run), a hair below it so that losing a test file fails:
      // raise these as tests are added, never lower them to let a change pass.
      thresholds: { statements: 98.3, branches: 95.7, functions: 98.2, lines: 98.7 },
    },
  },
});
