import { describe } from './values.js';

/**
 * A reference to a task function defined in the manager's worker module
 * (see `defineWorkerTasks`). Create it with {@link workerTask}.
 */
export class WorkerTask {
  /** The name the worker module defines the function under. */
  readonly name: string;
  // eslint-disable-next-line no-unused-private-class-members -- it makes the class nominal: a function (which has a `name` too) is not a WorkerTask
  readonly #brand = true;

  constructor(name: string) {
    const input: unknown = name; // JavaScript callers pass anything
    if (typeof input !== 'string' || name.length === 0) {
      throw new TypeError(`Expected a worker task name to be a non-empty string, got ${describe(name)}`);
    }
    this.name = name;
    Object.freeze(this);
  }
}

/**
 * Names a task of the worker module, to be run on a worker thread.
 * @example
 * manager.addTask(workerTask('thumbnail'), { taskArgs: [256] });
 * @throws {TypeError} if `name` is not a non-empty string.
 */
export function workerTask(name: string): WorkerTask {
  return new WorkerTask(name);
}
