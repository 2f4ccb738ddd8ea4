import { TaskStoppedError } from '../api/errors.js';
import type { TypedEmitter } from '../api/events.js';
import type { TaskGroup, TaskKwargs, TaskRunnable } from '../api/types.js';
import { WorkerTask } from '../api/worker-task.js';
import { nextTaskState, type TaskState } from '../machines/task-logic.js';
import type { TaskEventType } from '../machines/task-machine.js';
import { FinishedHistory } from './finished-history.js';
import { GroupIndex } from './group-index.js';
import { describeFailure, isPlainObject } from './outcome.js';
import { ReadyQueue } from './ready-queue.js';
import { RunningTaskContext } from './task-context.js';
import { TaskTable } from './task-table.js';
import { PASS_THROUGH, TaskRecord } from './task-record.js';

/** Runs worker tasks; `settle` is called exactly once per `run`. */
export interface WorkerRunner {
  run(name: string, args: readonly unknown[], kwargs: TaskKwargs, settle: (ok: boolean, value: unknown) => void): void;
}

export interface TaskSchedulerOptions {
  readonly maxThreads: number;
  readonly finishedTaskHistory: number;
  readonly events: TypedEmitter;
  readonly isProcessing: () => boolean;
  readonly workers: WorkerRunner | undefined;
  /** Makes a task a live actor (inspection on); otherwise tasks stay persisted snapshots. */
  readonly liveActor: ((task: TaskRecord) => TaskRecord['actor']) | undefined;
}

/**
 * The queue, the dependency graph and the groups, with dispatch and the
 * completion, failure and stop rules (semantics.md, docs/contract.md).
 * Every operation is O(log n) in the pending tasks, or O(k log n) for k
 * tasks it touches. Not thread-safe, reentrant: listeners may call back.
 */
