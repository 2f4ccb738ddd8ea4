export { defineWorkerTasks } from './workers/worker-runtime.js';
export type { WorkerTaskFunction, WorkerTaskMap } from './workers/worker-runtime.js';
export { BackgroundTaskError, ErrorCodes, TaskStoppedError, WorkerDataCloneError } from './core/errors.js';
export type { TaskContext, TaskGroup } from './core/types.js';
