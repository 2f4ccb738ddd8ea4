import type { InspectionEvent, Observer } from 'xstate';
import type { TaskGroup, TaskKwargs, TaskWorkerOptions } from '../core/types.js';

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
}

/** Options of {@link BackgroundTaskManager.addPassThroughTask}. */
export type PassThroughTaskOptions = Omit<TaskOptions, 'taskArgs'>;

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
}
