export { BackgroundTaskManager } from './api/background-task-manager.js';
export { workerTask, WorkerTask } from './api/worker-task.js';
export {
  BackgroundTaskError,
  ErrorCodes,
  ManagerShutDownError,
  TaskStoppedError,
  WorkerDataCloneError,
  WorkerExitedError,
  WorkerStartupError,
} from './api/errors.js';
export { TaskStates } from './machines/task-logic.js';
export { taskMachine } from './machines/task-machine.js';
export { managerMachine } from './machines/manager-machine.js';
export type { ErrorCode } from './api/errors.js';
export type { BackgroundTaskManagerEvents } from './api/events.js';
export type {
  BackgroundTaskManagerOptions,
  PassThroughTaskOptions,
  StopOptions,
  TaskCallable,
  TaskContext,
  TaskGroup,
  TaskKwargs,
  TaskOptions,
  TaskRunnable,
  TaskWorkerOptions,
} from './api/types.js';
export type { TaskState, TaskSnapshot } from './machines/task-logic.js';
export type { TaskEvent } from './machines/task-machine.js';
export type { ManagerEvent, ManagerPhase } from './machines/manager-machine.js';
