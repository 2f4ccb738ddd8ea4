import { TaskStoppedError } from '../core/errors.js';
import type { TaskContext, TaskGroup } from '../core/types.js';

/** The `this` of a running main-thread task. The signal is created on first read. */
export class RunningTaskContext implements TaskContext {
  readonly #uid: number;
  readonly #group: TaskGroup | undefined;
  #abort: AbortController | undefined;
  #stopped = false;

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
      if (this.#stopped) this.#abort.abort(new TaskStoppedError(this.#uid));
    }
    return this.#abort.signal;
  }

  /** The task was stopped while it ran: aborts its signal, now or when first read. */
  stop(): void {
    this.#stopped = true;
    this.#abort?.abort(new TaskStoppedError(this.#uid));
  }
}
