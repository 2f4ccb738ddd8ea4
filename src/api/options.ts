import type { InspectionEvent, Observer } from 'xstate';
import type { Clock } from '../core/clock.js';
import type { TaskGroup, TaskKwargs, TaskWorkerOptions } from '../core/types.js';
import type { WorkerExecutor } from '../core/worker-runner.js';

/** Options of {@link BackgroundTaskManager.addTask}. */
export interface TaskOptions {
  /**
   * Higher runs first; equal priorities run in the order added.
   * @default 0
   */
  priority?: number;
  /**
   * The group the task belongs to.
   * @default undefined (no group)
   */
  group?: TaskGroup;
  /** Tasks that must finish first; their plain-object results are merged into this task's kwargs. */
  upstreamTaskIds?: readonly number[];
  /**
   * Positional arguments passed before `kwargs`.
   * @default []
   */
  taskArgs?: readonly unknown[];
  /**
   * Named arguments: the last argument of the callable.
   * @default {}
   */
  taskKwargs?: TaskKwargs;
  /**
   * The longest the task may run, in milliseconds, counted from its start
   * (`taskStarted`); then it fails with a `TaskTimeoutError` and its
   * `signal` aborts. A number above 0, at most 2,147,483,647 (Node's
   * longest timer), or `Infinity` for no limit even when the manager has one.
   * @default the manager's `taskTimeoutMs`
   */
  timeoutMs?: number;
  /**
   * How the task is retried when a run of its own fails (a throw, a
   * rejection, its timeout; not a stop, not a cascade). Replaces the
   * manager's `retry` as a whole.
   * @default the manager's `retry`
   */
  retry?: RetryOptions;
}

/**
 * How a failed task is retried: after its `n`-th failed attempt it waits
 * `min(delayMs * factor^(n-1), maxDelayMs)` ms, holding no slot, then
 * queues again by its priority (among equal priorities by its uid, so
 * ahead of tasks added after it), until `attempts` runs have failed.
 * @example
 * manager.addTask(fetchPage, { retry: { attempts: 5, delayMs: 200 } }); // waits 200, 400, 800, 1600 ms
 */
export interface RetryOptions {
  /**
   * Runs in all, the first one included: an integer from 1 (no retry) up.
   * @default 3
   */
  attempts?: number;
  /**
   * The wait after the first failed run, in ms: from 0 up to 2,147,483,647.
   * @default 1000
   */
  delayMs?: number;
  /**
   * What each further wait is multiplied by: a finite number from 1 up.
   * @default 2
   */
  factor?: number;
  /**
   * The longest wait, in ms: from 0 up, or `Infinity` (waits are also capped at 2,147,483,647).
   * @default Infinity
   */
  maxDelayMs?: number;
}

/** Options of {@link BackgroundTaskManager.addPassThroughTask}. */
export type PassThroughTaskOptions = Omit<TaskOptions, 'taskArgs' | 'timeoutMs' | 'retry'>;

/** Options of the `stop*` methods. */
export interface StopOptions {
  /**
   * Also stop the pending tasks this one waits for, transitively.
   * @default true
   */
  stopUpstream?: boolean;
  /**
   * Also stop the pending tasks that wait for this one, transitively.
   * @default true
   */
  stopDownstream?: boolean;
}

/** Options of the {@link BackgroundTaskManager} constructor. */
export interface BackgroundTaskManagerOptions {
  /**
   * Start processing at once; otherwise call `startProcessing()`.
   * @default false
   */
  startProcessing?: boolean;
  /**
   * Tasks running at once, and the size of the worker-thread pool; an integer >= 1.
   * @default 8
   */
  maxThreads?: number;
  /** The module that defines the worker tasks (`defineWorkerTasks`); needed for `workerTask(...)`. */
  workerScript?: string | URL;
  /** Passed to every worker thread. */
  workerOptions?: TaskWorkerOptions;
  /**
   * Where worker tasks run instead of this process's own worker threads:
   * for example a `BullMQExecutor` (`background-task-manager/bullmq`),
   * which runs them on remote workers. Excludes `workerScript`,
   * `workerOptions` and `killAfterMs`, which are the local pool's (the
   * executor has its own). `maxThreads` still bounds the tasks that run at once.
   * @default undefined (worker tasks run on the pool of `workerScript`)
   */
  executor?: WorkerExecutor;
  /**
   * How long a stopped worker task may run on after its signal aborted, in
   * milliseconds: a worker task that has not ended by then has its thread
   * terminated and replaced, which frees its slot. An integer from 0 to
   * 2³¹ − 1, or `Infinity` (never kill: the task keeps its slot until it
   * ends). A main-thread task cannot be killed.
   * @default 1000
   */
  killAfterMs?: number;
  /**
   * How many finished tasks `getTaskState` still answers for; older ones are
   * released. An integer >= 0.
   * @default 1000
   */
  finishedTaskHistory?: number;
  /**
   * An XState inspection observer (for example `createBrowserInspector().inspect`
   * from `@statelyai/inspect`, or any function). With it, the manager and
   * every task are live actors in one actor system, from add to finish.
   */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * The longest a task without a `timeoutMs` of its own may run, in
   * milliseconds (see `TaskOptions.timeoutMs`); pass-through tasks have none.
   * @default Infinity (no limit)
   */
  taskTimeoutMs?: number;
  /**
   * How a task without a `retry` of its own is retried (see `TaskOptions.retry`).
   * @default undefined (no retry)
   */
  retry?: RetryOptions;
  /**
   * Where the timers of timeouts and retry delays come from: `setTimeout` and
   * `clearTimeout`. For tests, a clock whose time the test moves itself.
   * @default Node's own timers
   */
  clock?: Clock;
}
