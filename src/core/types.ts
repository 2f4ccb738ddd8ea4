import type { WorkerOptions } from 'node:worker_threads';
import type { WorkerTask } from './worker-task.js';

/** A task group: a string you choose, or a number from `nextGroupId()`. */
export type TaskGroup = string | number;

/** Named arguments of a task: its own `taskKwargs` plus merged upstream results. */
export type TaskKwargs = Record<string, unknown>;

/**
 * What a task sees as `this` while it runs, on the main thread and in a
 * worker thread alike (use a `function`, not an arrow function, to read it).
 */
export interface TaskContext {
  /** The task's id. */
  readonly uid: number;
  /** The task's group, if any. */
  readonly group: TaskGroup | undefined;
  /**
   * Aborted when the task is stopped (by a `stop*` call or by `shutDown()`)
   * while it runs, with a {@link TaskStoppedError} as its reason, or when it
   * runs past its `timeoutMs`, with a {@link TaskTimeoutError}. The task's
   * outcome is ignored either way; the signal lets the work end early.
   * In a worker thread the abort arrives as a message: the signal aborts
   * once the task's code lets the thread's event loop run (an `await`).
   */
  readonly signal: AbortSignal;
  /**
   * Emits `taskProgress(uid, group, value)` on the manager while the task
   * runs; a report after the task has ended or was stopped is dropped. On
   * the main thread the event is emitted at once, with `value` as given.
   * From a worker thread `value` is cloned across (structured clone; a
   * value that cannot be cloned throws a `WorkerDataCloneError` here), and
   * reports are throttled: at most one message per 50 ms per task, the
   * latest value wins, and the last one arrives before the task's outcome.
   */
  reportProgress(value: unknown): void;
}

/**
 * A function run on the main thread: called as `cbl(...taskArgs, kwargs)`.
 * It may return a value or a promise; a throw or rejection fails the task.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskCallable = (this: TaskContext, ...args: any[]) => unknown;

/** The worker-thread options the manager passes on to each worker. */
export type TaskWorkerOptions = Pick<
  WorkerOptions,
  'resourceLimits' | 'execArgv' | 'env' | 'argv' | 'stdout' | 'stderr'
>;

/** What a task runs: a main-thread function or a worker task. */
export type TaskRunnable = TaskCallable | WorkerTask;
