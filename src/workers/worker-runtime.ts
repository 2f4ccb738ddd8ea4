import { MessageChannel, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ThreadWorker } from 'poolifier';
import { ErrorCodes, WorkerDataCloneError, BackgroundTaskError } from '../core/errors.js';
import type { TaskContext } from '../core/types.js';
import { isThenable, safeString } from '../core/values.js';
import {
  POOL_TASK,
  WORKER_DATA_KEY,
  WORKER_PORT_KEY,
  type MainMessage,
  type WorkerCancelSeen,
  type WorkerDataPart,
  type WorkerProgress,
  type WorkerReply,
  type WorkerRequest,
} from './messages.js';
import { WorkerTaskContext, type ProgressSend } from './worker-task-context.js';

/**
 * A task function of a worker module: called as `fn(...taskArgs, kwargs)`,
 * with the task's {@link TaskContext} as `this`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WorkerTaskFunction = (this: TaskContext, ...args: any[]) => unknown;

/** The worker tasks of a worker module, by name. */
export type WorkerTaskMap = Readonly<Record<string, WorkerTaskFunction>>;

/**
 * Defines the worker tasks of a worker module, while the module loads (a
 * thread whose module has loaded without it takes no task). Export its
 * result as the module's default export; the main thread refers to each
 * task with `workerTask(name)`. Arguments, kwargs, results and progress
 * values must be structured-cloneable.
 *
 * A task function called as a `function` (not an arrow function) sees the
 * same {@link TaskContext} as a main-thread task as `this`: `uid`,
 * `group`, `signal` and `reportProgress(value)`. When the task is stopped
 * (any `stop*` call, `shutDown()`), its signal aborts inside the worker,
 * with a `TaskStoppedError`, and the thread runs on; a task that has not
 * ended `killAfterMs` (a manager option) later has its thread terminated
 * and replaced. Progress is throttled: at most one message per 50 ms per
 * task, the latest value winning, the last one before the outcome.
 * @example
 * // tasks.worker.ts
 * import { defineWorkerTasks } from 'background-task-manager/worker';
 * export default defineWorkerTasks({
 *   thumbnail: (size: number, kwargs: { path: string }) => render(kwargs.path, size),
 *   async hashAll(this: TaskContext, kwargs: { paths: string[] }) {
 *     for (const [i, path] of kwargs.paths.entries()) {
 *       this.signal.throwIfAborted();
 *       await hash(path);
 *       this.reportProgress((i + 1) / kwargs.paths.length);
 *     }
 *   },
 * });
 * @throws {TypeError} if `tasks` is not an object of functions.
 */
export function defineWorkerTasks(tasks: WorkerTaskMap): ThreadWorker {
  const input: unknown = tasks; // JavaScript callers pass anything
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('Expected `tasks` to be an object of worker task functions');
  }
  for (const [name, fn] of Object.entries(tasks)) {
    if (typeof fn !== 'function') throw new TypeError(`Expected worker task '${name}' to be a function`);
  }
  const registry = new Map(Object.entries(tasks));
  const ours = (workerData as Record<string, WorkerDataPart | undefined> | null)?.[WORKER_DATA_KEY];
  if (parentPort !== null && ours !== undefined) {
    // Read by the thread's entry once the module has loaded: a module that defines no task is told apart.
    ours.defined = true;
    openChannel(parentPort, registry);
  }
  // poolifier starts, watches and replaces this thread; the manager's tasks come over the channel.
  const worker = new ThreadWorker<unknown, unknown>({ [POOL_TASK]: () => undefined });
  // A registered symbol: a remote worker finds the tasks even when it loaded this file a second time.
  Object.defineProperty(worker, TASKS_KEY, { value: registry });
  return worker;
}

/** Where the value `defineWorkerTasks` returns keeps its tasks, for {@link workerTasksOf}. */
const TASKS_KEY = Symbol.for('background-task-manager.workerTasks');

/**
 * The tasks of a worker module's default export, when `defineWorkerTasks`
 * made it: how a process that runs worker tasks without a pool (a remote
 * worker) finds them.
 */
export function workerTasksOf(moduleExport: unknown): ReadonlyMap<string, WorkerTaskFunction> | undefined {
  if (typeof moduleExport !== 'object' || moduleExport === null) return undefined;
  return (moduleExport as Record<symbol, ReadonlyMap<string, WorkerTaskFunction> | undefined>)[TASKS_KEY];
}

/**
 * The task `name` of a worker module, or the error a request for a name it
 * does not define fails with (naming the ones it does).
 */
