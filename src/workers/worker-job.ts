import type { MessagePort, Worker } from 'node:worker_threads';
import type { BackgroundTaskError } from '../core/errors.js';
import type { RunningWork, WorkerJobSpec } from '../core/worker-runner.js';
import type { WorkerRequest } from './messages.js';

/**
 * Where a job is: waiting for a connected worker, sent to one, cancelling
 * (sent, then cancelled: the worker was told, the kill timer may run), or
 * done (answered, failed, or cancelled before it was sent).
 */
export const JobPhases = Object.freeze({
  waiting: 'waiting',
  sent: 'sent',
  cancelling: 'cancelling',
  done: 'done',
} as const);

/** See {@link JobPhases}. */
export type JobPhase = keyof typeof JobPhases;

/** A worker thread whose module has loaded: its end of the channel, and the job it runs, if any. */
export interface Connection {
  readonly port: MessagePort;
  /** Resolves once the port has closed, from either side: its handle no longer holds the event loop. */
  readonly closed: Promise<void>;
  readonly worker: Worker;
  job: WorkerJob | undefined;
  /** While the pool shuts down: called once the worker has seen the cancel of its job, answered, or exited. */
  released: (() => void) | undefined;
  /** Set once its thread is being terminated (a kill): it takes no more jobs, even if its job answers first. */
  terminating: boolean;
}

/**
 * A worker task holding a slot, from `run` until it settles: what the
 * scheduler holds to cancel it, and what the pool moves from the waiting
 * list to a worker.
 */
export class WorkerJob implements RunningWork {
  readonly spec: WorkerJobSpec;
  readonly request: WorkerRequest;
  phase: JobPhase = JobPhases.waiting;
  /** The worker it was sent to, once sent. */
  sentTo: Connection | undefined;
  readonly #onCancel: (job: WorkerJob, reason: BackgroundTaskError) => void;
  /** Set once its worker has said it saw the cancel (its abort listeners have run). */
  cancelSeen = false;
  /** Runs while cancelling, when `killAfterMs` is finite. */
  #killTimer: NodeJS.Timeout | undefined;

  constructor(spec: WorkerJobSpec, onCancel: (job: WorkerJob, reason: BackgroundTaskError) => void) {
    this.spec = spec;
    this.request = request(spec);
    this.#onCancel = onCancel;
  }

  /** Hands the cancel to the pool, which knows whether the job waits or runs. */
  cancel(reason: BackgroundTaskError): void {
    this.#onCancel(this, reason);
  }

  /** The job was sent and is now cancelled: calls `kill` after `ms` (never for `Infinity`), unless it settles first. */
  cancelling(ms: number, kill: () => void): void {
    this.phase = JobPhases.cancelling;
    if (ms !== Number.POSITIVE_INFINITY) this.#killTimer = setTimeout(kill, ms);
  }

  /** The job has ended: answered, failed, or dropped. */
  settle(ok: boolean, value: unknown): void {
    this.phase = JobPhases.done;
    clearTimeout(this.#killTimer);
    this.spec.settle(ok, value);
  }

  /** Stops the kill timer (the pool is being destroyed: every thread ends anyway). */
  disarm(): void {
    clearTimeout(this.#killTimer);
  }
}

/** The request for `spec`, without what it does not have (see {@link WorkerRequest}). */
function request({ name, uid, group, args, kwargs }: WorkerJobSpec): WorkerRequest {
  const message: { -readonly [Key in keyof WorkerRequest]: WorkerRequest[Key] } = { type: 'run', name, uid };
  if (group !== undefined) message.group = group;
  if (args.length > 0) message.args = args;
  if (hasKeys(kwargs)) message.kwargs = kwargs;
  return message;
}

function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
