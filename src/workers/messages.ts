import { TaskTimeoutError, type BackgroundTaskError } from '../core/errors.js';
import type { TaskGroup, TaskKwargs } from '../core/types.js';

/**
 * What the main thread sends a worker to run one worker task (one at a time
 * per worker). What a task does not have is left out, not sent empty:
 * every object in a message costs its clone on both sides of each round trip.
 */
export interface WorkerRequest {
  readonly type: 'run';
  /** The name the worker module defines the task under. */
  readonly name: string;
  /** Left out when there are none. */
  readonly args?: readonly unknown[];
  /** Left out when empty: the task is then called with `{}`. */
  readonly kwargs?: TaskKwargs;
  /** The task's id and group, for its `this`. */
  readonly uid: number;
  /** Left out when the task has no group. */
  readonly group?: TaskGroup;
}

/**
 * Aborts the signal of the task the worker runs, with an error of `code`
 * and `message` rebuilt there. It needs no task id: a worker runs one task
 * at a time and a channel keeps its order, so a cancel the main thread
 * sends while it waits for the reply either finds that task running or
 * finds it done (the reply was on its way), and is then ignored.
 */
export interface WorkerCancel extends CancelReason {
  readonly type: 'cancel';
}

/**
 * What a worker needs to rebuild the reason a task's signal aborts with: the
 * error's code and message, and a timeout's limit (for a `TaskTimeoutError`).
 */
export interface CancelReason {
  readonly code: string;
  readonly message: string;
  readonly timeoutMs?: number;
}

/** The {@link CancelReason} of `reason`. */
export function cancelReason(reason: BackgroundTaskError): CancelReason {
  const { code, message } = reason;
  return reason instanceof TaskTimeoutError ? { code, message, timeoutMs: reason.timeoutMs } : { code, message };
}

/** Every message the main thread sends a worker over its channel. */
export type MainMessage = WorkerRequest | WorkerCancel;

/** A worker's answer to the request it ran: the task's result (left out when `undefined`), or what it threw. */
export type WorkerReply =
  | { readonly type: 'result'; readonly ok: true; readonly value?: unknown }
  | { readonly type: 'result'; readonly ok: false; readonly error: unknown };

/** The latest progress the running task reported (throttled; always before its reply). */
export interface WorkerProgress {
  readonly type: 'progress';
  readonly value: unknown;
}

/** The worker has read a cancel and aborted the signal of its task (whose abort listeners have run). */
export interface WorkerCancelSeen {
  readonly type: 'cancelSeen';
}

/** Every message a worker sends the main thread over its channel. */
export type WorkerMessage = WorkerReply | WorkerProgress | WorkerCancelSeen;

/** The least time between two progress messages of one task, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 50;

/**
 * The key of the manager's part of each worker's `workerData` (a
 * {@link WorkerDataPart}): a worker module that finds it knows it runs
 * under the manager and opens its channel for worker tasks.
 */
export const WORKER_DATA_KEY = 'backgroundTaskManager';

/**
 * The manager's part of a worker's `workerData`, which `worker-bootstrap.mjs`
 * (the thread's entry) reads too: the worker module to load, and whether
 * `defineWorkerTasks` has been called in this thread.
 */
export interface WorkerDataPart {
  /** The worker module, as a file URL. */
  readonly script: string;
  defined?: boolean;
}

/**
 * The key of the one message a worker posts to its parent once its module
 * has loaded: its end of a `MessageChannel`, over which it takes requests
 * and sends replies; `null` when the module has loaded without defining
 * its tasks with `defineWorkerTasks`.
 */
export const WORKER_PORT_KEY = 'backgroundTaskManagerPort';

/**
 * The one task function a worker module of `defineWorkerTasks` gives
 * poolifier, which wants one; the manager never calls it.
 */
export const POOL_TASK = 'backgroundTaskManagerIdle';
