export { BackgroundTaskManager } from './api/background-task-manager.js';
export { workerTask, WorkerTask } from './core/worker-task.js';
export {
  BackgroundTaskError,
  ErrorCodes,
  ManagerShutDownError,
  TaskFailedError,
  TaskNotPendingError,
  TaskStoppedError,
  TaskTimeoutError,
  WorkerDataCloneError,
  WorkerExitedError,
  WorkerStartupError,
  RemoteUnavailableError,
  RemoteJobFailedError,
} from './core/errors.js';
export type { RunningWork, WorkerExecutor, WorkerJobSpec, WorkerRunner } from './core/worker-runner.js';
export { TaskStates } from './machines/task-logic.js';
export { taskMachine } from './machines/task-machine.js';
export { managerMachine } from './machines/manager-machine.js';
export type { ErrorCode } from './core/errors.js';
export type { Clock } from './core/clock.js';
export type { BackgroundTaskManagerEvents } from './core/events.js';
export type {
  BackgroundTaskManagerOptions,
  PassThroughTaskOptions,
  RetryOptions,
  StopOptions,
  TaskOptions,
} from './api/options.js';
export type {
  TaskCallable,
  TaskContext,
  TaskGroup,
  TaskKwargs,
  TaskRunnable,
  TaskWorkerOptions,
} from './core/types.js';
export type { TaskState, TaskSnapshot } from './machines/task-logic.js';
export type { TaskEvent } from './machines/task-machine.js';
export type { ManagerEvent, ManagerInput, ManagerPhase } from './machines/manager-machine.js';
export type { ManagerStats, TaskCounts } from './scheduling/task-stats.js';
export type { Percentiles } from './core/latency-window.js';
export type { InspectedTaskContext, InspectedTaskEvent, TaskInfo, TaskKind } from './machines/inspected-task-logic.js';
