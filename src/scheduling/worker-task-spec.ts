import type { TaskGroup, TaskKwargs } from '../core/types.js';
import type { BackgroundTaskError } from '../core/errors.js';
import type { RunningWork, WorkerJobSpec, WorkerRunner } from '../core/worker-runner.js';

/** How a task's work reports its end: its result, or what it threw. */
export type Settle = (ok: boolean, value: unknown) => void;

/** Where a worker task's run reports to: the scheduler, through two functions made once. */
export interface WorkerTaskOwner {
  /** The run of the task in `slot` has ended. */
  readonly settled: (slot: number, ok: boolean, value: unknown) => void;
  /** The running task `uid` reported progress. */
  readonly progressed: (uid: number, value: unknown) => void;
}

/**
 * One run of a worker task: what the worker runner is handed, and the
 * handle the scheduler cancels it with. Its `settle` and `progress` are
 * methods that call the owner with the task's slot and uid, so that a
 * worker task costs one object, not a closure for each (a worker no-op
 * takes a few microseconds in all, and each closure counts). Once
 * cancelled (stopped, or timed out and maybe running again as a new
 * attempt), the run's progress is no longer the task's and is dropped,
 * whatever runner carries it.
 */
export class WorkerTaskSpec implements WorkerJobSpec, RunningWork {
  readonly uid: number;
  readonly group: TaskGroup | undefined;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: TaskKwargs;
  readonly onThread: ((threadId: number) => void) | undefined;
  readonly #owner: WorkerTaskOwner;
  readonly #slot: number;
  /** The run's timeout guard, which settles in the owner's place (see the scheduler's `#armTimeout`). */
  readonly #guard: Settle | undefined;
  /** The runner's handle, once it has taken the run. */
  #work: RunningWork | undefined;
  #cancelled = false;

  // Positional, not an options object: this runs once for every worker task.
  constructor(
    owner: WorkerTaskOwner,
    slot: number,
    guard: Settle | undefined,
    uid: number,
    group: TaskGroup | undefined,
    name: string,
    args: readonly unknown[],
    kwargs: TaskKwargs,
    onThread: ((threadId: number) => void) | undefined,
  ) {
    this.#owner = owner;
    this.#slot = slot;
    this.#guard = guard;
    this.uid = uid;
    this.group = group;
    this.name = name;
    this.args = args;
    this.kwargs = kwargs;
    this.onThread = onThread;
  }

  /** The run has ended: through the timeout guard if the run has one, else straight to the owner. */
  settle(ok: boolean, value: unknown): void {
    if (this.#guard === undefined) this.#owner.settled(this.#slot, ok, value);
    else this.#guard(ok, value);
  }

  /** The task reported progress: passed on unless the run was cancelled. */
  progress(value: unknown): void {
    if (!this.#cancelled) this.#owner.progressed(this.uid, value);
  }

  /** Hands the run to `runner`; returns this run, which the scheduler keeps to cancel it. */
  runOn(runner: WorkerRunner): this {
    this.#work = runner.run(this);
    return this;
  }

  /** Cancels the run: its progress is dropped from now on, and the runner is told. */
  cancel(reason: BackgroundTaskError): void {
    this.#cancelled = true;
    this.#work?.cancel(reason);
  }
}
