import type { BullMQExecutor } from '../../src/bullmq.js';

/** Runs worker task `add` (1 + 2) on `executor` directly, as a manager would; resolves with what it settles with. */
export function runAdd(executor: BullMQExecutor): Promise<unknown[]> {
  return new Promise((resolve) => {
    executor.run({
      uid: 1,
      group: undefined,
      name: 'add',
      args: [1, 2],
      kwargs: {},
      settle: (...outcome) => {
        resolve(outcome);
      },
      progress: () => undefined,
      onThread: undefined,
    });
  });
}
