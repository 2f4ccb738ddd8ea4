import { pathToFileURL } from 'node:url';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BackgroundTaskError } from '../../core/errors.js';
import { findWorkerTask, workerTasksOf, type WorkerTaskFunction } from '../worker-runtime.js';
import { WorkerTaskContext } from '../worker-task-context.js';
import { failure, success } from './outcome.js';
import {
  cancelChannel,
  DEFAULT_QUEUE_NAME,
  parseCancel,
  type RemoteCancel,
  type RemoteJobData,
  type RemoteOutcome,
} from './protocol.js';
import { CLOSE_GRACE_MS, withGrace } from './grace.js';
import { RemoteProgress } from './remote-progress.js';
import * as check from './remote-options.js';

/** Options of {@link startRemoteWorker}. */
export interface RemoteWorkerOptions {
  /** The Redis to take jobs from: ioredis options (`{ host, port }`) or an ioredis client. */
  connection: ConnectionOptions;
  /** The worker module (made with `defineWorkerTasks`), the same one the manager's tasks name. */
  workerScript: string | URL;
  /**
   * The queue, the same as the manager's executor.
   * @default 'background-task-manager'
   */
  queueName?: string;
  /**
   * Tasks this process runs at once (they share its one thread).
   * @default 1
   */
  concurrency?: number;
  /**
   * How long a job stays locked to this worker without the lock being
   * renewed (renewed every half of it while the job runs): a process that
   * died, or blocked its event loop this long, loses its jobs to the stalled check.
   * @default 10000
   */
  lockDurationMs?: number;
  /**
   * How often this worker looks for jobs whose worker lost its lock.
   * @default 5000
   */
  stalledIntervalMs?: number;
  /**
   * How often one job may be found stalled and run again before it fails.
   * @default 1
   */
  maxStalledCount?: number;
  /**
   * Called with the queue's connection errors (Redis gone, for one).
   * @default writing them to stderr
   */
  onError?: (error: Error) => void;
}

/** A running remote worker. */
export interface RemoteWorker {
  /** Stops taking jobs, lets the running ones end, and closes the connections. */
  close(): Promise<void>;
}

/** Cancels remembered for jobs not yet seen running here, at most this many (the oldest go first). */
const MAX_EARLY_CANCELS = 10_000;

/**
 * Runs the worker tasks of `workerScript` for every manager whose
 * `BullMQExecutor` uses the same Redis and queue: each job's task is
 * called as in a worker thread, `fn(...taskArgs, kwargs)` with the same
 * `this` (`uid`, `group`, `signal`, `reportProgress`), and its outcome,
 * or what it threw, goes back as the job's value. A stop from the manager
 * aborts the task's signal here. Jobs run at least once: a job whose
 * process dies is run again elsewhere (see `maxStalledCount`).
 * @example
 * const worker = await startRemoteWorker({ connection: { host: 'redis', port: 6379 }, workerScript: './tasks.worker.js' });
 * process.on('SIGTERM', () => void worker.close());
 * @throws {TypeError} for a bad option, or a module that does not export `defineWorkerTasks(...)` as its default.
 */
