export { defineWorkerTasks } from './workers/worker-runtime.js';
export type { WorkerTaskFunction, WorkerTaskMap } from './workers/worker-runtime.js';
export { BackgroundTaskError, ErrorCodes } from './core/errors.js';
