import type { ActorLogic, Snapshot } from 'xstate';
import type { TaskGroup, TaskKwargs } from '../core/types.js';
import { nextTaskState, taskSnapshot, type TaskState } from './task-logic.js';
import { taskMachine } from './task-machine.js';

/** What an inspected task runs: a main-thread function, a worker task, or nothing (pass-through). */
export type TaskKind = 'main' | 'worker' | 'passThrough';

/** Who an inspected task is: its actor's input, and the start of its context. */
export interface TaskInfo {
  readonly uid: number;
  /** The function's name (`anonymous` without one), the worker task's name, or `pass-through`. */
  readonly name: string;
  readonly kind: TaskKind;
  readonly priority: number;
  readonly group: TaskGroup | undefined;
  /** The upstream task ids it was added with. */
  readonly upstream: readonly number[];
  readonly args: readonly unknown[] | undefined;
  readonly kwargs: TaskKwargs | undefined;
  /** Milliseconds since the epoch. */
  readonly addedAt: number;
}

/** The context of an inspected task actor: its info, then what happened to it (times in ms since the epoch). */
export interface InspectedTaskContext extends TaskInfo {
  readonly queuedAt?: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** The `threadId` of the worker thread that runs (or ran) it. */
  readonly thread?: number;
  readonly result?: unknown;
  /** Its failure; while it is `retrying` (and after, if a later attempt succeeds), the last failed attempt's. */
  readonly error?: { readonly message: string; readonly traceback: string };
  /** The attempts that failed and were retried, once one has. */
  readonly retries?: number;
}

/**
 * The events of an inspected task: `taskMachine`'s, each with its time and
 * what it brings; `WORKER_THREAD`, which names the thread a worker task
 * was sent to, and `PRIORITY`, sent by `setPriority`: these two change no state.
 */
export type InspectedTaskEvent =
  | { type: 'UNBLOCK'; at: number }
  | { type: 'START'; at: number; kwargs: TaskKwargs }
  | { type: 'COMPLETE'; at: number; result: unknown }
  | { type: 'FAIL'; at: number; message: string; traceback: string }
  | { type: 'STOP'; at: number }
  | { type: 'RETRY'; at: number; attempt: number; message: string; traceback: string }
  | { type: 'REQUEUE'; at: number }
  | { type: 'WORKER_THREAD'; thread: number }
  | { type: 'PRIORITY'; priority: number };

/** The snapshot of an inspected task actor. */
export type InspectedTaskSnapshot = Snapshot<undefined> & {
  readonly value: TaskState;
  readonly context: InspectedTaskContext;
};

function withEvent(context: InspectedTaskContext, event: InspectedTaskEvent): InspectedTaskContext {
  switch (event.type) {
    case 'UNBLOCK':
      return { ...context, queuedAt: event.at };
    case 'START':
      return { ...context, startedAt: event.at, kwargs: event.kwargs };
    case 'COMPLETE':
      return { ...context, finishedAt: event.at, result: event.result };
    case 'FAIL':
      return { ...context, finishedAt: event.at, error: { message: event.message, traceback: event.traceback } };
    case 'STOP':
      return { ...context, finishedAt: event.at };
    case 'RETRY':
      return { ...context, retries: event.attempt, error: { message: event.message, traceback: event.traceback } };
    case 'REQUEUE':
      return { ...context, queuedAt: event.at };
    case 'WORKER_THREAD':
      return { ...context, thread: event.thread };
    case 'PRIORITY':
      return { ...context, priority: event.priority };
  }
}

/**
 * The logic of a task actor when the manager is inspected: `taskMachine`'s
 * lifecycle (the same transition table as `taskLogic`), with a context
 * that carries what a person debugging needs: who the task is, its
 * arguments, its times, its thread, its result or failure. Only inspected
 * managers pay for it; others keep a task as one byte of state.
 */
export const inspectedTaskLogic: ActorLogic<InspectedTaskSnapshot, InspectedTaskEvent, TaskInfo> = {
  config: taskMachine,
  transition(snapshot, event) {
    const next =
      event.type === 'WORKER_THREAD' || event.type === 'PRIORITY'
        ? snapshot.value
        : nextTaskState(snapshot.value, event.type);
    if (next === undefined) return snapshot;
    return { ...taskSnapshot(next), context: withEvent(snapshot.context, event) };
  },
  getInitialSnapshot(_scope, input) {
    return { ...taskSnapshot('blocked'), context: input };
  },
  getPersistedSnapshot(snapshot) {
    return snapshot;
  },
  restoreSnapshot(snapshot) {
    return snapshot as InspectedTaskSnapshot;
  },
};
