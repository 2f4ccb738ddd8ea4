import type { BackgroundTaskError } from '../../core/errors.js';
import type { JobsOptions } from 'bullmq';
import type { RunningWork, WorkerJobSpec } from '../../core/worker-runner.js';
import type { RemoteJobData } from './protocol.js';

/**
 * A worker task in flight through the queue, from `run` until it settles:
 * what the scheduler holds to cancel it. Settles once; what comes after
 * (a late outcome, a timer) finds it done and does nothing.
 */
export class RemoteJob implements RunningWork {
  readonly spec: WorkerJobSpec;
  /** The job's id in the queue. */
  readonly id: string;
  /** Resolves once the job is in the queue; rejects if it could not be added. */
  added: Promise<void> = Promise.resolve();
  /** Set once a stop was asked for. */
  stopping = false;
  #done = false;
  /** Fails the job if the queue is not reached again in time (armed while the connection is lost). */
  #lostTimer: NodeJS.Timeout | undefined;
  /** Settles a stopped job that did not answer in time, which frees its slot. */
  #killTimer: NodeJS.Timeout | undefined;
  readonly #onCancel: (job: RemoteJob, reason: BackgroundTaskError) => void;
  #whenDone: (() => void) | undefined;

  constructor(spec: WorkerJobSpec, id: string, onCancel: (job: RemoteJob, reason: BackgroundTaskError) => void) {
    this.spec = spec;
    this.id = id;
    this.#onCancel = onCancel;
  }

  /** Whether it has settled. */
  get done(): boolean {
    return this.#done;
  }

  /** Whether the lost-connection timer runs. */
  get watched(): boolean {
    return this.#lostTimer !== undefined;
  }

  /** The job to add to the queue; removed from Redis once its outcome is out. */
  toAdd(): { name: string; data: RemoteJobData; opts: JobsOptions } {
    const { uid, group, name, args, kwargs } = this.spec;
    const data: RemoteJobData = { uid, group: group ?? null, name, args, kwargs };
    return { name, data, opts: { jobId: this.id, removeOnComplete: true, removeOnFail: true } };
  }

  /** Hands the stop to the executor, once. */
  cancel(reason: BackgroundTaskError): void {
    if (this.#done || this.stopping) return;
    this.stopping = true;
    this.#onCancel(this, reason);
  }

  /** Calls `lost` after `ms` unless it settles or {@link found} is called first. */
  watch(ms: number, lost: () => void): void {
    if (this.#done || this.#lostTimer !== undefined || ms === Number.POSITIVE_INFINITY) return;
    this.#lostTimer = setTimeout(lost, ms);
  }

  /** The queue has it again: stops the lost-connection timer. */
  found(): void {
    clearTimeout(this.#lostTimer);
    this.#lostTimer = undefined;
  }

  /** Calls `kill` after `ms` (never for `Infinity`) unless it settles first. */
  killAfter(ms: number, kill: () => void): void {
    if (this.#done || ms === Number.POSITIVE_INFINITY) return;
    this.#killTimer = setTimeout(kill, ms);
  }

  /** Resolves once it has settled. */
  whenDone(): Promise<void> {
    if (this.#done) return Promise.resolve();
    return new Promise((resolve) => (this.#whenDone = resolve));
  }

  /** Settles the task, the first time only. */
  settle(ok: boolean, value: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.found();
    clearTimeout(this.#killTimer);
    this.#whenDone?.();
    this.spec.settle(ok, value);
  }
}
