import type { BackgroundTaskError } from './errors.js';
import type { TaskGroup, TaskKwargs } from './types.js';

/**
 * Work that has started and can be told to end early: a main-thread task's
 * context, or a worker task on its way to or on a worker thread.
 */
export interface RunningWork {
  /**
   * Aborts the work's signal with `reason` (a stop's `TaskStoppedError`).
   * What it does besides is the runner's business: a worker task not yet
   * sent is never sent, one that runs on may have its thread killed.
   */
  cancel(reason: BackgroundTaskError): void;
}

/** One worker task to run, and where what it reports goes. */
export interface WorkerJobSpec {
  readonly uid: number;
  readonly group: TaskGroup | undefined;
  /** The name the worker module defines the task under. */
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: TaskKwargs;
  /** Called exactly once, with the result (`ok`) or the failure. */
  readonly settle: (ok: boolean, value: unknown) => void;
  /** Called with each progress value the task reports, until it settles. */
  readonly progress: (value: unknown) => void;
  /** Called with the `threadId` of the worker the task is sent to, once sent (for inspectors). */
  readonly onThread: ((threadId: number) => void) | undefined;
}

/** Runs worker tasks. */
export interface WorkerRunner {
  /** Runs `job` on a worker thread; the handle cancels it. Never settles inside the call. */
  run(job: WorkerJobSpec): RunningWork;
}

/**
 * Where a manager's worker tasks run instead of its own pool of threads
 * (the manager option `executor`), for example a `BullMQExecutor` from
 * `background-task-manager/bullmq`. The manager calls `run` only while
 * fewer than `maxThreads` tasks run, so `maxThreads` bounds what is in
 * flight here too; `shutDown()` cancels every job it runs, then awaits
 * `destroy()`.
 */
export interface WorkerExecutor extends WorkerRunner {
  /** The worker threads started on this machine, for the manager's `threadCount`; absent: none. */
  readonly threadCount?: number;
  /** Releases what the executor holds; the manager's `shutDown()` resolves once this has. */
  destroy?(): Promise<void>;
}
