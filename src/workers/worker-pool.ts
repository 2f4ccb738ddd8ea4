import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import {
  WorkerDataCloneError,
  WorkerExitedError,
  WorkerStartupError,
  type BackgroundTaskError,
} from '../core/errors.js';
import type { TaskWorkerOptions } from '../core/types.js';
import type { RunningWork, WorkerJobSpec, WorkerRunner } from '../core/worker-runner.js';
import { ThreadPool } from './thread-pool.js';
import {
  cancelReason,
  POOL_TASK,
  WORKER_DATA_KEY,
  WORKER_PORT_KEY,
  type WorkerCancel,
  type WorkerDataPart,
  type WorkerMessage,
} from './messages.js';
import { JobPhases, WorkerJob, type Connection } from './worker-job.js';

/** What the pool is made with, besides its module. */
export interface WorkerPoolOptions {
  /** The most threads it starts. */
  readonly size: number;
  /** How long a cancelled job may run on before its thread is terminated; `Infinity`: never. */
  readonly killAfterMs: number;
  readonly workerOptions: TaskWorkerOptions | undefined;
}

/** How long shut-down waits for workers to see the cancel of their task when `killAfterMs` is `Infinity`. */
const SHUT_DOWN_GRACE_MS = 1000;

/**
 * The entry of every thread: it loads the worker module, and says when the
 * module has loaded without defining its tasks; `undefined` where this
 * module has no URL to find it by (a CommonJS bundle of the library) or it
 * is not beside this module (a bundle that left it out). Looked for once.
 */
const BOOTSTRAP = bootstrapPath();

/** How often to look whether a started worker's module is one of `defineWorkerTasks`, while tasks wait for a first worker. */
const CONNECT_CHECK_MS = 10;

/**
 * Runs worker tasks on up to `size` threads, each a poolifier
 * `FixedThreadPool` of one thread, started one at a time as jobs need them:
 * a job that finds no idle connected worker waits, and a thread starts
 * when more jobs wait than threads are on their way. The manager never
 * has more than `size` tasks running, so each task gets a worker of its own.
 *
 * poolifier starts each thread, replaces one that dies and terminates them;
 * the tasks go over a `MessageChannel` of each worker's own (opened by
 * `defineWorkerTasks` once the module has loaded), one at a time per
 * worker. That is half the round trip of poolifier's `execute` with one
 * task in flight per thread (bench/README.md, item 11), and since the
 * adapter picks the worker, it knows which task a dying worker takes down:
 * poolifier 5.3.2 never settles such a task, and here it fails, alone. The
 * pool is poolifier's, with one more 5.3.2 defect guarded (`ThreadPool`).
 *
 * A cancelled job that waits is dropped; one that runs is told over its
 * channel (its signal aborts in the worker) and, if it has not answered
 * `killAfterMs` later, its thread is terminated: its poolifier pool starts
 * a replacement, and the job settles as its worker's exit.
 */
export class WorkerPool implements WorkerRunner {
  readonly #script: string;
  readonly #options: WorkerPoolOptions;
  /** One single-thread pool per thread started, in the order started. */
  readonly #pools: ThreadPool[] = [];
  readonly #connections = new Map<Worker, Connection>();
  /** Threads started (or being replaced) whose module has not connected yet. */
  #connecting = 0;
  /** Connected workers with no job. */
  #idle: Connection[] = [];
  /** Jobs waiting for a connected worker, oldest first (at most `size`). */
  #waiting: WorkerJob[] = [];
  readonly #lastErrors = new WeakMap<Worker, Error>();
  /** Set when a worker died before it connected, or its module defines no task: every worker task fails with it. */
  #startupError: WorkerStartupError | undefined;
  #connectCheck: NodeJS.Timeout | undefined;
  #destroying: Promise<void> | undefined;
  #whenAllExited: (() => void) | undefined;

  constructor(script: string | URL, options: WorkerPoolOptions) {
    this.#script = script instanceof URL ? fileURLToPath(script) : script;
    this.#options = options;
  }

  /** How many threads have been started (a replacement counts as the thread it replaces). */
  get threadCount(): number {
    return this.#pools.length;
  }

