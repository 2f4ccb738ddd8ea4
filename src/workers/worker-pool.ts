import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { FixedThreadPool } from 'poolifier';
import { WorkerDataCloneError, WorkerExitedError, WorkerStartupError } from '../api/errors.js';
import type { TaskKwargs, TaskWorkerOptions } from '../api/types.js';
import type { WorkerRunner } from '../scheduling/task-scheduler.js';
import { WORKER_DATA_KEY, type WorkerRequest } from './messages.js';

/** A worker task holding a slot: waiting for an idle worker, or handed to the pool. */
interface Job {
  readonly slot: number;
  readonly request: WorkerRequest;
  readonly settle: (ok: boolean, value: unknown) => void;
  handedOff: boolean;
}

/** How often to look for a replacement worker while tasks wait for one (only after a crash). */
const REPLACEMENT_POLL_MS = 5;

/**
 * Runs worker tasks on a poolifier `FixedThreadPool` of `size` threads,
 * started when the first worker task needs one. The manager never has more
 * than `size` tasks running, so each task gets a slot of its own.
 *
 * A task is handed to poolifier only when a ready worker is idle, so no
 * worker ever holds more than one task: poolifier would otherwise queue a
 * task on a busy worker while a crashed one is being replaced, and lose it
 * if that worker died too.
 *
 * poolifier 5.3.2 never settles a task whose worker dies. Each worker writes
 * its `threadId` into its task's slot when it starts it; when a worker exits
 * unexpectedly, the task whose slot holds its id is failed here, and
 * poolifier replaces the worker.
 */
export class WorkerPool implements WorkerRunner {
  readonly #script: string;
  readonly #size: number;
  readonly #workerOptions: TaskWorkerOptions | undefined;
  readonly #slots: Int32Array;
  readonly #jobs: Array<Job | undefined>;
  readonly #freeSlots: number[];
  /** Jobs waiting for an idle ready worker, oldest first (at most `size`). */
  #waiting: Job[] = [];
  #handedOff = 0;
  #pumpScheduled = false;
  #pollTimer: NodeJS.Timeout | undefined;
  readonly #threadIds = new WeakMap<Worker, number>();
  readonly #lastErrors = new WeakMap<Worker, Error>();
  /** Threads that have started a task, so their module loads. */
  readonly #provenThreads = new Set<number>();
  #pool: FixedThreadPool<WorkerRequest, unknown> | undefined;
  /** Set when a worker died before it was ready: the module cannot load; every worker task fails with it. */
  #startupError: Error | undefined;
  #destroying: Promise<void> | undefined;
  #whenAllExited: (() => void) | undefined;

  constructor(script: string | URL, size: number, workerOptions?: TaskWorkerOptions) {
    this.#script = script instanceof URL ? fileURLToPath(script) : script;
    this.#size = size;
    this.#workerOptions = workerOptions;
    this.#slots = new Int32Array(new SharedArrayBuffer(size * Int32Array.BYTES_PER_ELEMENT));
    this.#jobs = new Array<Job | undefined>(size).fill(undefined);
    this.#freeSlots = Array.from({ length: size }, (_, index) => size - 1 - index);
  }

  /** Whether the threads have been started. */
  get started(): boolean {
    return this.#pool !== undefined;
  }

