import type { TaskKwargs } from '../core/types.js';

/** What the main thread sends a worker to run one worker task (one at a time per worker). */
export interface WorkerRequest {
  /** The name the worker module defines the task under. */
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: TaskKwargs;
}

/** A worker's answer to the request it ran: the task's result, or what it threw. */
export type WorkerReply =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * The key of the manager's part of each worker's `workerData`: a worker
 * module that finds it knows it runs under the manager and opens its
 * channel for worker tasks.
 */
export const WORKER_DATA_KEY = 'backgroundTaskManager';

/**
 * The key of the one message a worker posts to its parent once its module
 * has loaded: its end of a `MessageChannel`, over which it takes requests
 * and sends replies.
 */
export const WORKER_PORT_KEY = 'backgroundTaskManagerPort';

/**
 * The one task function a worker module of `defineWorkerTasks` gives
 * poolifier (which the manager never calls): a started worker that lists
 * other task functions is not one of them.
 */
export const POOL_TASK = 'backgroundTaskManagerIdle';