export function findWorkerTask(
  registry: ReadonlyMap<string, WorkerTaskFunction>,
  name: string,
): WorkerTaskFunction | BackgroundTaskError {
  const fn = registry.get(name);
  if (fn !== undefined) return fn;
  const known = [...registry.keys()].map((key) => `'${key}'`).join(', ') || 'none';
  return new BackgroundTaskError(
    ErrorCodes.workerTaskUnknown,
    `The worker module defines no worker task '${name}' (it defines: ${known})`,
  );
}

/**
 * Sends the main thread one end of a channel of its own and runs every
 * request that comes over it. A channel between the two threads and
 * nothing else on the way answers a request in about half the time a
 * task takes through poolifier's `execute` (bench/README.md, item 11).
 */
function openChannel(parent: MessagePort, registry: ReadonlyMap<string, WorkerTaskFunction>): void {
  const { port1, port2 } = new MessageChannel();
  // The context of the task this worker runs: the main thread sends one task at a time.
  let running: WorkerTaskContext | undefined;
  const ended = (context: WorkerTaskContext): void => {
    if (running === context) running = undefined;
  };
  // Made once for the channel, not for each task.
  const sendProgress: ProgressSend = (value) => {
    port1.postMessage({ type: 'progress', value } satisfies WorkerProgress);
  };
  port1.on('message', (message: MainMessage) => {
    if (message.type === 'run') {
      running = run(registry, message, port1, ended, sendProgress);
      return;
    }
    running?.cancel(message);
    port1.postMessage({ type: 'cancelSeen' } satisfies WorkerCancelSeen);
  });
  // Once the module has run to its end: one that throws after defining its tasks dies before it is
  // connected, and its tasks fail with its load error, rather than each as the crash of a thread restarted for good.
  setImmediate(() => {
    parent.postMessage({ [WORKER_PORT_KEY]: port2 }, [port2]);
  });
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);
/** The reply of a task that returned `undefined`: the value is left out (see {@link WorkerReply}). */
const OK: WorkerReply = Object.freeze({ type: 'result', ok: true });

/** Runs one request; returns its context while it runs (`ended` is called when it has replied). */
function run(
  registry: ReadonlyMap<string, WorkerTaskFunction>,
  request: WorkerRequest,
  port: MessagePort,
  ended: (context: WorkerTaskContext) => void,
  sendProgress: ProgressSend,
): WorkerTaskContext | undefined {
  const { name, args = NO_ARGS, kwargs = {} } = request;
  const fn = findWorkerTask(registry, name);
  if (fn instanceof BackgroundTaskError) {
    reply(port, name, false, fn);
    return undefined;
  }
  const context = new WorkerTaskContext(request.uid, request.group, name, sendProgress);
  let result: unknown;
  try {
    result = fn.call(context, ...args, kwargs);
  } catch (error) {
    finish(context, ended, port, name, false, error);
    return undefined;
  }
  if (!isThenable(result)) {
    finish(context, ended, port, name, true, result);
    return undefined;
  }
  Promise.resolve(result).then(
    (value) => {
      finish(context, ended, port, name, true, value);
    },
    (error: unknown) => {
      finish(context, ended, port, name, false, error);
    },
  );
  return context;
}

/** Ends the task's context and answers its request (a function of its own: no closure for each task). */
function finish(
  context: WorkerTaskContext,
  ended: (context: WorkerTaskContext) => void,
  port: MessagePort,
  name: string,
  ok: boolean,
  value: unknown,
): void {
  context.end();
  ended(context);
  reply(port, name, ok, value);
}

/**
 * Answers the request. A result that cannot be cloned fails the task with
 * the cause named (sending it is what finds out: no second clone), and a
 * thrown value that cannot be cloned is replaced by one that can.
 */
function reply(port: MessagePort, name: string, ok: boolean, value: unknown): void {
  let error = value;
  if (ok) {
    try {
      port.postMessage((value === undefined ? OK : { type: 'result', ok: true, value }) satisfies WorkerReply);
      return;
    } catch (cloneError) {
      const reason = cloneError instanceof Error ? cloneError.message : String(cloneError);
      error = new WorkerDataCloneError(
        `The result of worker task '${name}' cannot be sent back to the main thread: ${reason}`,
        cloneError,
      );
    }
  }
  try {
    port.postMessage({ type: 'result', ok: false, error } satisfies WorkerReply);
  } catch {
    port.postMessage({ type: 'result', ok: false, error: sendable(error) } satisfies WorkerReply);
  }
}

/**
 * What can cross in place of a thrown value that cannot be cloned (a
 * symbol, an object holding a function, an Error with a function as
 * `cause`), keeping its message (semantics §9: `String(value)`) and, for an
 * Error, its name and stack.
 */
function sendable(error: unknown): unknown {
  if (!(error instanceof Error)) return safeString(error);
  const copy = new Error(error.message);
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = error.stack;
  return copy;
}
