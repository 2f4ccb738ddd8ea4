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
 * The Redis channel on which a manager asks for a job of the queue
 * `qualifiedName` (`bull:<queue>`) to stop: every remote worker of the queue
 * subscribes to it, and the one that runs the job aborts its signal. A
 * channel of its own, rather than a custom event in the queue's event
 * stream: a worker then reads only the stops, not every event of every job
 * (which cost a third of a worker's throughput with 1 ms tasks).
 */
export function cancelChannel(qualifiedName: string): string {
  return `${qualifiedName}:backgroundTaskManager:cancel`;
}

/** The queue's default queue name. */
export const DEFAULT_QUEUE_NAME = 'background-task-manager';

/** How many events the queue's event stream keeps (BullMQ's default), for the manager's one reader. */
export const EVENTS_MAX_LEN = 10_000;