  /**
   * Runs a worker task on an idle connected worker, or queues it until one
   * is, starting a thread if none is on its way; `job.settle` is called
   * exactly once, never inside this call.
   */
  run(spec: WorkerJobSpec): RunningWork {
    const job = new WorkerJob(spec, this.#cancel);
    if (this.#startupError !== undefined) {
      this.#failLater(job, this.#startupError);
      return job;
    }
    const connection = this.#idle.pop();
    if (connection !== undefined) {
      this.#send(connection, job);
      return job;
    }
    this.#waiting.push(job);
    try {
      this.#startThreadsAsNeeded();
    } catch (error) {
      this.#waiting.pop();
      this.#failLater(job, error);
      return job; // e.g. the worker module is gone
    }
    this.#watchConnects();
    return job;
  }

  /** Terminates every thread; resolves once they have all exited. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= this.#destroyPools();
    return this.#destroying;
  }

  async #destroyPools(): Promise<void> {
    clearTimeout(this.#connectCheck);
    if (this.#pools.length === 0) return;
    await this.#letWorkersSeeTheirCancel();
    // A closed port's handle goes in a later turn of the event loop: shutDown() waits for it.
    const closed = Promise.all([...this.#connections.values()].map((connection) => connection.closed));
    for (const { port, job } of this.#connections.values()) {
      job?.disarm();
      port.close();
    }
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
      await Promise.race([Promise.all(this.#pools.map((pool) => pool.destroy())), allExited]);
      await closed;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Shutting down stopped every task: gives each worker whose task runs
   * the time to read the cancel and run the task's abort listeners, up to
   * `killAfterMs` (at most {@link SHUT_DOWN_GRACE_MS} with `Infinity`: shut-down
   * always ends), before the threads are terminated.
   */
  async #letWorkersSeeTheirCancel(): Promise<void> {
    const seen: Array<Promise<void>> = [];
    for (const connection of this.#connections.values()) {
      // A task stopped earlier whose worker has already said it saw the cancel has nothing more to see.
      if (connection.job?.phase !== JobPhases.cancelling || connection.job.cancelSeen) continue;
      seen.push(new Promise((resolve) => (connection.released = resolve)));
    }
    if (seen.length === 0) return;
    const { killAfterMs } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, killAfterMs === Number.POSITIVE_INFINITY ? SHUT_DOWN_GRACE_MS : killAfterMs);
    });
    await Promise.race([Promise.all(seen), grace]);
    clearTimeout(timer);
  }

  #checkAllExited(): void {
    if (this.#pools.every((pool) => pool.workerNodes.length === 0)) this.#whenAllExited?.();
  }

  /** Starts threads while more jobs wait than threads are on their way, up to `size`. */
  #startThreadsAsNeeded(): void {
    while (
      this.#waiting.length > this.#connecting &&
      this.#pools.length < this.#options.size &&
      this.#destroying === undefined
    ) {
      this.#pools.push(this.#startThread());
      this.#connecting++;
    }
  }

  #startThread(): ThreadPool {
    // poolifier calls its handlers with the worker as `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the handlers need both
    const adapter = this;
    // poolifier checks that its file exists, which is the entry here: the worker module is what can be gone.
    if (!existsSync(this.#script)) throw new Error(`Cannot find the worker file '${this.#script}'`);
    const ours: WorkerDataPart = { script: pathToFileURL(this.#script).href };
    return new ThreadPool(1, this.#entry(), {
      // Without events, poolifier has no emitter to throw an unhandled 'error' on.
      enableEvents: false,
      workerOptions: { ...this.#options.workerOptions, workerData: { [WORKER_DATA_KEY]: ours } },
      messageHandler(this: Worker, message: unknown) {
        const port = (message as Record<string, MessagePort | null | undefined> | null)?.[WORKER_PORT_KEY];
        if (port === null) adapter.#definesNoTasks();
        else if (port !== undefined) adapter.#connect(this, port);
      },
      errorHandler(this: Worker, error: Error) {
        adapter.#lastErrors.set(this, error);
      },
      exitHandler(this: Worker, exitCode: number) {
        adapter.#onWorkerExit(this, exitCode);
      },
    });
  }

  /**
   * The file a thread starts on: the bootstrap, or the worker module itself
   * where the bootstrap is missing (a bundle of the library that left it
   * out) or cannot import the module (a POSIX path with a backslash, which
   * a file URL encodes and Node's loader then refuses), as before there
   * was one.
   */
  #entry(): string {
    return BOOTSTRAP !== undefined && (sep === '\\' || !this.#script.includes('\\')) ? BOOTSTRAP : this.#script;
  }

  /**
   * A worker's module has loaded without defining its tasks with
   * `defineWorkerTasks`, and its thread runs on. Unless another thread of
   * the module has connected, none will: fail what waits, and every later
   * worker task. If one has (a module that defines its tasks only now and
   * then), this thread is no longer counted as on its way: it takes no
   * task, and ends with the pool.
   */
  #definesNoTasks(): void {
    if (this.#destroying !== undefined) return;
    if (this.#connections.size > 0) this.#connecting--;
    else this.#failStartup(new WorkerStartupError(this.#script, undefined, undefined));
  }

  /** A worker's module has loaded and opened its channel: it takes the oldest waiting job, or waits for one. */
  #connect(worker: Worker, port: MessagePort): void {
    // A second channel from one worker (a module calling defineWorkerTasks twice) would put two tasks on one thread.
    if (this.#destroying !== undefined || this.#connections.has(worker)) {
      port.close();
      return;
    }
    this.#connecting--;
    const closed = new Promise<void>((resolve) => {
      port.once('close', () => {
        resolve();
      });
    });
    const connection: Connection = {
      port,
      closed,
      worker,
      job: undefined,
      released: undefined,
      terminating: false,
    };
    this.#connections.set(worker, connection);
    port.on('message', (message: WorkerMessage) => {
      this.#onMessage(connection, message);
    });
    this.#next(connection);
  }

  #send(connection: Connection, job: WorkerJob): void {
    try {
      connection.port.postMessage(job.request);
    } catch (error) {
      this.#idle.push(connection);
      this.#failLater(job, this.#explain(job.request.name, error));
      return;
    }
    connection.job = job;
    job.phase = JobPhases.sent;
    job.sentTo = connection;
    job.spec.onThread?.(connection.worker.threadId);
  }

  /** Gives a free worker the oldest waiting job, or marks it idle. */
  #next(connection: Connection): void {
    const job = this.#waiting.shift();
    if (job === undefined) this.#idle.push(connection);
    else this.#send(connection, job);
  }

  /**
   * A job that waits is dropped (it settles with `reason`, which frees its
   * slot at once); one that runs is told, and its thread terminated if it
   * has not answered `killAfterMs` later.
   */
  readonly #cancel = (job: WorkerJob, reason: BackgroundTaskError): void => {
    if (job.phase === JobPhases.waiting) {
      this.#waiting.splice(this.#waiting.indexOf(job), 1);
      this.#failLater(job, reason);
      return;
    }
    const connection = job.sentTo;
    if (job.phase !== JobPhases.sent || connection === undefined) return;
    connection.port.postMessage({ type: 'cancel', ...cancelReason(reason) } satisfies WorkerCancel);
    job.cancelling(this.#options.killAfterMs, () => {
      if (connection.job !== job) return;
      connection.terminating = true;
      void connection.worker.terminate();
    });
  };

  /**
   * The worker reported progress, or answered its job. It is free before
   * the job settles, so that the dispatch that the settling runs (contract
   * T3) finds it idle and sends the next task at once.
   */
  #onMessage(connection: Connection, message: WorkerMessage): void {
    const job = connection.job;
    if (message.type !== 'progress') connection.released?.();
    if (job === undefined) return;
    if (message.type === 'cancelSeen') {
      job.cancelSeen = true;
      return;
    }
    if (message.type === 'progress') {
      job.spec.progress(message.value);
      return;
    }
    connection.job = undefined;
    // A reply can come after the kill began, while the thread ends: its replacement takes the next job.
    if (!connection.terminating) this.#next(connection);
    if (message.ok) job.settle(true, message.value);
    else job.settle(false, message.error);
  }

  #onWorkerExit(worker: Worker, exitCode: number): void {
    // poolifier removes the node after this handler has run. Checked after every exit: this one may
    // be what makes the pool destroy itself (a thread that could not load its module).
    setImmediate(() => {
      this.#checkAllExited();
    });
    const connection = this.#connections.get(worker);
    connection?.released?.();
    if (this.#destroying !== undefined) return;
    const cause = this.#lastErrors.get(worker);
    if (connection === undefined) {
      // It died before its module had loaded. With no thread of the module connected, none will load: fail
      // what waits. Another one has loaded, so the module can: poolifier starts a replacement, which connects
      // in its turn (still counted in #connecting), and the tasks on the threads that run go on.
      if (this.#connections.size === 0) this.#failStartup(new WorkerStartupError(this.#script, exitCode, cause));
      return;
    }
    this.#connections.delete(worker);
    this.#idle = this.#idle.filter((idle) => idle !== connection);
    connection.port.close();
    // poolifier starts a replacement, which connects in its turn and takes what waits.
    this.#connecting++;
    const job = connection.job;
    connection.job = undefined;
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
      const foreign = this.#pools.some((pool) =>
        pool.workerNodes.some((node) => {
          const properties = node.info.taskFunctionsProperties;
          return properties !== undefined && !properties.some((task) => task.name === POOL_TASK);
        }),
      );
      if (foreign) this.#failStartup(new WorkerStartupError(this.#script, undefined, undefined));
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

  /** Fails a job in a microtask: never inside `run` or a stop, which the scheduler calls while it dispatches. */
  #failLater(job: WorkerJob, error: unknown): void {
    job.phase = JobPhases.done; // a cancel meanwhile has nothing to do
    queueMicrotask(() => {
      job.settle(false, error);
    });
  }

  #explain(name: string, error: unknown): unknown {
    // A value that cannot be cloned, or that could only be transferred (a MessagePort): Node names them apart.
    const uncloneable =
      error instanceof Error &&
      (error.name === 'DataCloneError' ||
        (error as { code?: unknown }).code === 'ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST');
    if (uncloneable) {
      return new WorkerDataCloneError(
        `The arguments of worker task '${name}' cannot be sent to a worker thread: ${error.message}`,
        error,
      );
    }
    return error;
  }
}

/** The bootstrap's path, next to this module; `undefined` when `import.meta.url` is not there to say where, or the file is not there. */
function bootstrapPath(): string | undefined {
  let path: string;
  try {
    path = fileURLToPath(new URL('worker-bootstrap.mjs', import.meta.url));
  } catch {
    return undefined;
  }
  return existsSync(path) ? path : undefined;
}
