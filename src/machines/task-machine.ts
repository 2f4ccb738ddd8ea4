import { setup } from 'xstate';

/**
 * Events that move a task through its lifecycle.
 * - `UNBLOCK`: every upstream task has finished.
 * - `START`: a slot was free and the dispatcher picked the task.
 * - `COMPLETE` / `FAIL`: the callable settled (or an upstream task failed,
 *   or the task ran past its time limit).
 * - `RETRY`: the attempt failed and the task has attempts left: it waits
 *   for its retry delay, holding no slot.
 * - `REQUEUE`: the retry delay is over: the task queues again.
 * - `STOP`: the task was stopped by a `stop*` call or by shut-down.
 */
export type TaskEvent =
  | { type: 'UNBLOCK' }
  | { type: 'START' }
  | { type: 'COMPLETE' }
  | { type: 'FAIL' }
  | { type: 'STOP' }
  | { type: 'RETRY' }
  | { type: 'REQUEUE' };

/** The type of a task event: `UNBLOCK`, `START`, `COMPLETE`, `FAIL`, `STOP`, `RETRY` or `REQUEUE`. */
export type TaskEventType = TaskEvent['type'];

/**
 * The lifecycle of one task. This definition is the source of truth: the
 * runtime logic in `task-logic.ts` is compiled from it, and the model-based
 * tests walk its paths.
 *
 * A task starts `blocked` and is unblocked at once when it has no pending
 * upstream task. `FAIL` from `blocked` is the failure cascade of an upstream
 * task. A `queued` task cannot fail: its upstream tasks have all finished.
 * A failed attempt of a task with attempts left moves it to `retrying`
 * (not by cascade: a cascade reaches only tasks that never ran), from
 * where it queues again when its delay is over, unless it is stopped.
 */
export const taskMachine = setup({
  types: {
    events: {} as TaskEvent,
  },
}).createMachine({
  id: 'task',
  initial: 'blocked',
  states: {
    blocked: {
      on: { UNBLOCK: 'queued', FAIL: 'failed', STOP: 'stopped' },
    },
    queued: {
      on: { START: 'running', STOP: 'stopped' },
    },
    running: {
      on: { COMPLETE: 'done', FAIL: 'failed', RETRY: 'retrying', STOP: 'stopped' },
    },
    retrying: {
      on: { REQUEUE: 'queued', STOP: 'stopped' },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
    stopped: { type: 'final' },
  },
});
