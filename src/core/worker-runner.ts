import type { TaskKwargs } from './types.js';

/** Runs worker tasks; `settle` is called exactly once per `run`. */
export interface WorkerRunner {
  run(name: string, args: readonly unknown[], kwargs: TaskKwargs, settle: (ok: boolean, value: unknown) => void): void;
}
