import { threadId, workerData } from 'node:worker_threads';
import { ThreadWorker } from 'poolifier';
import { ErrorCodes, WorkerDataCloneError, BackgroundTaskError } from '../api/errors.js';
import type { TaskKwargs } from '../api/types.js';
import { WORKER_DATA_KEY, type ManagerWorkerData, type WorkerRequest } from './messages.js';

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
export function defineWorkerTasks(tasks: WorkerTaskMap): ThreadWorker<WorkerRequest, unknown> {
  if (typeof tasks !== 'object' || tasks === null) {
    throw new TypeError('Expected `tasks` to be an object of worker task functions');
  }
  for (const [name, fn] of Object.entries(tasks)) {
    if (typeof fn !== 'function') throw new TypeError(`Expected worker task '${name}' to be a function`);
  }
  const registry = new Map(Object.entries(tasks));
  const slots = (workerData as Record<string, ManagerWorkerData | undefined> | null)?.[WORKER_DATA_KEY]?.slots;
  return new ThreadWorker<WorkerRequest, unknown>(async (request) => {
    const { name, args, kwargs, slot } = request as WorkerRequest;
    if (slots !== undefined) Atomics.store(slots, slot, threadId);
    const fn = registry.get(name);
    if (fn === undefined) {
      const known = [...registry.keys()].map((key) => `'${key}'`).join(', ') || 'none';
      throw new BackgroundTaskError(
        ErrorCodes.workerTaskUnknown,
        `The worker module defines no worker task '${name}' (it defines: ${known})`,
      );
    }
    let result: unknown;
    try {
      result = await fn(...args, kwargs as TaskKwargs);
    } catch (error) {
      throw sendable(error);
    }
    assertCloneable(name, result);
    return result;
  });
}

/**
 * poolifier 5.3.2 never answers for a task whose thrown value it cannot
 * send back (undefined, null, a symbol, anything structuredClone refuses,
 * such as an Error with a function as `cause`): the task would hang. Throw
 * what can cross instead, keeping the message (semantics §9: String(value)).
 */
function sendable(error: unknown): unknown {
  if (error === null || error === undefined || typeof error === 'symbol') return String(error);
  try {
    structuredClone(error);
    return error;
  } catch {
    if (!(error instanceof Error)) return Object.prototype.toString.call(error);
    const copy = new Error(error.message);
    copy.name = error.name;
    if (error.stack !== undefined) copy.stack = error.stack;
    return copy;
  }
}

/**
 * A result that cannot be cloned would otherwise reach the main thread as an
 * empty, message-less object; fail it here with the cause named.
 */
function assertCloneable(name: string, result: unknown): void {
  const type = typeof result;
  if (type !== 'object' && type !== 'function' && type !== 'symbol') return;
  if (result === null) return;
  try {
    structuredClone(result);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorkerDataCloneError(
      `The result of worker task '${name}' cannot be sent back to the main thread: ${reason}`,
      error,
    );
  }
}
