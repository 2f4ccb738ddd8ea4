import type { TaskGroup } from './types.js';

/**
 * The events of a {@link BackgroundTaskManager}, name → listener signature.
 * @example
 * manager.on('taskFailed', (uid, group, message, traceback) => console.error(uid, message));
 */
export interface BackgroundTaskManagerEvents {
  /**
   * A task moved to `running`: emitted just before its callable is called
   * (or its worker task sent, or a pass-through task's result taken). A
   * listener that stops the task stops it before any of its work runs.
   */
  taskStarted: (uid: number, group: TaskGroup | undefined) => void;
  /**
   * A running task called `this.reportProgress(value)`. From a worker
   * thread `value` is a structured clone, throttled to the latest value per
   * 50 ms; the last report arrives before the task's outcome. Reports of a
   * task that has ended or was stopped are dropped.
   */
  taskProgress: (uid: number, group: TaskGroup | undefined, value: unknown) => void;
  /** A task completed; `result` is what its callable returned (or resolved to). */
  taskCompleted: (uid: number, group: TaskGroup | undefined, result: unknown) => void;
  /** A task failed, or an upstream task of it failed (same message and traceback). */
  taskFailed: (uid: number, group: TaskGroup | undefined, message: string, traceback: string) => void;
  /**
   * The `attempt`-th run of a task (1 for its first) failed with `message`
   * (a throw, a rejection or its timeout) and the task has attempts left:
   * it is `retrying`, holding no slot, and queues again once its delay is
   * over.
   */
  taskRetrying: (uid: number, group: TaskGroup | undefined, attempt: number, message: string) => void;
  /**
   * A stop or `shutDown()` moved the task to `stopped`. A stop moves every
   * task it reaches first, then emits one `taskStopped` per task in the
   * order it reached them (its worklist order; `stopAllTasks()` and
   * `shutDown()`: by uid).
   */
  taskStopped: (uid: number, group: TaskGroup | undefined) => void;
  /** The last pending task of `group` completed or failed. */
  taskGroupFinished: (group: TaskGroup) => void;
  /**
   * A listener threw. Without a listener for `error`, the error is rethrown
   * asynchronously (an uncaught exception, as XState reports unhandled errors).
   */
  error: (error: unknown, event: Exclude<keyof BackgroundTaskManagerEvents, 'error'>) => void;
}

type EventName = keyof BackgroundTaskManagerEvents;

/** Every event name of {@link BackgroundTaskManagerEvents}, in the order the README lists them. */
export const MANAGER_EVENT_NAMES: readonly EventName[] = Object.freeze([
  'taskStarted',
  'taskProgress',
  'taskCompleted',
  'taskFailed',
  'taskRetrying',
  'taskStopped',
  'taskGroupFinished',
  'error',
] satisfies EventName[]);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void;
type Listeners = Readonly<Record<EventName, readonly AnyListener[]>>;

/**
 * A small synchronous emitter. A listener that throws never interrupts the
 * emission nor the manager: its error goes to the `error` listeners, or is
 * rethrown asynchronously when there are none. Listener lists are replaced,
 * never mutated, so `on`/`off` inside a listener are safe.
 */
export class TypedEmitter {
  #listeners: Listeners = {
    taskStarted: [],
    taskProgress: [],
    taskCompleted: [],
    taskFailed: [],
    taskRetrying: [],
    taskStopped: [],
    taskGroupFinished: [],
    error: [],
  };

  /** Whether `event` has a listener: an emission nobody hears can be skipped, with what it would allocate. */
  listens(event: EventName): boolean {
    return this.#listeners[event].length > 0;
  }

  /** Adds `listener` at the end of the list of `event`. */
  on<E extends EventName>(event: E, listener: BackgroundTaskManagerEvents[E]): void {
    this.#set(event, [...this.#listeners[event], listener]);
  }

  /** Removes the last registration of `listener` for `event`, if any. */
  off<E extends EventName>(event: E, listener: BackgroundTaskManagerEvents[E]): void {
    const list = this.#listeners[event];
    const index = list.lastIndexOf(listener);
    if (index >= 0) this.#set(event, [...list.slice(0, index), ...list.slice(index + 1)]);
  }

  /** Calls every listener of `event` in order; a listener that throws is reported, never rethrown here. */
  emit<E extends Exclude<EventName, 'error'>>(event: E, ...args: Parameters<BackgroundTaskManagerEvents[E]>): void {
    for (const listener of this.#listeners[event]) {
      try {
        listener(...args);
      } catch (error) {
        this.#reportListenerError(error, event);
      }
    }
  }

  #reportListenerError(error: unknown, event: Exclude<EventName, 'error'>): void {
    const handlers = this.#listeners.error;
    if (handlers.length === 0) {
      rethrowAsynchronously(error);
      return;
    }
    for (const handler of handlers) {
      try {
        (handler as BackgroundTaskManagerEvents['error'])(error, event);
      } catch (handlerError) {
        rethrowAsynchronously(handlerError);
      }
    }
  }

  #set(event: EventName, list: readonly AnyListener[]): void {
    this.#listeners = { ...this.#listeners, [event]: list };
  }
}

function rethrowAsynchronously(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
