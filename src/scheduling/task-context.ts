import { TaskStoppedError } from '../api/errors.js';
import type { TaskContext, TaskGroup } from '../api/types.js';
import type { TaskRecord } from './task-record.js';

/** The `this` of a running main-thread task. The signal is created on first read. */
export class RunningTaskContext implements TaskContext {
  readonly #task: TaskRecord;

  constructor(task: TaskRecord) {
    this.#task = task;
  }

  get uid(): number {
    return this.#task.uid;
  }

  get group(): TaskGroup | undefined {
    return this.#task.group;
  }

  get signal(): AbortSignal {
    const task = this.#task;
    if (task.abort === undefined) {
      task.abort = new AbortController();
      if (task.state === 'stopped') task.abort.abort(new TaskStoppedError(task.uid));
    }
    return task.abort.signal;
  }
}
