import { TaskStoppedError } from '../core/errors.js';
import type { TaskContext, TaskGroup } from '../core/types.js';

/** The `this` of a running main-thread task. The signal is created on first read. */
export class RunningTaskContext implements TaskContext {
  readonly #uid: number;
  readonly #group: TaskGroup | undefined;
  #abort: AbortController | undefined;
  /** Why the task's work should end (stopped or timed out), once it should. */
  #reason: Error | undefined;

  constructor(uid: number, group: TaskGroup | undefined) {
    this.#uid = uid;
    this.#group = group;
  }

  get uid(): number {
    return this.#uid;
  }

  get group(): TaskGroup | undefined {
    return this.#group;
  }

  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#reason !== undefined) this.#abort.abort(this.#reason);
    }
    return this.#abort.signal;
  }

  /**
   * The task was stopped while it ran, or timed out (`reason` a
   * `TaskTimeoutError`): aborts its signal with a `TaskStoppedError` or
   * `reason`, now or when first read.
   */
  stop(reason?: Error): void {
    this.#reason ??= reason ?? new TaskStoppedError(this.#uid);
    this.#abort?.abort(this.#reason);
  }
}
