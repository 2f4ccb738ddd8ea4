import { fileURLToPath } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import { WorkerDataCloneError, WorkerExitedError, WorkerStartupError } from '../core/errors.js';
import type { TaskKwargs, TaskWorkerOptions } from '../core/types.js';
import type { WorkerRunner } from '../core/worker-runner.js';
import { ThreadPool } from './thread-pool.js';
import { POOL_TASK, WORKER_DATA_KEY, WORKER_PORT_KEY, type WorkerReply, type WorkerRequest } from './messages.js';

/** A worker task holding a slot: waiting for a worker, or sent to one. */
interface Job {
  readonly request: WorkerRequest;
  readonly settle: (ok: boolean, value: unknown) => void;
  readonly onThread: ((threadId: number) => void) | undefined;
}

/** A worker thread whose module has loaded: its end of the channel, and the job it runs, if any. */
interface Connection {
  readonly port: MessagePort;
  readonly threadId: number;
  job: Job | undefined;
}

/** How often to look whether a started worker's module is one of `defineWorkerTasks`, while tasks wait for a first worker. */
const CONNECT_CHECK_MS = 10;

/**
 * Runs worker tasks on a poolifier `FixedThreadPool` of `size` threads,
 * started when the first worker task needs one. The manager never has more
 * than `size` tasks running, so each task gets a worker of its own.
 *
 * poolifier starts the threads, replaces one that dies and terminates them
 * all; the tasks themselves go over a `MessageChannel` of each worker's own
 * (opened by `defineWorkerTasks` once the module has loaded), one at a time
 * per worker. That is half the round trip of poolifier's `execute` with one
 * task in flight per thread (bench/README.md, item 11), and since the
 * adapter picks the worker, it knows which task a dying worker takes down:
 * poolifier 5.3.2 never settles such a task, and here it fails, alone. The
 * pool is poolifier's, with one more 5.3.2 defect guarded (`ThreadPool`).
 */
export class WorkerPool implements WorkerRunner {
  readonly #script: string;
  readonly #size: number;
  readonly #workerOptions: TaskWorkerOptions | undefined;
  readonly #connections = new Map<Worker, Connection>();
  /** Connected workers with no job. */
  #idle: Connection[] = [];
  /** Jobs waiting for a connected worker, oldest first (at most `size`). */
  #waiting: Job[] = [];
  readonly #lastErrors = new WeakMap<Worker, Error>();
  #pool: ThreadPool | undefined;
  /** Set when a worker died before it connected, or never connects: every worker task fails with it. */
  #startupError: WorkerStartupError | undefined;
  #connectCheck: NodeJS.Timeout | undefined;
  #destroying: Promise<void> | undefined;
  #whenAllExited: (() => void) | undefined;

  constructor(script: string | URL, size: number, workerOptions?: TaskWorkerOptions) {
    this.#script = script instanceof URL ? fileURLToPath(script) : script;
    this.#size = size;
    this.#workerOptions = workerOptions;
  }

  /** Whether the threads have been started. */
  get started(): boolean {
    return this.#pool !== undefined;
  }

  /**
   * Runs worker task `name` on an idle connected worker, or queues it until
   * one is; `settle` is called exactly once, `onThread` when it is sent.
   */
  run(
    name: string,
    args: readonly unknown[],
    kwargs: TaskKwargs,
    settle: (ok: boolean, value: unknown) => void,
    onThread?: (threadId: number) => void,
  ): void {
    const job: Job = { request: { name, args, kwargs }, settle, onThread };
    if (this.#startupError !== undefined) {
      this.#failLater(job, this.#startupError);
      return;
    }
    try {
      this.#ensurePool();
    } catch (error) {
      this.#failLater(job, error);
      return; // e.g. the worker module is gone
    }
    const connection = this.#idle.pop();
    if (connection !== undefined) {
      this.#send(connection, job);
      return;
    }
    this.#waiting.push(job);
    this.#watchConnects();
  }

