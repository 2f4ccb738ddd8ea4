import type { TaskGroup, TaskKwargs } from '../../core/types.js';

/** The data of one job: a worker task to run remotely, and its `this` (uid, group). */
export interface RemoteJobData {
  readonly uid: number;
  readonly group: TaskGroup | null;
  /** The name the worker module defines the task under. */
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: TaskKwargs;
}

/**
 * What a remote worker returns as the job's value, whatever the task did:
 * the queue's own `failed` event carries no stack, and only JSON travels,
 * so a task's failure and its traceback are a value too.
 */
export type RemoteOutcome =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly traceback: string };

/**
 * The custom queue event a manager publishes to stop the job `jobId`:
 * every remote worker of the queue reads it, and the one that runs the job
 * aborts its signal.
 */
export const CANCEL_EVENT = 'backgroundTaskManager:cancel';

/** The queue's default queue name. */
export const DEFAULT_QUEUE_NAME = 'background-task-manager';

/** How many events the queue's event stream keeps (BullMQ's default); a published cancel must not trim it shorter. */
export const EVENTS_MAX_LEN = 10_000;
