export { BullMQExecutor } from './workers/remote/bullmq-executor.js';
export type { BullMQExecutorOptions } from './workers/remote/bullmq-executor.js';
export { startRemoteWorker } from './workers/remote/remote-worker.js';
export type { RemoteWorker, RemoteWorkerOptions } from './workers/remote/remote-worker.js';
export { RemoteJobFailedError, RemoteUnavailableError } from './core/errors.js';