  /** Terminates every thread; resolves once they have all exited. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= this.#destroyPool();
    return this.#destroying;
  }

  async #destroyPool(): Promise<void> {
    clearTimeout(this.#connectCheck);
    const pool = this.#pool;
    if (pool === undefined) return;
    for (const { port } of this.#connections.values()) port.close();
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

  #ensurePool(): void {
    if (this.#pool !== undefined) return;
    // poolifier calls its handlers with the worker as `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the handlers need both
    const adapter = this;
    this.#pool = new ThreadPool(this.#size, this.#script, {
      // Without events, poolifier has no emitter to throw an unhandled 'error' on.
      enableEvents: false,
      workerOptions: { ...this.#workerOptions, workerData: { [WORKER_DATA_KEY]: {} } },
      messageHandler(this: Worker, message: unknown) {
        const port = (message as Record<string, unknown> | null)?.[WORKER_PORT_KEY];
        if (port !== undefined) adapter.#connect(this, port as MessagePort);
      },
      errorHandler(this: Worker, error: Error) {
        adapter.#lastErrors.set(this, error);
      },
      exitHandler(this: Worker, exitCode: number) {
        adapter.#onWorkerExit(this, exitCode);
      },
    });
  }

  /** A worker's module has loaded and opened its channel: it takes the oldest waiting job, or waits for one. */
  #connect(worker: Worker, port: MessagePort): void {
    // A second channel from one worker (a module calling defineWorkerTasks twice) would put two tasks on one thread.
    if (this.#destroying !== undefined || this.#connections.has(worker)) {
      port.close();
      return;
    }
    const connection: Connection = { port, threadId: worker.threadId, job: undefined };
    this.#connections.set(worker, connection);
    port.on('message', (reply: WorkerReply) => {
      this.#onReply(connection, reply);
    });
    this.#next(connection);
  }

  #send(connection: Connection, job: Job): void {
    try {
      connection.port.postMessage(job.request);
    } catch (error) {
      this.#idle.push(connection);
      this.#failLater(job, this.#explain(job.request.name, error));
      return;
    }
    connection.job = job;
    job.onThread?.(connection.threadId);
  }

  /** Gives a free worker the oldest waiting job, or marks it idle. */
  #next(connection: Connection): void {
    const job = this.#waiting.shift();
    if (job === undefined) this.#idle.push(connection);
    else this.#send(connection, job);
  }

  /**
   * The worker answered its job. It is free before the job settles, so that
   * the dispatch that the settling runs (contract T3) finds it idle and
   * sends the next task at once.
   */
  #onReply(connection: Connection, reply: WorkerReply): void {
    const job = connection.job;
    if (job === undefined) return;
    connection.job = undefined;
    this.#next(connection);
    if (reply.ok) job.settle(true, reply.value);
    else job.settle(false, reply.error);
  }

  #onWorkerExit(worker: Worker, exitCode: number): void {
    if (this.#destroying !== undefined) {
      // poolifier removes the node after this handler has run.
      setImmediate(() => {
        this.#checkAllExited();
      });
      return;
    }
    const cause = this.#lastErrors.get(worker);
    const connection = this.#connections.get(worker);
    if (connection === undefined) {
      // It died before its module had loaded: no worker of this module will.
      this.#failStartup(new WorkerStartupError(this.#script, exitCode, cause));
      return;
    }
    this.#connections.delete(worker);
    this.#idle = this.#idle.filter((idle) => idle !== connection);
    connection.port.close();
    const job = connection.job;
    connection.job = undefined;
    // poolifier starts a replacement, which connects in its turn and takes what waits.
    job?.settle(false, new WorkerExitedError(job.request.name, exitCode, cause));
  }

  /**
   * While jobs wait and no worker has connected, looks now and then at the
   * task functions that started workers told poolifier of: a worker module
   * not made with `defineWorkerTasks` never opens its channel, and would
   * leave the jobs waiting for good.
   */
  #watchConnects(): void {
    if (this.#connectCheck !== undefined) return;
    const check = (): void => {
      this.#connectCheck = undefined;
      if (this.#waiting.length === 0 || this.#connections.size > 0 || this.#destroying !== undefined) return;
      const foreign = this.#pool?.workerNodes.some((node) => {
        const properties = node.info.taskFunctionsProperties;
        return properties !== undefined && !properties.some((task) => task.name === POOL_TASK);
      });
      if (foreign === true) this.#failStartup(new WorkerStartupError(this.#script, undefined, undefined));
      else this.#connectCheck = setTimeout(check, CONNECT_CHECK_MS);
    };
    this.#connectCheck = setTimeout(check, CONNECT_CHECK_MS);
  }

  /**
   * No worker can load the module: poolifier would restart them forever
   * while the tasks wait. Fail every task not yet sent (none can be) and
   * every later one, and stop the pool.
   */
  #failStartup(error: WorkerStartupError): void {
    this.#startupError = error;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const job of waiting) job.settle(false, error);
    void this.destroy();
  }

  /** Fails a job in a microtask: never inside `run`, which the scheduler calls while it dispatches. */
  #failLater(job: Job, error: unknown): void {
    queueMicrotask(() => {
      job.settle(false, error);
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