  run(name: string, args: readonly unknown[], kwargs: TaskKwargs, settle: (ok: boolean, value: unknown) => void): void {
    const slot = this.#freeSlots.pop();
    if (slot === undefined) throw new Error(`Invariant: more than ${this.#size} worker tasks running`);
    const job: Job = { slot, request: { name, args, kwargs, slot }, settle, handedOff: false };
    this.#jobs[slot] = job;
    Atomics.store(this.#slots, slot, 0);
    this.#waiting.push(job);
    this.#schedulePump();
  }

  /** Terminates every thread; resolves once they have all exited. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= this.#destroyPool();
    return this.#destroying;
  }

  async #destroyPool(): Promise<void> {
    clearTimeout(this.#pollTimer);
    const pool = this.#pool;
    if (pool === undefined) return;
    // poolifier 5.3.2's destroy() never resolves when its workers died while
    // starting; every thread has exited all the same once no node is left.
    const allExited = new Promise<void>((resolve) => {
      this.#whenAllExited = resolve;
    });
    this.#checkAllExited();
    // The workers stop holding the event loop while they terminate: without a handle of its own,
    // Node could exit before they report their exit, leaving shutDown() unsettled (exit code 13
    // under a top-level await).
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      await Promise.race([pool.destroy(), allExited]);
    } finally {
      clearInterval(keepAlive);
    }
  }

  #checkAllExited(): void {
    if (this.#pool?.workerNodes.length === 0) this.#whenAllExited?.();
  }

  /** Hands waiting jobs to the pool while a ready worker is idle. */
  #pump(): void {
    if (this.#startupError !== undefined) {
      this.#failWaiting(this.#startupError);
      return;
    }
    if (this.#destroying !== undefined) return;
    let pool: FixedThreadPool<WorkerRequest, unknown>;
    try {
      pool = this.#ensurePool();
    } catch (error) {
      this.#failWaiting(error); // e.g. the worker module is gone
      return;
    }
    while (this.#waiting.length > 0 && this.#handedOff < readyWorkers(pool)) {
      this.#handOff(pool, this.#waiting.shift() as Job);
    }
    if (this.#waiting.length > 0) this.#pollForReplacement();
  }

  #handOff(pool: FixedThreadPool<WorkerRequest, unknown>, job: Job): void {
    job.handedOff = true;
    this.#handedOff++;
    let execution: Promise<unknown>;
    try {
      execution = pool.execute(job.request);
    } catch (error) {
      execution = Promise.reject(error);
    }
    execution.then(
      (value) => this.#finish(job, true, value),
      (error: unknown) => this.#finish(job, false, this.#explain(job.request.name, error)),
    );
  }

  /** poolifier marks a replacement worker ready without telling anyone: look again shortly. */
  #pollForReplacement(): void {
    if (this.#pollTimer !== undefined) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      this.#schedulePump();
    }, REPLACEMENT_POLL_MS);
  }

  #failWaiting(error: unknown): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const job of waiting) queueMicrotask(() => this.#finish(job, false, error));
  }

  #ensurePool(): FixedThreadPool<WorkerRequest, unknown> {
    if (this.#pool !== undefined) return this.#pool;
    const adapter = this;
    this.#pool = new FixedThreadPool<WorkerRequest, unknown>(this.#size, this.#script, {
      // Without events, poolifier has no emitter to throw an unhandled 'error' on.
      enableEvents: false,
      workerOptions: { ...this.#workerOptions, workerData: { [WORKER_DATA_KEY]: { slots: this.#slots } } },
      onlineHandler(this: Worker) {
        adapter.#threadIds.set(this, this.threadId);
      },
      errorHandler(this: Worker, error: Error) {
        adapter.#lastErrors.set(this, error);
      },
      exitHandler(this: Worker, exitCode: number) {
        adapter.#onWorkerExit(this, exitCode);
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
    const crashed = this.#jobs.filter(
      (job): job is Job => job?.handedOff === true && threadId !== undefined && Atomics.load(this.#slots, job.slot) === threadId,
    );
    for (const job of crashed) this.#finish(job, false, new WorkerExitedError(job.request.name, exitCode, cause));
    // A worker that died with no task on it and never ran one could not load its module.
    if (crashed.length === 0 && (threadId === undefined || !this.#provenThreads.has(threadId))) {
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
    for (const job of this.#jobs) {
      if (job !== undefined && Atomics.load(this.#slots, job.slot) === 0) this.#finish(job, false, error);
    }
    this.#waiting = [];
    void this.destroy();
  }

  /** Settles a job once; a late answer for a job already settled is dropped. */
  #finish(job: Job, ok: boolean, value: unknown): void {
    if (this.#jobs[job.slot] !== job) return;
    const threadId = Atomics.load(this.#slots, job.slot);
    if (threadId !== 0) this.#provenThreads.add(threadId);
    this.#jobs[job.slot] = undefined;
    this.#freeSlots.push(job.slot);
    if (job.handedOff) this.#handedOff--;
    else this.#waiting = this.#waiting.filter((waiting) => waiting !== job);
    job.settle(ok, value);
    this.#schedulePump();
  }

  /**
   * Pumps in a microtask, never inside `run` or a worker's event handler:
   * after a crash, poolifier drops the dead worker's node only once the
   * exit handlers have run, and until then it may still count as ready.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
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

function readyWorkers(pool: FixedThreadPool<WorkerRequest, unknown>): number {
  let ready = 0;
  for (const node of pool.workerNodes) if (node.info.ready) ready++;
  return ready;
}
