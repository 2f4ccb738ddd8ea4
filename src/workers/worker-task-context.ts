import {
  BackgroundTaskError,
  ErrorCodes,
  TaskStoppedError,
  TaskTimeoutError,
  WorkerDataCloneError,
  type ErrorCode,
} from '../core/errors.js';
import { LazyAbort } from '../core/lazy-abort.js';
import type { TaskContext, TaskGroup } from '../core/types.js';
import { PROGRESS_INTERVAL_MS, type CancelReason } from './messages.js';

/** Sends one progress value on (to the main thread, or to a queue); throws if the value cannot go. */
export type ProgressSend = (value: unknown) => void;

/**
 * The `this` of a worker task while it runs in a worker thread or a remote
 * worker: the same shape as a main-thread task's. Progress goes to the main thread at most
 * once per {@link PROGRESS_INTERVAL_MS}: the first report of a quiet spell
 * at once, the latest of the others when the interval ends, and whatever
 * is still held just before the reply ({@link end}), so the last report
 * always precedes the task's outcome.
 */
export class WorkerTaskContext implements TaskContext {
  readonly uid: number;
  readonly group: TaskGroup | undefined;
  readonly #name: string;
  readonly #send: ProgressSend;
  /** Checks a value to be held (it is sent later, from a timer, where a throw would be uncaught); else a clone. */
  readonly #check: ((value: unknown) => unknown) | undefined;
  readonly #abort = new LazyAbort();
  /** Open while reports are held back; a report made while it is open waits in {@link #held}. */
  #interval: NodeJS.Timeout | undefined;
  #held: { value: unknown } | undefined;
  #ended = false;

  /**
   * `check` returns the value to hold for a later send, or throws if it
   * cannot go: by default a structured clone, the value as it was when reported.
   */
  constructor(
    uid: number,
    group: TaskGroup | undefined,
    name: string,
    send: ProgressSend,
    check?: (value: unknown) => unknown,
  ) {
    this.uid = uid;
    this.group = group;
    this.#name = name;
    this.#send = send;
    this.#check = check;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** @throws {WorkerDataCloneError} if `value` cannot be cloned to the main thread. */
  reportProgress(value: unknown): void {
    if (this.#ended) return;
    if (this.#interval === undefined) {
      this.#post(value);
      return;
    }
    // Cloned now: the value as it was when reported, and a clone error thrown at the call that made it.
    this.#held = { value: this.#check === undefined ? this.#clone(value) : this.#check(value) };
  }

  /**
   * The main thread stopped the task, or its time ran out: aborts its
   * signal, now or when first read, with the error the main thread made,
   * rebuilt (a `TaskStoppedError`, a `TaskTimeoutError`).
   */
  cancel({ code, message, timeoutMs }: CancelReason): void {
    if (this.#ended || this.#abort.aborted) return;
    let reason: BackgroundTaskError;
    if (code === ErrorCodes.taskStopped) reason = new TaskStoppedError(this.uid);
    else if (code === ErrorCodes.taskTimeout && timeoutMs !== undefined)
      reason = new TaskTimeoutError(this.uid, timeoutMs);
    else reason = new BackgroundTaskError(code as ErrorCode, message);
    this.#abort.abort(reason);
  }

  /** The task has ended: sends the progress still held (before the reply), and drops later reports. */
  end(): void {
    this.#ended = true;
    clearTimeout(this.#interval);
    this.#interval = undefined;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#send(held.value);
  }

  #post(value: unknown): void {
    try {
      this.#send(value);
    } catch (error) {
      throw error instanceof WorkerDataCloneError ? error : this.#cloneError(error);
    }
    this.#interval = setTimeout(() => {
      this.#intervalEnded();
    }, PROGRESS_INTERVAL_MS);
  }

  #intervalEnded(): void {
    this.#interval = undefined;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#post(held.value);
  }

  #clone(value: unknown): unknown {
    if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') return value;
    try {
      return structuredClone(value);
    } catch (error) {
      throw this.#cloneError(error);
    }
  }

  #cloneError(error: unknown): WorkerDataCloneError {
    const reason = error instanceof Error ? error.message : String(error);
    return new WorkerDataCloneError(
      `The progress value of worker task '${this.#name}' cannot be sent to the main thread: ${reason}`,
      error,
    );
  }
}
