import type { TaskGroup } from './types.js';

/** Stable codes of this library's errors. */
export const ErrorCodes = Object.freeze({
  managerShutDown: 'ERR_MANAGER_SHUT_DOWN',
  taskStopped: 'ERR_TASK_STOPPED',
  taskFailed: 'ERR_TASK_FAILED',
  taskNotPending: 'ERR_TASK_NOT_PENDING',
  taskTimeout: 'ERR_TASK_TIMEOUT',
  workerExited: 'ERR_WORKER_EXITED',
  workerStartup: 'ERR_WORKER_STARTUP',
  workerTaskUnknown: 'ERR_WORKER_TASK_UNKNOWN',
  workerDataClone: 'ERR_WORKER_DATA_CLONE',
  remoteUnavailable: 'ERR_REMOTE_UNAVAILABLE',
  remoteJobFailed: 'ERR_REMOTE_JOB_FAILED',
} as const);

/** One of the {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The base class of this library's errors: a stable `code`, and `cause` forwarded. */
export class BackgroundTaskError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown by a call that would add work to a manager after `shutDown()`. */
export class ManagerShutDownError extends BackgroundTaskError {
  constructor(method: string) {
    super(ErrorCodes.managerShutDown, `Cannot call ${method}(): the manager has been shut down`);
  }
}

/**
 * The reason a running task's `signal` is aborted with when the task is
 * stopped; also how `result(uid)` rejects for a stopped task, and
 * `whenGroupFinished(group)` when the group's last pending task `uid` was
 * stopped (then `group` names the group).
 */
export class TaskStoppedError extends BackgroundTaskError {
  readonly uid: number;
  /** The group whose last pending task this was, for `whenGroupFinished`. */
  readonly group: TaskGroup | undefined;

  constructor(uid: number, group?: TaskGroup) {
    super(
      ErrorCodes.taskStopped,
      group === undefined
        ? `Task ${uid} was stopped`
        : `Task ${uid} was stopped, the last pending task of group ${JSON.stringify(group)}: the group did not finish`,
    );
    this.uid = uid;
    this.group = group;
  }
}

/**
 * How `result(uid)` rejects when the task fails, by itself or by the
 * failure of a task upstream: `message` and `traceback` are those of its
 * `taskFailed` event. `cause` is the value the failing callable threw or
 * rejected with, when that callable ran on this thread (a main-thread task,
 * or one upstream that failed this one by cascade); a worker task's error
 * lived in another thread, so it has none.
 */
export class TaskFailedError extends BackgroundTaskError {
  readonly uid: number;
  /** The failure's stack text, as `taskFailed` reports it. */
  readonly traceback: string;

  constructor(uid: number, message: string, traceback: string, options?: { cause?: unknown }) {
    super(ErrorCodes.taskFailed, message, options);
    this.uid = uid;
    this.traceback = traceback;
  }
}

/**
 * How `result(uid)` rejects, at once, for an id that names no pending task:
 * `reason` says whether the manager never gave out that id (`unknown`) or
 * the task has finished (`finished`; results of finished tasks are not
 * kept, so ask for a result while the task is pending).
 */
export class TaskNotPendingError extends BackgroundTaskError {
  readonly uid: number;
  readonly reason: 'unknown' | 'finished';

  constructor(uid: number, reason: 'unknown' | 'finished', state?: string) {
    super(
      ErrorCodes.taskNotPending,
      reason === 'unknown'
        ? `No task has id ${uid}: the manager never gave out that id`
        : `Task ${uid} has already finished${state === undefined ? '' : ` (${state})`}: results of finished tasks are not kept, call result() while the task is pending`,
    );
    this.uid = uid;
    this.reason = reason;
  }
}

/**
 * Fails a task that ran longer than its `timeoutMs` (or the manager's
 * `taskTimeoutMs`): the reason its `signal` is aborted with, and the
 * failure its `taskFailed` reports (`message`, and its stack as the
 * traceback). `result(uid)` rejects, as for every failure, with a
 * `TaskFailedError` whose `cause` is this error, for the timed-out task and
 * for the tasks its failure cascades to.
 */
export class TaskTimeoutError extends BackgroundTaskError {
  readonly uid: number;
  /** The running time the task was allowed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(uid: number, timeoutMs: number) {
    super(ErrorCodes.taskTimeout, `Task ${uid} timed out after ${timeoutMs} ms`);
    this.uid = uid;
    this.timeoutMs = timeoutMs;
  }
}

/** Fails a worker task whose worker thread died while running it. */
export class WorkerExitedError extends BackgroundTaskError {
  constructor(taskName: string, exitCode: number, cause: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      ErrorCodes.workerExited,
      `Worker thread exited with code ${exitCode} while running worker task '${taskName}'${reason}`,
      { cause },
    );
  }
}

/**
 * Fails every worker task when the worker module cannot be loaded (a worker
 * died before it was ready, `exitCode`), or loads but does not define its
 * tasks with `defineWorkerTasks` (`exitCode` undefined: its workers never
 * take a task).
 */
export class WorkerStartupError extends BackgroundTaskError {
  constructor(script: string, exitCode: number | undefined, cause: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      ErrorCodes.workerStartup,
      exitCode === undefined
        ? `The worker module ${script} loads, but does not define its tasks with defineWorkerTasks(...): its threads can run no worker task`
        : `Worker thread for ${script} exited with code ${exitCode} before it was ready${reason}`,
      { cause },
    );
  }
}

/** Fails a worker task whose arguments or result cannot cross the thread boundary. */
export class WorkerDataCloneError extends BackgroundTaskError {
  constructor(message: string, cause: unknown) {
    super(ErrorCodes.workerDataClone, message, { cause });
  }
}

/**
 * Fails a remote worker task whose queue could not be reached: its job could
 * not be added, or the connection to the queue was lost while the task was
 * in flight and its job had not been seen again `lostAfterMs` later; or
 * whose outcome never came while Redis no longer holds its job (the queue's
 * capped event stream dropped it, or someone removed the job).
 */
export class RemoteUnavailableError extends BackgroundTaskError {
  constructor(taskName: string, reason: string, options?: { cause?: unknown }) {
    super(ErrorCodes.remoteUnavailable, `Remote worker task '${taskName}' did not end: ${reason}`, options);
  }
}

/**
 * Fails a remote worker task whose job the queue failed by itself rather
 * than the task: its worker stalled (died, or blocked its event loop) more
 * often than allowed, or lost its lock. `reason` is the queue's.
 */
export class RemoteJobFailedError extends BackgroundTaskError {
  constructor(taskName: string, reason: string) {
    super(ErrorCodes.remoteJobFailed, `The job of remote worker task '${taskName}' failed: ${reason}`);
  }
}