export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const connection = check.connection(options.connection) as ConnectionOptions;
  const queueName = check.queueName(options.queueName, DEFAULT_QUEUE_NAME);
  const onError =
    options.onError ??
    ((error: Error) => {
      console.error(`background-task-manager-worker: ${error.message}`);
    });
  const workerOptions = {
    connection,
    autorun: false,
    concurrency: check.count('concurrency', options.concurrency, 1, 1),
    lockDuration: check.milliseconds('lockDurationMs', options.lockDurationMs, 10_000, 100),
    stalledInterval: check.milliseconds('stalledIntervalMs', options.stalledIntervalMs, 5000, 100),
    maxStalledCount: check.count('maxStalledCount', options.maxStalledCount, 1, 0),
  };
  const registry = await loadTasks(options.workerScript);
  const early = new Map<string, RemoteCancel>();
  // The jobs running here, so that a close knows when they have all ended.
  const running = new Set<Promise<RemoteOutcome>>();
  const run = processor(registry, early);
  const tracked: typeof run = (job, token, signal) => {
    const outcome = run(job, token, signal);
    running.add(outcome);
    const ended = (): void => void running.delete(outcome);
    outcome.then(ended, ended);
    return outcome;
  };
  const worker = new Worker<RemoteJobData, RemoteOutcome>(queueName, tracked, workerOptions);
  worker.on('error', onError);
  // A connection of its own for the stops (a subscribed connection runs nothing else); BullMQ's client is ioredis.
  const stops = ((await worker.backend.client) as unknown as Redis).duplicate();
  stops.on('error', onError);
  stops.on('message', (_channel: string, text: string) => {
    const cancel = parseCancel(text);
    if (cancel === undefined || worker.cancelJob(cancel.jobId, cancel as never)) return;
    // Not running here (yet): remembered, in case this worker is about to start it.
    early.set(cancel.jobId, cancel);
    if (early.size > MAX_EARLY_CANCELS) early.delete(early.keys().next().value as string);
  });
  await stops.subscribe(cancelChannel(worker.qualifiedName));
  void worker.run();
  await worker.waitUntilReady();
  return {
    async close() {
      const closing = worker.close();
      // The jobs that run get the time they take. BullMQ then closes its connections, which, with Redis gone,
      // wait for answers that never come (even once it is back): they get CLOSE_GRACE_MS, then are cut.
      await Promise.allSettled([...running]);
      if (!(await withGrace(closing, CLOSE_GRACE_MS))) void worker.disconnect().catch(() => undefined);
      stops.disconnect();
    },
  };
}

async function loadTasks(script: string | URL): Promise<ReadonlyMap<string, WorkerTaskFunction>> {
  if (!(typeof script === 'string' || script instanceof URL)) {
    throw new TypeError('Expected `workerScript` to be a file path or a file: URL');
  }
  const url = script instanceof URL ? script.href : pathToFileURL(script).href;
  const module = (await import(url)) as { default?: unknown };
  const registry = workerTasksOf(module.default);
  if (registry === undefined) {
    throw new TypeError(`The worker module ${String(script)} does not export defineWorkerTasks(...) as its default`);
  }
  return registry;
}

/** The job processor: runs the job's task with its context, and answers every outcome as a value. */
function processor(registry: ReadonlyMap<string, WorkerTaskFunction>, early: Map<string, RemoteCancel>) {
  return async (job: Job<RemoteJobData>, _token?: string, signal?: AbortSignal): Promise<RemoteOutcome> => {
    const { uid, group, name, args, kwargs } = job.data;
    const fn = findWorkerTask(registry, name);
    if (fn instanceof BackgroundTaskError) return failure(fn);
    const progress = new RemoteProgress(job, name);
    const context = new WorkerTaskContext(uid, group ?? undefined, name, progress.send, progress.check);
    // BullMQ gives every job it hands to a processor an id.
    abortOnCancel(context, early, job.id as string, signal);
    let outcome: RemoteOutcome;
    try {
      outcome = success(name, await fn.call(context, ...args, kwargs));
    } catch (error) {
      outcome = failure(error);
    }
    context.end();
    await progress.flushed();
    return outcome;
  };
}

/**
 * Aborts the task's signal when the manager stops its job: a stop that came
 * before the job ran here (in `early`), or one `cancelJob` passes on, with
 * the reason the manager sent (a stop, a timeout). BullMQ passes a signal to
 * every processor that takes three parameters, and aborts it only through
 * `cancelJob`, whose reason here is always a {@link RemoteCancel}.
 */
function abortOnCancel(
  context: WorkerTaskContext,
  early: Map<string, RemoteCancel>,
  jobId: string,
  signal: AbortSignal | undefined,
): void {
  const stop = (cancel: RemoteCancel): void => {
    context.cancel(cancel);
  };
  const sentEarly = early.get(jobId);
  early.delete(jobId);
  if (sentEarly !== undefined) stop(sentEarly);
  else if (signal?.aborted === true) stop(signal.reason as RemoteCancel);
  else
    signal?.addEventListener('abort', () => {
      stop(signal.reason as RemoteCancel);
    });
}
