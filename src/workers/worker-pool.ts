import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { FixedThreadPool } from 'poolifier';
import { WorkerDataCloneError, WorkerExitedError, WorkerStartupError } from '../api/errors.js';
import type { TaskKwargs, TaskWorkerOptions } from '../api/types.js';
import type { WorkerRunner } from '../scheduling/task-scheduler.js';
import { WORKER_DATA_KEY, type WorkerRequest } from './messages.js';

interface InFlight {
  readonly name: string;
  readonly settle: (ok: boolean, value: unknown) => void;
}

/**
 * Runs worker tasks on a poolifier `FixedThreadPool` of `size` threads,
 * started when the first worker task needs one. The manager never has more
 * than `size` tasks running, so each task gets a slot of its own.
 *
 * poolifier 5.3.2 never settles a task whose worker dies. Each worker writes
 * its `threadId` into the task's slot when it starts the task; when a worker
 * exits unexpectedly, the tasks whose slots hold its id are failed here, and
 * poolifier replaces the worker.
 */
export class WorkerPool implements WorkerRunner {
  readonly #script: string;
  readonly #size: number;
  readonly #workerOptions: TaskWorkerOptions | undefined;
  readonly #slots: Int32Array;
  readonly #inFlight: Array<InFlight | undefined>;
  readonly #freeSlots: number[];
  readonly #threadIds = new WeakMap<Worker, number>();
  readonly #lastErrors = new WeakMap<Worker, Error>();
  /** Threads that have started a task, so their module loads. */
  readonly #provenThreads = new Set<number>();
  #pool: FixedThreadPool<WorkerRequest, unknown> | undefined;
  /** Set when a worker died before it was ready: the module cannot load, every worker task fails with it. */
  #startupError: WorkerStartupError | undefined;
  #destroying: Promise<void> | undefined;

  constructor(script: string | URL, size: number, workerOptions?: TaskWorkerOptions) {
    this.#script = script instanceof URL ? fileURLToPath(script) : script;
    this.#size = size;
    this.#workerOptions = workerOptions;
    this.#slots = new Int32Array(new SharedArrayBuffer(size * Int32Array.BYTES_PER_ELEMENT));
    this.#inFlight = new Array<InFlight | undefined>(size).fill(undefined);
    this.#freeSlots = Array.from({ length: size }, (_, index) => size - 1 - index);
  }

  /** Whether the threads have been started. */
  get started(): boolean {
    return this.#pool !== undefined;
  }

  run(name: string, args: readonly unknown[], kwargs: TaskKwargs, settle: (ok: boolean, value: unknown) => void): void {
    const slot = this.#freeSlots.pop();
    if (slot === undefined) throw new Error(`Invariant: more than ${this.#size} worker tasks running`);
    const entry: InFlight = { name, settle };
    this.#inFlight[slot] = entry;
    if (this.#startupError !== undefined) {
      const error = this.#startupError;
      queueMicrotask(() => this.#finish(slot, entry, false, error));
      return;
    }
    Atomics.store(this.#slots, slot, 0);
    let execution: Promise<unknown>;
    try {
      execution = this.#ensurePool().execute({ name, args, kwargs, slot });
    } catch (error) {
      // e.g. the pool cannot be created: the task fails, its slot is freed.
      execution = Promise.reject(error);
    }
    execution.then(
      (value) => this.#finish(slot, entry, true, value),
      (error: unknown) => this.#finish(slot, entry, false, this.#explain(name, error)),
    );
  }

  /** Terminates every thread; resolves once they have all exited. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= this.#destroyPool();
    return this.#destroying;
  }

  async #destroyPool(): Promise<void> {
    const pool = this.#pool;
    if (pool === undefined) return;
    // poolifier 5.3.2's destroy() never resolves when its workers died while
    // starting; every thread has exited all the same once no node is left.
    const allExited = new Promise<void>((resolve) => {
      this.#whenAllExited = resolve;
    });
    this.#checkAllExited();
    await Promise.race([pool.destroy(), allExited]);
  }

  #whenAllExited: (() => void) | undefined;

  #checkAllExited(): void {
    if (this.#pool?.workerNodes.length === 0) this.#whenAllExited?.();
  }

  #ensurePool(): FixedThreadPool<WorkerRequest, unknown> {
    if (this.#pool !== undefined) return this.#pool;
    const pool = this;
    this.#pool = new FixedThreadPool<WorkerRequest, unknown>(this.#size, this.#script, {
      // Without events, poolifier has no emitter to throw an unhandled 'error' on.
      enableEvents: false,
      workerOptions: { ...this.#workerOptions, workerData: { [WORKER_DATA_KEY]: { slots: this.#slots } } },
      onlineHandler(this: Worker) {
        pool.#threadIds.set(this, this.threadId);
      },
      errorHandler(this: Worker, error: Error) {
        pool.#lastErrors.set(this, error);
      },
      exitHandler(this: Worker, exitCode: number) {
        pool.#onWorkerExit(this, exitCode);
      },
    });
    return this.#pool;
  }

  #onWorkerExit(worker: Worker, exitCode: number): void {
    if (this.#destroying !== undefined) {
      // poolifier removes the node after this handler has run.
      setImmediate(() => this.#checkAllExited());
      return;
    }
    const cause = this.#lastErrors.get(worker);
    const threadId = this.#threadIds.get(worker);
    let crashed = 0;
    for (let slot = 0; slot < this.#size; slot++) {
      const entry = this.#inFlight[slot];
      if (entry !== undefined && threadId !== undefined && Atomics.load(this.#slots, slot) === threadId) {
        crashed++;
        this.#finish(slot, entry, false, new WorkerExitedError(entry.name, exitCode, cause));
      }
    }
    // A worker that died with no task on it and never ran one could not load its module.
    if (crashed === 0 && (threadId === undefined || !this.#provenThreads.has(threadId))) {
      this.#failStartup(new WorkerStartupError(this.#script, exitCode, cause));
    }
  }

  /**
   * A worker died before it was ready, so the module cannot be loaded:
   * poolifier would restart it forever while the tasks wait. Fail every task
   * not yet started (none can start) and every later one, and stop the pool.
   */
  #failStartup(error: WorkerStartupError): void {
    this.#startupError = error;
    for (let slot = 0; slot < this.#size; slot++) {
      const entry = this.#inFlight[slot];
      if (entry !== undefined && Atomics.load(this.#slots, slot) === 0) this.#finish(slot, entry, false, error);
    }
    void this.destroy();
  }

  /** Settles a slot's task once; a late answer for a slot already settled is dropped. */
  #finish(slot: number, entry: InFlight, ok: boolean, value: unknown): void {
    if (this.#inFlight[slot] !== entry) return;
    const threadId = Atomics.load(this.#slots, slot);
    if (threadId !== 0) this.#provenThreads.add(threadId);
    this.#inFlight[slot] = undefined;
    this.#freeSlots.push(slot);
    entry.settle(ok, value);
  }

  #explain(name: string, error: unknown): unknown {
    if (error instanceof Error && error.name === 'DataCloneError') {
      return new WorkerDataCloneError(
        `The arguments of worker task '${name}' cannot be sent to a worker thread: ${error.message}`,
        error,
      );
    }
    return error;
  }
}
