import type { AnyActorRef } from 'xstate';
import type { TaskGroup, TaskKwargs, TaskRunnable } from '../api/types.js';
import type { TaskState } from '../machines/task-logic.js';
import type { GroupMember } from './group-index.js';
import type { ReadyItem } from './ready-queue.js';

/** Marks a pass-through task: it runs nothing and returns its kwargs. */
export const PASS_THROUGH = Symbol('passThrough');

/**
 * One task, as the scheduler keeps it. `state` is the task actor's persisted
 * snapshot (its state value); `actor` is set only while the task is a live
 * actor (when the manager is inspected). One class, every field set in the
 * constructor, so all records share one hidden class.
 */
export class TaskRecord implements ReadyItem, GroupMember<TaskRecord> {
  readonly uid: number;
  readonly priority: number;
  readonly group: TaskGroup | undefined;
  run: TaskRunnable | typeof PASS_THROUGH | undefined;
  args: readonly unknown[] | undefined;
  /** An owned copy: the caller's `taskKwargs` is never mutated. */
  kwargs: TaskKwargs | undefined;
  state: TaskState = 'blocked';
  actor: AnyActorRef | undefined = undefined;
  heapIndex = -1;
  groupPrev: TaskRecord | undefined = undefined;
  groupNext: TaskRecord | undefined = undefined;
  /** Upstream tasks still pending; the task is `blocked` while this is above 0. */
  pendingUpstream = 0;
  upstream: TaskRecord[] | undefined = undefined;
  downstream: TaskRecord[] | undefined = undefined;
  /** Created when a running task first reads `this.signal`. */
  abort: AbortController | undefined = undefined;

  constructor(
    uid: number,
    run: TaskRunnable | typeof PASS_THROUGH,
    priority: number,
    group: TaskGroup | undefined,
    args: readonly unknown[] | undefined,
    kwargs: TaskKwargs | undefined,
  ) {
    this.uid = uid;
    this.run = run;
    this.priority = priority;
    this.group = group;
    this.args = args;
    this.kwargs = kwargs;
  }

  get pending(): boolean {
    const state = this.state;
    return state === 'blocked' || state === 'queued' || state === 'running';
  }
}
