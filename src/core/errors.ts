/** Stable codes of this library's errors. */
export const ErrorCodes = Object.freeze({
  managerShutDown: 'ERR_MANAGER_SHUT_DOWN',
  taskStopped: 'ERR_TASK_STOPPED',
  workerExited: 'ERR_WORKER_EXITED',
  workerStartup: 'ERR_WORKER_STARTUP',
  workerTaskUnknown: 'ERR_WORKER_TASK_UNKNOWN',
  workerDataClone: 'ERR_WORKER_DATA_CLONE',
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

/** The reason a running task's `signal` is aborted with when the task is stopped. */
export class TaskStoppedError extends BackgroundTaskError {
  readonly uid: number;

  constructor(uid: number) {
    super(ErrorCodes.taskStopped, `Task ${uid} was stopped`);
    this.uid = uid;
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
