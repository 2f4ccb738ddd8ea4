// Mutation runs only (vitest.mutation.config.ts passes it to node with --require; threads inherit it).
// A worker thread does not share the globals of the thread that started it, so Stryker's active
// mutant, set in the vitest thread, would never reach src/workers/worker-runtime.ts. The vitest
// thread publishes it in an environment variable (test/mutation/stryker-bridge.ts); a thread
// copies its parent's environment when it starts, and this file, run first in every thread,
// activates the same mutant there.
'use strict';
const active = process.env.BTM_STRYKER_ACTIVE_MUTANT;
if (active !== undefined && active !== '') {
  const namespace = (globalThis.__stryker__ ??= {});
  namespace.activeMutant = active;
}
