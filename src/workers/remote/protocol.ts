import type { TaskGroup, TaskKwargs } from '../../core/types.js';
import type { CancelReason } from '../messages.js';

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

/**
 * What goes on the stop channel (as JSON): the job to stop, and the code and
 * message of the reason its task's signal aborts with (a stop's
 * `TaskStoppedError`, a timeout's `TaskTimeoutError`), rebuilt remotely.
 */
export interface RemoteCancel extends CancelReason {
  readonly jobId: string;
}

/** The stop a channel message asks for, or `undefined` for anything else. */
export function parseCancel(text: string): RemoteCancel | undefined {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof RemoteCancel, unknown>> | null;
    const { jobId, code, message, timeoutMs } = value ?? {};
    if (typeof jobId === 'string' && typeof code === 'string' && typeof message === 'string') {
      return typeof timeoutMs === 'number' ? { jobId, code, message, timeoutMs } : { jobId, code, message };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}

/** The queue's default queue name. */
export const DEFAULT_QUEUE_NAME = 'background-task-manager';

/** How many events the queue's event stream keeps (BullMQ's default), for the manager's one reader. */
export const EVENTS_MAX_LEN = 10_000;