export class TaskScheduler {
  readonly #options: TaskSchedulerOptions;
  readonly #pending = new TaskTable<TaskRecord>();
  readonly #ready = new ReadyQueue<TaskRecord>();
  readonly #groups = new GroupIndex<TaskRecord>();
  readonly #finished: FinishedHistory<TaskState>;
  #nextUid = 0;
  /** Slots taken by running tasks, including stopped ones whose work has not ended. */
  #busy = 0;
  #dispatchScheduled = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: TaskSchedulerOptions) {
    this.#options = options;
    this.#finished = new FinishedHistory(options.finishedTaskHistory);
  }

  /** Pending tasks (blocked, queued or running). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  add(
    run: TaskRunnable | typeof PASS_THROUGH,
    priority: number,
    group: TaskGroup | undefined,
    upstreamTaskIds: readonly number[] | undefined,
    args: readonly unknown[] | undefined,
    kwargs: TaskKwargs | undefined,
  ): number {
    const uid = this.#nextUid++;
    const task = new TaskRecord(uid, run, priority, group, args, kwargs);
    if (upstreamTaskIds !== undefined) this.#link(task, upstreamTaskIds);
    this.#pending.set(uid, task);
    if (group !== undefined) this.#groups.join(task, group);
    if (this.#options.liveActor !== undefined) task.actor = this.#options.liveActor(task);
    if (task.pendingUpstream === 0) this.#unblock(task);
    this.scheduleDispatch();
    return uid;
  }

  /** Resolves once no task is pending (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  getState(uid: number): TaskState | undefined {
    return this.#pending.get(uid)?.state ?? this.#finished.get(uid);
  }

  stopTask(uid: number, stopUpstream: boolean, stopDownstream: boolean): void {
    const task = this.#pending.get(uid);
    if (task !== undefined) this.#stop([task], stopUpstream, stopDownstream);
  }

  stopGroup(group: TaskGroup, stopUpstream: boolean, stopDownstream: boolean): void {
    const members = this.#groups.members(group);
    if (members.length > 0) this.#stop(members, stopUpstream, stopDownstream);
  }

  stopAll(): void {
    const tasks = this.#pending.values();
    this.#ready.clear();
    this.#groups.clear();
    this.#pending.clear();
    for (const task of tasks) {
      const wasRunning = task.state === 'running';
      this.#step(task, 'STOP');
      this.#forget(task);
      if (wasRunning) task.abort?.abort(new TaskStoppedError(task.uid));
    }
    this.#notifyIfIdle();
  }

  /** Schedules one dispatch in a microtask (contract T1): a synchronous batch is registered first. */
  scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    queueMicrotask(this.#dispatchJob);
  }

  readonly #dispatchJob = (): void => {
    this.#dispatchScheduled = false;
    this.#dispatch();
  };

  #dispatch(): void {
    const { maxThreads, isProcessing } = this.#options;
    while (this.#busy < maxThreads && this.#ready.size > 0 && isProcessing()) {
      this.#start(this.#ready.pop() as TaskRecord);
    }
  }

  #link(task: TaskRecord, upstreamTaskIds: readonly number[]): void {
    for (const id of upstreamTaskIds) {
      const upstream = this.#pending.get(id);
      // Unknown, finished and stopped ids count as satisfied (§3); a repeated id counts once.
      if (upstream === undefined) continue;
      const downstream = upstream.downstream;
      if (downstream === undefined) upstream.downstream = [task];
      else if (downstream[downstream.length - 1] === task) continue;
      else downstream.push(task);
      // Array literals of one: `[]` then push would reserve 17 slots for a list that is mostly 1–3 long.
      if (task.upstream === undefined) task.upstream = [upstream];
      else task.upstream.push(upstream);
      task.pendingUpstream++;
    }
  }

  #unblock(task: TaskRecord): void {
    this.#step(task, 'UNBLOCK');
    this.#ready.push(task);
  }

  #step(task: TaskRecord, event: TaskEventType): void {
    const actor = task.actor;
    if (actor === undefined) {
      const next = nextTaskState(task.state, event);
      if (next === undefined) throw new Error(`Invariant: task ${task.uid} cannot take ${event} in ${task.state}`);
      task.state = next;
      return;
    }
    actor.send({ type: event });
    task.state = (actor.getSnapshot() as { value: TaskState }).value;
    if (!task.pending) task.actor = undefined;
  }

  #start(task: TaskRecord): void {
    this.#step(task, 'START');
    this.#busy++;
    const run = task.run;
    const kwargs = task.kwargs ?? {};
    if (run === PASS_THROUGH) {
      queueMicrotask(() => this.#settle(task, true, kwargs));
    } else if (run instanceof WorkerTask) {
      (this.#options.workers as WorkerRunner).run(run.name, task.args ?? [], kwargs, (ok, value) =>
        this.#settle(task, ok, value),
      );
    } else if (run !== undefined) {
      this.#runOnMainThread(task, run, kwargs);
    }
  }

  #runOnMainThread(task: TaskRecord, run: Exclude<TaskRunnable, WorkerTask>, kwargs: TaskKwargs): void {
    let result: unknown;
    try {
      const context = new RunningTaskContext(task);
      const args = task.args;
      result = args === undefined ? run.call(context, kwargs) : run.call(context, ...args, kwargs);
    } catch (error) {
      queueMicrotask(() => this.#settle(task, false, error));
      return;
    }
    if (isThenable(result)) {
      // Promise.resolve guards against thenables that throw or call back twice; a native promise passes as is.
      Promise.resolve(result).then(
        (value) => this.#settle(task, true, value),
        (error: unknown) => this.#settle(task, false, error),
      );
    } else {
      queueMicrotask(() => this.#settle(task, true, result));
    }
  }

  #settle(task: TaskRecord, ok: boolean, value: unknown): void {
    this.#busy--;
    // A task stopped while it ran: its outcome is ignored (§16), only its slot is freed.
    if (task.state === 'running') {
      if (ok) this.#complete(task, value);
      else this.#fail(task, value);
    }
    // Contract T3: start what the freed slot allows now, in this job, once every listener has run:
    // a chain of dependent tasks then costs one microtask per task, not two.
    this.#dispatch();
  }

  #complete(task: TaskRecord, result: unknown): void {
    const downstream = task.downstream;
    if (downstream !== undefined && isPlainObject(result)) {
      for (const next of downstream) {
        if (next.pending) next.kwargs = next.kwargs === undefined ? { ...result } : Object.assign(next.kwargs, result);
      }
    }
    this.#step(task, 'COMPLETE');
    const groupEmptied = this.#remove(task, true);
    const events = this.#options.events;
    events.emit('taskCompleted', task.uid, task.group, result);
    if (groupEmptied) events.emit('taskGroupFinished', task.group as TaskGroup);
  }

  /** Fails `task` and, breadth first, every pending task downstream of it (§10, contract F1). */
  #fail(task: TaskRecord, error: unknown): void {
    const { message, traceback } = describeFailure(error);
    const events = this.#options.events;
    const cascade = [task];
    const queued = new Set(cascade);
    let finishedGroups: Set<TaskGroup> | undefined;
    for (let i = 0; i < cascade.length; i++) {
      const failed = cascade[i] as TaskRecord;
      if (!failed.pending) continue; // stopped by a listener before its turn
      for (const next of failed.downstream ?? []) {
        if (next.pending && !queued.has(next)) {
          queued.add(next);
          cascade.push(next);
        }
      }
      this.#step(failed, 'FAIL');
      const groupEmptied = this.#remove(failed, false);
      events.emit('taskFailed', failed.uid, failed.group, message, traceback);
      if (groupEmptied && !finishedGroups?.has(failed.group as TaskGroup)) {
        (finishedGroups ??= new Set()).add(failed.group as TaskGroup);
        events.emit('taskGroupFinished', failed.group as TaskGroup);
      }
    }
  }

  /** The original's `_stop_tasks` worklist (contract S1). */
  #stop(start: readonly TaskRecord[], stopUpstream: boolean, stopDownstream: boolean): void {
    const worklist = [...start];
    const seen = new Set(worklist);
    const enlist = (tasks: readonly TaskRecord[] | undefined): void => {
      for (const task of tasks ?? []) {
        if (task.pending && !seen.has(task)) {
          seen.add(task);
          worklist.push(task);
        }
      }
    };
    for (let i = 0; i < worklist.length; i++) {
      const task = worklist[i] as TaskRecord;
      if (!task.pending) continue;
      if (stopUpstream) enlist(task.upstream);
      if (stopDownstream) enlist(task.downstream);
      const wasRunning = task.state === 'running';
      this.#step(task, 'STOP');
      this.#remove(task, true);
      if (wasRunning) task.abort?.abort(new TaskStoppedError(task.uid));
    }
  }

  /**
   * Takes a finished task out of every index. With `unblockDownstream`, its
   * downstream tasks stop waiting for it (§3, §17). Returns whether this
   * left the task's group with no pending task.
   */
  #remove(task: TaskRecord, unblockDownstream: boolean): boolean {
    this.#pending.delete(task.uid);
    this.#ready.remove(task);
    const groupEmptied = task.group !== undefined && this.#groups.leave(task);
    if (unblockDownstream && task.downstream !== undefined) {
      for (const next of task.downstream) {
        if (next.state === 'blocked' && --next.pendingUpstream === 0) this.#unblock(next);
      }
    }
    this.#forget(task);
    this.#notifyIfIdle();
    return groupEmptied;
  }

  #notifyIfIdle(): void {
    if (this.#pending.size !== 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Keeps only the final state; the work, arguments and links are released,
   * so a stopped task whose work still runs holds on to nothing else (after
   * stopAll, its group links would otherwise keep every stopped task alive).
   */
  #forget(task: TaskRecord): void {
    this.#finished.remember(task.uid, task.state);
    task.run = undefined;
    task.args = undefined;
    task.kwargs = undefined;
    task.upstream = undefined;
    task.downstream = undefined;
    task.groupPrev = undefined;
    task.groupNext = undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
