import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  RemoteJobFailedError,
  RemoteUnavailableError,
  WorkerDataCloneError,
  type BackgroundTaskError,
} from '../../core/errors.js';
import type { RunningWork, WorkerExecutor, WorkerJobSpec } from '../../core/worker-runner.js';
import { cancelReason } from '../messages.js';
import { CLOSE_GRACE_MS, withGrace } from './grace.js';
import { OutcomeAudit } from './outcome-audit.js';
import { jsonTravelProblem } from './json-travel.js';
import { isOutcome, remoteError } from './outcome.js';
import {
  cancelChannel,
  DEFAULT_QUEUE_NAME,
  EVENTS_MAX_LEN,
  type RemoteCancel,
  type RemoteJobData,
  type RemoteOutcome,
} from './protocol.js';
import { RemoteJob } from './remote-job.js';
import * as check from './remote-options.js';

/** Options of {@link BullMQExecutor}. */
export interface BullMQExecutorOptions {
  /** The Redis the jobs go through: ioredis options (`{ host, port }`) or an ioredis client. */
  connection: ConnectionOptions;
  /**
   * The queue; the remote workers must use the same.
   * @default 'background-task-manager'
   */
  queueName?: string;
  /**
   * How long a stopped task that runs on a remote worker may keep its slot
   * after the stop was sent: then it settles without its outcome (which is
   * ignored when it comes). A remote process cannot be killed from here;
   * its task's signal was aborted. An integer from 0 up, or `Infinity`.
   * @default 1000
   */
  killAfterMs?: number;
  /**
   * How long a task in flight may wait, after the connection to Redis was
   * lost, for the queue to have its job again: then it fails with a
   * `RemoteUnavailableError`. A job Redis still holds when it returns goes
   * on. An integer from 1 up, or `Infinity`.
   * @default 30000
   */
  lostAfterMs?: number;
}

/**
 * Runs a manager's worker tasks on remote workers (`startRemoteWorker`, or
 * the `background-task-manager-worker` command) through a BullMQ queue on
 * Redis: `new BackgroundTaskManager({ executor: new BullMQExecutor({ connection }) })`.
 * The manager keeps the scheduling; a task's job is added when the task
 * starts (so `maxThreads` bounds the jobs in flight), and its outcome comes
 * back through one `QueueEvents` reader for the queue. Arguments, kwargs,
 * results and progress values must travel as JSON unchanged; jobs are
 * removed from Redis once their outcome is out. Runs are at least once: a
 * job whose worker dies is run again by another.
 * @example
 * const executor = new BullMQExecutor({ connection: { host: 'localhost', port: 6379 } });
 * const manager = new BackgroundTaskManager({ executor, maxThreads: 32, startProcessing: true });
 * manager.addTask(workerTask('thumbnail'), { taskArgs: [256] });
 */
export class BullMQExecutor implements WorkerExecutor {
  /** No thread of this process runs the tasks. */
  readonly threadCount = 0;
  readonly #queue: Queue<RemoteJobData, RemoteOutcome>;
  readonly #events: QueueEvents;
  readonly #ready: Promise<unknown>;
  readonly #killAfterMs: number;
  readonly #lostAfterMs: number;
  readonly #jobs = new Map<string, RemoteJob>();
  readonly #stops = new Set<Promise<void>>();
  /** Makes job ids unique among every executor on the queue. */
  readonly #idPrefix = randomUUID();
  #nextId = 0;
  /** The jobs to add at the end of this turn, and the promise of their adding. */
  #batch: RemoteJob[] | undefined;
  #batchAdded: Promise<void> = Promise.resolve();
  #connected = true;
  #destroying: Promise<void> | undefined;
  /** Finds the jobs whose outcome the event stream lost; none with `lostAfterMs: Infinity`. */
  readonly #audit: OutcomeAudit | undefined;

