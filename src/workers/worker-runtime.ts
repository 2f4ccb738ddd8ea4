import { MessageChannel, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ThreadWorker } from 'poolifier';
import { ErrorCodes, WorkerDataCloneError, BackgroundTaskError } from '../core/errors.js';
import { isThenable, safeString } from '../core/values.js';
import { POOL_TASK, WORKER_DATA_KEY, WORKER_PORT_KEY, type WorkerReply, type WorkerRequest } from './messages.js';

/** A task function of a worker module: called as `fn(...taskArgs, kwargs)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WorkerTaskFunction = (...args: any[]) => unknown;

/** The worker tasks of a worker module, by name. */
export type WorkerTaskMap = Readonly<Record<string, WorkerTaskFunction>>;

/**
 * Defines the worker tasks of a worker module. Export its result as the
 * module's default export; the main thread refers to each task with
 * `workerTask(name)`. Arguments, kwargs and results must be
 * structured-cloneable.
 * @example
 * // tasks.worker.ts
 * import { defineWorkerTasks } from 'background-task-manager/worker';
 * export default defineWorkerTasks({
 *   thumbnail: (size: number, kwargs: { path: string }) => render(kwargs.path, size),
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
  const underManager = (workerData as Record<string, unknown> | null)?.[WORKER_DATA_KEY] !== undefined;
  if (parentPort !== null && underManager) openChannel(parentPort, registry);
  // poolifier starts, watches and replaces this thread; the manager's tasks come over the channel.
  return new ThreadWorker<unknown, unknown>({ [POOL_TASK]: () => undefined });
}

/**
 * Sends the main thread one end of a channel of its own and runs every
 * request that comes over it. A channel between the two threads and
 * nothing else on the way answers a request in about half the time a
 * task takes through poolifier's `execute` (bench/README.md, item 11).
 */
function openChannel(parent: MessagePort, registry: ReadonlyMap<string, WorkerTaskFunction>): void {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (request: WorkerRequest) => {
    run(registry, request, port1);
  });
  parent.postMessage({ [WORKER_PORT_KEY]: port2 }, [port2]);
}

function run(registry: ReadonlyMap<string, WorkerTaskFunction>, request: WorkerRequest, port: MessagePort): void {
  const { name, args, kwargs } = request;
  const fn = registry.get(name);
  if (fn === undefined) {
    const known = [...registry.keys()].map((key) => `'${key}'`).join(', ') || 'none';
    const message = `The worker module defines no worker task '${name}' (it defines: ${known})`;
    reply(port, name, false, new BackgroundTaskError(ErrorCodes.workerTaskUnknown, message));
    return;
  }
  let result: unknown;
  try {
    result = fn(...args, kwargs);
  } catch (error) {
    reply(port, name, false, error);
    return;
  }
  if (isThenable(result)) {
    Promise.resolve(result).then(
      (value) => {
        reply(port, name, true, value);
      },
      (error: unknown) => {
        reply(port, name, false, error);
      },
    );
  } else {
    reply(port, name, true, result);
  }
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
      port.postMessage({ ok: true, value } satisfies WorkerReply);
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
    port.postMessage({ ok: false, error } satisfies WorkerReply);
  } catch {
    port.postMessage({ ok: false, error: sendable(error) } satisfies WorkerReply);
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
