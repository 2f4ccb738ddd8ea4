import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { FastFirstSequencer } from './test/mutation/fast-first-sequencer.js';

// The suite as Stryker runs it (stryker.config.json, npm run test:mutation). The 2,000-run model
// test is replaced by a fixed-seed sample (test/model/model-agreement.mutation.ts; MODEL_RUNS sets
// its size).
// Stryker's vitest runner forces `pool: 'threads'`, but poolifier creates pools only from a main
// thread; the plugin puts the forks pool back once the runner's options are applied.
export default defineConfig({
  plugins: [
    {
      name: 'forks-pool-under-stryker',
      configureVitest({ project }) {
        project.config.pool = 'forks';
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.mutation.ts'],
    // Left out: what runs our code in child processes or in a browser bundle, where no mutant is
    // active (README examples, the packed tarball, the asset browser's end-to-end run, the page in
    // Chromium), and what is slow without adding kills (soak, bench smoke, the 2,000-run model test).
    exclude: [
      'test/bench/**',
      'test/soak/**',
      'test/readme.test.ts',
      'test/model/model-based.test.ts',
      'test/package/**',
      'test/examples/asset-browser/asset-browser.test.ts',
      'test/inspector/browser.test.ts',
    ],
    // The inspector's scale test at 40,000 tasks instead of 100,000: this file covers most of the
    // scheduler, so every surviving scheduler mutant pays for it (20,000 was the least that passed).
    env: { INSPECTOR_SCALE_TASKS: '40000' },
    setupFiles: ['test/mutation/stryker-bridge.ts'],
    // Every process and thread of the run loads it first (threads inherit their parent's execArgv).
    execArgv: ['--require', fileURLToPath(new URL('test/mutation/worker-preload.cjs', import.meta.url))],
    // A mutant that leaves a task unsettled hangs its test: failing it (a kill) is far cheaper than
    // Stryker's own timeout, which restarts the runner. So this limit stays under Stryker's, which is
    // at least its timeoutMS (12 s, stryker.config.json). The slowest test takes about 4 s.
    testTimeout: 10_000,
    reporters: ['default', './test/mutation/load-failure-reporter.ts'],
    sequence: { sequencer: FastFirstSequencer },
  },
});