  /** @throws {TypeError} or {RangeError} for a bad option. */
  constructor(options: BullMQExecutorOptions) {
    const input: unknown = options;
    if (typeof input !== 'object' || input === null) throw new TypeError('Expected BullMQExecutor options');
    const connection = check.connection(options.connection) as ConnectionOptions;
    const queueName = check.queueName(options.queueName, DEFAULT_QUEUE_NAME);
    this.#killAfterMs = check.milliseconds('killAfterMs', options.killAfterMs, 1000, 0, true);
    this.#lostAfterMs = check.milliseconds('lostAfterMs', options.lostAfterMs, 30_000, 1, true);
    this.#queue = new Queue(queueName, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
    // From the stream's start: an outcome written before the first read is still seen (other ids are ignored).
    this.#events = new QueueEvents(queueName, { connection, lastEventId: '0-0' });
    // Connection errors are how Redis going away shows; the lost-connection timers deal with it.
    this.#queue.on('error', ignore);
    this.#events.on('error', ignore);
    this.#queue.on('ioredis:close', this.#onClose);
    this.#queue.backend.on('ready', this.#onReady);
    this.#events.on('completed', ({ jobId, returnvalue }) => {
      this.#onCompleted(jobId, returnvalue as unknown);
    });
    this.#events.on('failed', ({ jobId, failedReason }) => {
      const job = this.#jobs.get(jobId);
      if (job !== undefined) this.#finish(job, false, new RemoteJobFailedError(job.spec.name, failedReason));
    });
    this.#events.on('progress', ({ jobId, data }) => {
      const job = this.#jobs.get(jobId);
      if (job !== undefined && !job.stopping) job.spec.progress(data);
    });
    this.#ready = Promise.all([this.#queue.waitUntilReady(), this.#events.waitUntilReady()]);
    if (this.#lostAfterMs !== Number.POSITIVE_INFINITY) {
      this.#audit = new OutcomeAudit(
        this.#lostAfterMs,
        () => this.#jobs.values(),
        (id) => this.#queue.getJobState(id),
        (job) => {
          const reason = `Redis no longer holds its job and its outcome never came: the queue's event stream keeps the latest ${EVENTS_MAX_LEN.toLocaleString('en')} events, and more were written while this process did not read it`;
          this.#finish(job, false, new RemoteUnavailableError(job.spec.name, reason));
        },
      );
    }
  }

  /** Adds the task's job to the queue; `job.settle` is called exactly once, never inside this call. */
  run(spec: WorkerJobSpec): RunningWork {
    const job = new RemoteJob(spec, `${this.#idPrefix}-${this.#nextId++}`, this.#cancel);
    const refusal = this.#destroying === undefined ? this.#argumentProblem(spec) : this.#closed(spec.name);
    if (refusal !== undefined) {
      queueMicrotask(() => {
        job.settle(false, refusal);
      });
      return job;
    }
    this.#jobs.set(job.id, job);
    this.#audit?.start();
    if (!this.#connected) job.watch(this.#lostAfterMs, this.#lost(job));
    job.added = this.#addSoon(job);
    job.added.catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.#finish(
        job,
        false,
        new RemoteUnavailableError(spec.name, `its job could not be added: ${reason}`, { cause: error }),
      );
    });
    return job;
  }

  /**
   * Gives the stops on their way (a waiting job removed, a running one
   * told) and the answers of stopped running tasks up to `killAfterMs`,
   * then settles what is left and closes the connections. Idempotent.
   */
  destroy(): Promise<void> {
    this.#destroying ??= this.#close();
    return this.#destroying;
  }

  async #close(): Promise<void> {
    this.#audit?.stop();
    // Redis may be gone: the stops on their way and the answers get `killAfterMs` (1,000 ms for `Infinity`) in all.
    const stopping = [...this.#jobs.values()].filter((job) => job.stopping);
    const answered = Promise.allSettled(this.#stops).then(() => Promise.all(stopping.map((job) => job.whenDone())));
    await withGrace(answered, this.#killAfterMs === Number.POSITIVE_INFINITY ? 1000 : this.#killAfterMs);
    for (const job of this.#jobs.values()) this.#finish(job, false, this.#closed(job.spec.name));
    const closing = Promise.allSettled([this.#events.close(), this.#queue.close()]);
    if (await withGrace(closing, CLOSE_GRACE_MS)) return;
    // Redis is gone. A disconnect stops the reconnecting at once, but a connection that is down never
    // reports its end, so its promise is not awaited.
    void Promise.allSettled([this.#events.disconnect(), this.#queue.disconnect()]);
  }

  /**
   * Adds the job with the others started in the same turn, in one
   * `addBulk`: a dispatch starts several tasks at once, and a batch of
   * outcomes frees several slots, so one round trip adds them all.
   */
  #addSoon(job: RemoteJob): Promise<void> {
    if (this.#batch === undefined) {
      const batch: RemoteJob[] = [];
      this.#batch = batch;
      this.#batchAdded = this.#ready.then(async () => {
        this.#batch = undefined;
        await this.#queue.addBulk(batch.map((job) => job.toAdd()));
      });
    }
    this.#batch.push(job);
    return this.#batchAdded;
  }

  #argumentProblem(spec: WorkerJobSpec): WorkerDataCloneError | undefined {
    const problem = jsonTravelProblem(spec.args, 'taskArgs') ?? jsonTravelProblem(spec.kwargs, 'kwargs');
    if (problem === undefined) return undefined;
    return new WorkerDataCloneError(
      `The arguments of worker task '${spec.name}' cannot travel as JSON to a remote worker: ${problem}`,
      undefined,
    );
  }

  #closed(name: string): RemoteUnavailableError {
    return new RemoteUnavailableError(name, 'the executor has been destroyed');
  }

  #onCompleted(jobId: string, value: unknown): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
    if (!isOutcome(value)) {
      this.#finish(
        job,
        false,
        new RemoteJobFailedError(job.spec.name, 'its worker returned no outcome: is it a startRemoteWorker() worker?'),
      );
    } else if (value.ok) this.#finish(job, true, value.value);
    else this.#finish(job, false, remoteError(value));
  }

  #finish(job: RemoteJob, ok: boolean, value: unknown): void {
    this.#jobs.delete(job.id);
    job.settle(ok, value);
  }

  /** A job not yet running is removed (and settles now); a running one is told to stop, and settles by `killAfterMs`. */
  readonly #cancel = (job: RemoteJob, reason: BackgroundTaskError): void => {
    const stop = this.#stop(job, reason);
    this.#stops.add(stop);
    void stop.finally(() => this.#stops.delete(stop));
  };

  async #stop(job: RemoteJob, reason: BackgroundTaskError): Promise<void> {
    // From the stop, not from Redis's answers: with Redis gone, those may never come.
    job.killAfter(this.#killAfterMs, () => {
      this.#finish(job, false, reason);
    });
    try {
      await job.added;
      if (job.done) return;
      if (await this.#removeWaiting(job.id)) {
        this.#finish(job, false, reason);
        return;
      }
      // Held by a worker, or just ended (its outcome on its way): a cancel then finds nothing to abort.
      // The queue's own connection is BullMQ's ioredis client.
      const client = (await this.#queue.backend.client) as unknown as Redis;
      const cancel: RemoteCancel = { jobId: job.id, ...cancelReason(reason) };
      await client.publish(cancelChannel(this.#queue.qualifiedName), JSON.stringify(cancel));
    } catch {
      // Redis is gone: the kill timer settles the job.
    }
  }

  /** Removes the job if no worker holds it; false when one does (it runs, or has just ended) or it is gone. */
  async #removeWaiting(id: string): Promise<boolean> {
    try {
      return (await this.#queue.remove(id)) === 1;
    } catch {
      return false; // Redis refused, or is gone: the workers are told, if that can be done
    }
  }

  readonly #onClose = (): void => {
    if (!this.#connected) return;
    this.#connected = false;
    for (const job of this.#jobs.values()) job.watch(this.#lostAfterMs, this.#lost(job));
  };

  readonly #onReady = (): void => {
    if (this.#connected) return;
    this.#connected = true;
    void this.#findAgain();
  };

  /** After the connection returned: the jobs Redis still holds go on; the others fail when their timer ends. */
  async #findAgain(): Promise<void> {
    for (const job of [...this.#jobs.values()]) {
      if (!job.watched) continue;
      try {
        await job.added;
        if ((await this.#queue.getJobState(job.id)) !== 'unknown') job.found();
      } catch {
        // Lost again: the timer runs on.
      }
    }
  }

  #lost(job: RemoteJob): () => void {
    return () => {
      const reason = `the connection to Redis was lost and its job was not found there again within ${this.#lostAfterMs} ms`;
      this.#finish(job, false, new RemoteUnavailableError(job.spec.name, reason));
      void this.#queue.remove(job.id).catch(() => undefined);
    };
  }
}

function ignore(): void {
  // see the constructor
}
