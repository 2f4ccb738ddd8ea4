import type { TaskKwargs } from '../api/types.js';

/** What the main thread sends to a worker to run one worker task. */
export interface WorkerRequest {
  /** The name the worker module defines the task under. */
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: TaskKwargs;
  /** The index in the shared slot table where the worker records its `threadId`. */
  readonly slot: number;
}

/** The key of the manager's data in each worker's `workerData`. */
export const WORKER_DATA_KEY = 'backgroundTaskManager';

/** The manager's part of `workerData`. */
export interface ManagerWorkerData {
  /**
   * One `Int32Array` cell per slot: the `threadId` of the worker running the
   * slot's task, written by the worker when it starts the task. When a
   * worker dies, the tasks whose cells hold its id are the ones it took down.
   */
  readonly slots: Int32Array;
}
