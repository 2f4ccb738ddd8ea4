import type { BackgroundTaskError } from '../core/errors.js';
import { LazyAbort } from '../core/lazy-abort.js';
import type { TaskContext, TaskGroup } from '../core/types.js';
import type { RunningWork } from '../core/worker-runner.js';

/** Where a run's progress reports go: the scheduler, which drops those of a run that is no longer its task's. */
export type ProgressSink = (context: RunningTaskContext, value: unknown) => void;

/**
 * The `this` of a running main-thread task. Its abort state is made when the
 * signal is first read or the run is cancelled: most runs do neither, so
 * most runs are this one object.
 */
export class RunningTaskContext implements TaskContext, RunningWork {
  readonly #uid: number;
  readonly #group: TaskGroup | undefined;
  readonly #progress: ProgressSink;
  #abort: LazyAbort | undefined;

  constructor(uid: number, group: TaskGroup | undefined, progress: ProgressSink) {
    this.#uid = uid;
    this.#group = group;
    this.#progress = progress;
  }

  get uid(): number {
    return this.#uid;
  }

  get group(): TaskGroup | undefined {
    return this.#group;
  }

  get signal(): AbortSignal {
    return (this.#abort ??= new LazyAbort()).signal;
  }

  /**
   * Hands the report to the scheduler, which emits it while the task runs.
   * A run that has ended or was cancelled (stopped, or timed out) reports
   * nothing more: the task may be running again as a new attempt, and work
   * the old run left behind does not speak for it.
   */
  reportProgress(value: unknown): void {
    if (this.#abort?.aborted !== true) this.#progress(this, value);
  }

  /** The task was stopped while it ran: aborts its signal with `reason`, now or when first read. */
  cancel(reason: BackgroundTaskError): void {
    (this.#abort ??= new LazyAbort()).abort(reason);
  }
}
