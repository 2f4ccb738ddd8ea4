import type { TaskKwargs } from './types.js';

/**
 * Runs worker tasks; `settle` is called exactly once per `run`, and
 * `onThread`, if given, with the `threadId` of the worker the task is sent
 * to, once it is sent (for inspectors).
 */
export interface WorkerRunner {
  run(
    name: string,
    args: readonly unknown[],
    kwargs: TaskKwargs,
    settle: (ok: boolean, value: unknown) => void,
    onThread?: (threadId: number) => void,
  ): void;
}
