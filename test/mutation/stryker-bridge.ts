// Setup file of vitest.mutation.config.ts (npm run test:mutation), loaded after Stryker's own.
//
// Worker threads run src/workers/worker-runtime.ts (and what it imports), and Stryker sees neither
// what a worker thread covers nor, by itself, activates a mutant there. Two bridges:
// - Activation: the active mutant goes into an environment variable that every thread started
//   afterwards copies; test/mutation/worker-preload.cjs activates it there.
// - Coverage: a test file that starts a worker thread is counted as covering every mutant of the
//   files a worker thread runs. That over-approximates (a mutant may be tried against a test that
//   never reaches it, which costs time), but never under-reports: no mutant that a worker test
//   could kill is left out as "no coverage".
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import { afterAll, beforeAll, beforeEach } from 'vitest';

interface StrykerNamespace {
  activeMutant?: string | number;
  currentTestId?: string;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

const ACTIVE_MUTANT_VARIABLE = 'BTM_STRYKER_ACTIVE_MUTANT';
/** The files of src/ that a worker thread loads (src/worker.ts and its imports). */
const WORKER_SIDE_FILES = [
  'src/worker.ts',
  'src/workers/worker-runtime.ts',
  'src/workers/messages.ts',
  'src/workers/worker-task-context.ts',
  'src/core/errors.ts',
  'src/core/values.ts',
  'src/core/lazy-abort.ts',
];

const namespace = ((globalThis as { __stryker__?: StrykerNamespace }).__stryker__ ??= {});

function publishActiveMutant(): void {
  const active = namespace.activeMutant;
  process.env[ACTIVE_MUTANT_VARIABLE] = active === undefined ? '' : String(active);
}
publishActiveMutant(); // static activation: Stryker's setup file has already set it
beforeAll(publishActiveMutant); // runtime activation: Stryker's beforeAll, registered first, has set it

/** The mutant ids in the instrumented copy of `file` (the test runs in Stryker's sandbox). */
function mutantIdsIn(file: string): string[] {
  const source = readFileSync(resolve(file), 'utf8');
  const ids = new Set<string>();
  for (const call of source.matchAll(/stry(?:MutAct|Cov)_9fa48\(([^)]*)\)/g)) {
    for (const id of (call[1] ?? '').matchAll(/"(\d+)"/g)) ids.add(id[1] ?? '');
  }
  return [...ids];
}

let workerStarted = false;
const testIds: string[] = [];
if (namespace.activeMutant === undefined) watchWorkerStarts();

/** Notes when this test file starts a worker thread (poolifier and the tests import `Worker` by name). */
function watchWorkerStarts(): void {
  const workerThreads = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
  const Original = workerThreads.Worker;
  workerThreads.Worker = class extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      workerStarted = true;
    }
  };
  syncBuiltinESMExports();
}

beforeEach(() => {
  if (namespace.currentTestId !== undefined) testIds.push(namespace.currentTestId);
});

afterAll(() => {
  const coverage = namespace.mutantCoverage;
  if (!workerStarted || coverage === undefined) return;
  const ids = WORKER_SIDE_FILES.flatMap(mutantIdsIn);
  for (const testId of testIds) {
    const hits = (coverage.perTest[testId] ??= {});
    for (const id of ids) hits[id] = (hits[id] ?? 0) + 1;
  }
});
