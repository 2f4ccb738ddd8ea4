import { TaskFailedError, TaskStoppedError } from '../core/errors.js';
import type { TaskGroup } from '../core/types.js';
import type { FailureReport } from './outcome.js';

/** One promise and the functions that settle it. */
interface Waiter<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

function waiter<T>(): Waiter<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** How a failed task's `result()` rejects: its cause only when the error lived on this thread. */
export interface FailureCause {
  readonly local: boolean;
  readonly error: unknown;
}

/**
 * The promises of `result(uid)` and `whenGroupFinished(group)`: one per
 * pending task or group that somebody asked about, by uid and by group,
 * deleted as it settles, so a finished task is never kept alive by one.
 * Only tasks and groups that were asked about are here: a manager whose
 * caller never asks allocates nothing, and a rejection nobody asked for
 * cannot become an unhandled one.
 */
export class OutcomeWaiters {
  readonly #tasks = new Map<number, Waiter<unknown>>();
  readonly #groups = new Map<TaskGroup, Waiter<undefined>>();

  /** Whether some group is awaited. */
  get waitsForGroups(): boolean {
    return this.#groups.size > 0;
  }

  /** The promise of the pending task `uid`'s result; every call for one task gets the same promise. */
  task(uid: number): Promise<unknown> {
    let entry = this.#tasks.get(uid);
    if (entry === undefined) {
      entry = waiter<unknown>();
      this.#tasks.set(uid, entry);
    }
    return entry.promise;
  }

  /** The promise of the next finish of `group`, which has pending tasks. */
  group(group: TaskGroup): Promise<undefined> {
    let entry = this.#groups.get(group);
    if (entry === undefined) {
      entry = waiter<undefined>();
      this.#groups.set(group, entry);
    }
    return entry.promise;
  }

  /** The task `uid` completed: its `result()` resolves with `result`. */
  completed(uid: number, result: unknown): void {
    this.#takeTask(uid)?.resolve(result);
  }

  /** The task `uid` failed, itself or by cascade: its `result()` rejects with a `TaskFailedError`. */
  failed(uid: number, failure: FailureReport, cause: FailureCause): void {
    const entry = this.#takeTask(uid);
    if (entry === undefined) return;
    const options = cause.local ? { cause: cause.error } : undefined;
    entry.reject(new TaskFailedError(uid, failure.message, failure.traceback, options));
  }

  /** The task `uid` was stopped: its `result()` rejects with a `TaskStoppedError`. */
  stopped(uid: number): void {
    this.#takeTask(uid)?.reject(new TaskStoppedError(uid));
  }

  /** The group's last pending task completed or failed. */
  groupFinished(group: TaskGroup): void {
    const entry = this.#groups.get(group);
    if (entry === undefined) return;
    this.#groups.delete(group);
    entry.resolve(undefined);
  }

  /** The group's last pending task, `uid`, was stopped: the group did not finish. */
  groupStopped(group: TaskGroup, uid: number): void {
    const entry = this.#groups.get(group);
    if (entry === undefined) return;
    this.#groups.delete(group);
    entry.reject(new TaskStoppedError(uid, group));
  }

  #takeTask(uid: number): Waiter<unknown> | undefined {
    const entry = this.#tasks.get(uid);
    if (entry !== undefined) this.#tasks.delete(uid);
    return entry;
  }
}
