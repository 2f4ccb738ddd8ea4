import type { AnyActorRef } from 'xstate';
import { epochNow } from '../core/latency-window.js';
import type { Clock } from '../core/clock.js';
import { BackgroundTaskError, TaskNotPendingError, TaskStoppedError, TaskTimeoutError } from '../core/errors.js';
import type { TypedEmitter } from '../core/events.js';
import type { TaskGroup, TaskKwargs, TaskRunnable } from '../core/types.js';
import { isThenable } from '../core/values.js';
import { WorkerTask } from '../core/worker-task.js';
import type { WorkerRunner } from '../core/worker-runner.js';
import {
  BLOCKED,
  COMPLETE,
  EVENT_NAMES,
  FAIL,
  FIRST_FINAL,
  nextStateCode,
  REQUEUE,
  RETRY,
  RUNNING,
  START,
  STATE_NAMES,
  STOP,
  UNBLOCK,
  type TaskState,
} from '../machines/task-logic.js';
import type { InspectedTaskEvent, TaskInfo } from '../machines/inspected-task-logic.js';
import type { ManagerPhase } from '../machines/manager-machine.js';
import { FinishedHistory } from './finished-history.js';
import { GroupIndex } from './group-index.js';
import { describeFailure, isPlainObject, type FailureReport } from './outcome.js';
import { OutcomeWaiters } from './outcome-waiters.js';
import { StoppedTasks } from './stopped-tasks.js';
import { ReadyQueue } from './ready-queue.js';
import { RunningTaskContext, type ProgressSink } from './task-context.js';
import { TaskStats, type ManagerStats } from './task-stats.js';
import { TaskTable } from './task-table.js';
import { TaskRetries, type RetryPolicy } from './task-retries.js';
import { TaskTimeouts } from './task-timeouts.js';

import { NONE, PASS_THROUGH, TaskStore, type TaskWork } from './task-store.js';
import { WorkerTaskSpec, type Settle, type WorkerTaskOwner } from './worker-task-spec.js';

/** What the manager gives its scheduler. */
export interface TaskSchedulerOptions {
  readonly maxThreads: number;
  readonly finishedTaskHistory: number;
  readonly events: TypedEmitter;
  /**
   * The manager's actor, whose state says whether tasks may start. An
   * object whose method is called, not a closure: see `GroupIndex`.
   */
  readonly managerActor: { getSnapshot(): { readonly value: ManagerPhase } };
  readonly workers: WorkerRunner | undefined;
  /** Makes the task a live actor (inspection on); otherwise tasks stay persisted snapshots. */
  readonly liveActor: ((info: TaskInfo) => AnyActorRef) | undefined;
  /** The running-time limit of a task without one of its own, in ms; `Infinity` for none. */
  readonly taskTimeoutMs: number;
  /** How a task without a policy of its own is retried; `undefined` for not at all. */
  readonly retry: RetryPolicy | undefined;
  /** Where the timers of timeouts and retry delays come from. */
  readonly clock: Clock;
}

/**
 * The queue, the dependency graph and the groups, with dispatch and the
 * completion, failure and stop rules (semantics.md, docs/contract.md).
 * Every operation is O(log n) in the pending tasks, or O(k log n) for k
 * tasks it touches. Not thread-safe, reentrant: listeners may call back.
 *
 * Tasks are slots of a {@link TaskStore}. A slot can be reused once its task
 * has finished, so anything that holds a slot across a listener call (a
 * worklist, a link) holds its uid too and checks both.
 */
export class TaskScheduler {
  readonly #options: TaskSchedulerOptions;
  readonly #store = new TaskStore();
  /** Pending tasks: uid to slot (checked with {@link TaskStore.isPending}: deletion is lazy). */
  readonly #pending = new TaskTable<number>();
  readonly #ready = new ReadyQueue(this.#store);
  readonly #stats = new TaskStats();
  readonly #counts = this.#stats.counts;
  readonly #groups = new GroupIndex(this.#store, this.#stats);
  readonly #finished: FinishedHistory<TaskState>;
  /** Live task actors by slot, only when the manager is inspected. */
  readonly #actors: Map<number, AnyActorRef> | undefined;
  #nextUid = 0;
  /** Slots taken by running tasks, including stopped ones whose work has not ended. */
  #busy = 0;
  #dispatchScheduled = false;
  #idleWaiters: Array<() => void> = [];
  /** Created by the first `result()` or `whenGroupFinished()` that waits: until then nothing is kept per task. */
  #waiters: OutcomeWaiters | undefined;
  /** Created with the first running-time limit (the manager's, or a task's own): until then tasks start no timer. */
  #timeouts: TaskTimeouts | undefined;
  /** Created with the first retry policy (the manager's, or a task's own): until then no failure is retried. */
  #retries: TaskRetries | undefined;

  /** Where every worker task reports: made once, so that a worker task makes no closure of its own. */
  readonly #workerOwner: WorkerTaskOwner = {
    settled: (slot, ok, value) => {
      this.#settle(slot, ok, value);
    },
    progressed: (uid, value) => {
      this.#workerProgress(uid, value);
    },
  };

  constructor(options: TaskSchedulerOptions) {
    this.#options = options;
    this.#finished = new FinishedHistory(options.finishedTaskHistory);
    this.#actors = options.liveActor === undefined ? undefined : new Map();
    if (options.taskTimeoutMs !== Infinity) this.#timeouts = new TaskTimeouts(options.clock, options.taskTimeoutMs);
    if (options.retry !== undefined) this.#retries = new TaskRetries(options.clock, options.retry);
  }

  /** Pending tasks (blocked, queued, running or retrying). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** `manager.stats()`: a copy of the counters, O(1) in the number of tasks. */
  stats(phase: ManagerPhase): ManagerStats {
    return this.#stats.read(phase, this.#options.maxThreads, this.#busy);
  }

  /**
   * Adds a validated task and returns its uid; it starts later, never inside
   * this call. `timeoutMs`: its own running-time limit (`Infinity`: none),
   * or `undefined` for the manager's; `retry`: its own retry policy, or
   * `undefined` for the manager's.
   */
  add(
    work: TaskWork,
    priority: number,
    group: TaskGroup | undefined,
    upstreamTaskIds: readonly number[] | undefined,
    args: readonly unknown[] | undefined,
    kwargs: TaskKwargs | undefined,
    timeoutMs?: number,
    retry?: RetryPolicy,
  ): number {
    const store = this.#store;
    // Growing the store is all that can fail here, and it happens first: a refused add skips no id.
    store.reserve(upstreamTaskIds === undefined ? 0 : upstreamTaskIds.length);
    const uid = this.#nextUid++;
    const slot = store.allocate(uid, work, priority, args, kwargs);
    if (upstreamTaskIds !== undefined) this.#link(slot, uid, upstreamTaskIds);
    this.#pending.set(uid, slot);
    if (timeoutMs !== undefined) {
      (this.#timeouts ??= new TaskTimeouts(this.#options.clock, this.#options.taskTimeoutMs)).limit(uid, timeoutMs);
    }
    if (retry !== undefined) {
      (this.#retries ??= new TaskRetries(this.#options.clock, this.#options.retry)).policy(uid, retry);
    }
    if (group !== undefined) this.#groups.join(slot, group);
    this.#counts[BLOCKED] = (this.#counts[BLOCKED] as number) + 1;
    const groupCounts = group === undefined ? undefined : store.groupEntry(slot)?.counts;
    if (groupCounts !== undefined) groupCounts[BLOCKED] = (groupCounts[BLOCKED] as number) + 1;
    const liveActor = this.#options.liveActor;
    if (this.#actors !== undefined && liveActor !== undefined) {
      this.#actors.set(slot, liveActor(taskInfo(uid, work, priority, group, upstreamTaskIds, args, kwargs)));
    }
    if (store.pendingUpstream(slot) === 0) this.#unblock(slot);
    this.scheduleDispatch();
    return uid;
  }

  /** Resolves once no task is pending (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * The outcome of the pending task `uid`: its result, or a rejection with
   * `TaskFailedError` or `TaskStoppedError`; for any other id a rejection
   * at once with `TaskNotPendingError`.
   */
  result(uid: number): Promise<unknown> {
    if (this.#slotOf(uid) !== undefined) return (this.#waiters ??= new OutcomeWaiters()).task(uid);
    const known = uid >= 0 && uid < this.#nextUid;
    const state = known ? this.#finished.get(uid) : undefined;
    return Promise.reject(new TaskNotPendingError(uid, known ? 'finished' : 'unknown', state));
  }

  /** Resolves at the group's next finish (at once without pending tasks); rejects if its last task is stopped. */
  whenGroupFinished(group: TaskGroup): Promise<void> {
    if (!this.#groups.has(group)) return Promise.resolve();
    return (this.#waiters ??= new OutcomeWaiters()).group(group);
  }

  /**
   * Gives the pending task `uid` a new priority; returns whether anything
   * changed. A queued task moves to its place in the ready queue (O(log n));
   * a blocked one starts with it once queued; a running one just keeps it.
   */
  setPriority(uid: number, priority: number): boolean {
    const slot = this.#slotOf(uid);
    const store = this.#store;
    if (slot === undefined || store.priority(slot) === priority) return false;
    this.#ready.setPriority(slot, priority);
    this.#actors?.get(slot)?.send({ type: 'PRIORITY', priority } satisfies InspectedTaskEvent);
    return true;
  }

  /** The state of a pending task or of a remembered finished one. */
  getState(uid: number): TaskState | undefined {
    const slot = this.#slotOf(uid);
    return slot === undefined ? this.#finished.get(uid) : STATE_NAMES[this.#store.state(slot)];
  }

  /** Stops the task `uid` and what its links reach (semantics.md, `_stop_tasks`). */
  stopTask(uid: number, stopUpstream: boolean, stopDownstream: boolean): void {
    const slot = this.#slotOf(uid);
    if (slot !== undefined) this.#stop([slot], stopUpstream, stopDownstream);
  }

  /** Stops every pending task of `group`, as {@link stopTask} does for each. */
  stopGroup(group: TaskGroup, stopUpstream: boolean, stopDownstream: boolean): void {
    const members = this.#groups.members(group);
    if (members.length > 0) this.#stop(members, stopUpstream, stopDownstream);
  }

  /** Stops every pending task. */
  stopAll(): void {
    const { uids, values: slots } = this.#pending.entries();
    const store = this.#store;
    this.#ready.clear();
    this.#groups.clear();
    this.#pending.clear();
    const stopped = new StoppedTasks();
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const uid = uids[i] as number;
      // The table lists deleted uids too, and abort handlers and inspection observers run in this
      // loop and may add tasks, which can take the slots freed above: check each slot still holds its task.
      if (!store.isPending(slot, uid)) continue;
      const wasRunning = store.state(slot) === RUNNING;
      stopped.add(uid, store.group(slot));
      this.#step(slot, STOP);
      const context = store.context(slot);
      this.#forget(slot, wasRunning);
      context?.cancel(new TaskStoppedError(uid));
    }
    this.#notifyIfIdle();
    // Every group lost its members at once: an awaited one that no task rejoined ended with its last one stopped.
    for (let i = stopped.uids.length - 1; i >= 0 && this.#waiters?.waitsForGroups === true; i--) {
      const group = stopped.groups[i];
      if (group !== undefined && !this.#groups.has(group)) stopped.emptied(group, stopped.uids[i] as number);
    }
    stopped.announce(this.#waiters, this.#options.events, this.#hasPending);
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
    const { maxThreads, managerActor } = this.#options;
    while (this.#busy < maxThreads && this.#ready.size > 0 && managerActor.getSnapshot().value === 'processing') {
      this.#start(this.#ready.pop());
    }
  }

  #link(slot: number, uid: number, upstreamTaskIds: readonly number[]): void {
    const store = this.#store;
    for (const id of upstreamTaskIds) {
      const upstream = this.#slotOf(id);
      // Unknown, finished and stopped ids count as satisfied (§3); a repeated id counts once.
      if (upstream === undefined || store.lastDownstreamIs(upstream, slot, uid)) continue;
      store.appendDownstream(upstream, slot, uid);
      store.addUpstream(slot, id);
      store.upstreamAdded(slot);
    }
  }

  /** Whether `group` has a pending task. */
  readonly #hasPending = (group: TaskGroup): boolean => this.#groups.has(group);

  /** The slot of the pending task `uid`, or `undefined`. */
  #slotOf(uid: number): number | undefined {
    const slot = this.#pending.get(uid);
    return slot !== undefined && this.#store.isPending(slot, uid) ? slot : undefined;
  }

  #unblock(slot: number): void {
    this.#step(slot, UNBLOCK);
    this.#stats.queued(this.#store.uid(slot));
    this.#ready.push(slot);
  }

  /** Steps the task in `slot` on `event`; `value` is what the event brings an inspected task (kwargs, result, failure). */
  #step(slot: number, event: number, value?: unknown): void {
    const store = this.#store;
    const state = store.state(slot);
    const actor = this.#actors?.get(slot);
    let next: number;
    if (actor === undefined) {
      next = nextStateCode(state, event);
      if (next < 0) {
        throw new Error(
          `Invariant: task ${store.uid(slot)} cannot take ${EVENT_NAMES[event]} in ${STATE_NAMES[state]}`,
        );
      }
    } else {
      actor.send(inspectedEvent(event, value));
      next = STATE_NAMES.indexOf((actor.getSnapshot() as { value: TaskState }).value);
      if (next >= FIRST_FINAL) this.#actors?.delete(slot);
    }
    store.setState(slot, next);
    // stats(): the task moves from one counter to the next, overall and in its group.
    const counts = this.#counts;
    counts[state] = (counts[state] as number) - 1;
    counts[next] = (counts[next] as number) + 1;
    const groupCounts = store.groupEntry(slot)?.counts;
    if (groupCounts !== undefined) {
      groupCounts[state] = (groupCounts[state] as number) - 1;
      groupCounts[next] = (groupCounts[next] as number) + 1;
    }
  }

  #start(slot: number): void {
    const store = this.#store;
    const stored = store.kwargs(slot);
    // With retries in use, each run gets a copy: what a run does to its kwargs must not reach a next attempt (§7).
    const kwargs = stored === undefined ? {} : this.#retries === undefined ? stored : { ...stored };
    this.#step(slot, START, kwargs);
    this.#stats.started(store.uid(slot));
    this.#busy++;
    if (this.#options.events.listens('taskStarted') && !this.#announceStart(slot)) return;
    const work = store.work(slot);
    const settle = this.#timeouts !== undefined && work !== PASS_THROUGH ? this.#armTimeout(slot) : undefined;
    if (work === PASS_THROUGH) {
      queueMicrotask(() => {
        this.#settle(slot, true, kwargs);
      });
    } else if (work instanceof WorkerTask) {
      this.#runOnWorker(slot, work.name, kwargs, settle);
    } else if (work !== undefined) {
      this.#runOnMainThread(slot, work, kwargs, settle);
    }
  }

  /**
   * Arms the running-time limit of the task in `slot`, if it has one, and
   * returns how its work must report its end: once the limit has passed,
   * that run is abandoned (the task has failed, or runs again), so its end
   * only frees its slot. `undefined` when no limit applies.
   */
  #armTimeout(slot: number): Settle | undefined {
    const uid = this.#store.uid(slot);
    let abandoned = false;
    const armed = (this.#timeouts as TaskTimeouts).arm(uid, (ms) => {
      abandoned = true;
      this.#timedOut(slot, uid, ms);
    });
    if (!armed) return undefined;
    return (ok, value) => {
      if (!abandoned) this.#settle(slot, ok, value);
      else this.#abandonedRunEnded();
    };
  }

  /** The work of a timed-out run has ended: its slot is free, its outcome ignored (its timing ended with the timeout). */
  #abandonedRunEnded(): void {
    this.#busy--;
    this.#dispatch();
  }

  /** Emits `taskStarted`; returns false when a listener stopped the task: its work then never runs. */
  #announceStart(slot: number): boolean {
    const store = this.#store;
    const uid = store.uid(slot);
    this.#options.events.emit('taskStarted', uid, store.group(slot));
    if (store.isPending(slot, uid)) return true;
    this.#busy--;
    this.#stats.ended(uid, false);
    store.free(slot);
    return false;
  }

  #runOnWorker(slot: number, name: string, kwargs: TaskKwargs, settle: Settle | undefined): void {
    const store = this.#store;
    const actor = this.#actors?.get(slot);
    const spec = new WorkerTaskSpec(
      this.#workerOwner,
      slot,
      settle,
      store.uid(slot),
      store.group(slot),
      name,
      store.args(slot) ?? [],
      kwargs,
      actor === undefined ? undefined : onThread(actor),
    );
    try {
      store.setContext(slot, spec.runOn(this.#options.workers as WorkerRunner));
    } catch (error) {
      // An executor of the user's that throws in run(): the task fails; the dispatch goes on.
      queueMicrotask(() => {
        this.#ended(slot, settle, false, error);
      });
    }
  }

  /** Reports the end of the work in `slot`, through its guard if it has one (see {@link #armTimeout}). */
  #ended(slot: number, settle: Settle | undefined, ok: boolean, value: unknown): void {
    if (settle === undefined) this.#settle(slot, ok, value);
    else settle(ok, value);
  }

  #runOnMainThread(
    slot: number,
    run: Exclude<TaskRunnable, WorkerTask>,
    kwargs: TaskKwargs,
    settle: Settle | undefined,
  ): void {
    const store = this.#store;
    let result: unknown;
    let thenable: boolean;
    try {
      const context = new RunningTaskContext(store.uid(slot), store.group(slot), this.#runProgress);
      store.setContext(slot, context);
      const args = store.args(slot);
      result = args === undefined ? run.call(context, kwargs) : run.call(context, ...args, kwargs);
      // Inside the guard: a result whose `then` getter throws fails the task, as `await` would reject.
      thenable = isThenable(result);
    } catch (error) {
      queueMicrotask(() => {
        this.#ended(slot, settle, false, error);
      });
      return;
    }
    if (thenable) {
      // Promise.resolve guards against thenables that throw or call back twice; a native promise passes as is,
      // so its settling is read through Promise.prototype.then, never through a `then` of its own.
      void PROMISE_THEN.call(
        Promise.resolve(result),
        (value) => {
          this.#ended(slot, settle, true, value);
        },
        (error: unknown) => {
          this.#ended(slot, settle, false, error);
        },
      );
    } else {
      queueMicrotask(() => {
        this.#ended(slot, settle, true, result);
      });
    }
  }

  /** A running worker task reported progress: announced while the task runs, dropped once it has ended or was stopped. */
  readonly #workerProgress = (uid: number, value: unknown): void => {
    if (!this.#options.events.listens('taskProgress')) return;
    const slot = this.#slotOf(uid);
    if (slot === undefined || this.#store.state(slot) !== RUNNING) return;
    this.#options.events.emit('taskProgress', uid, this.#store.group(slot), value);
  };

  /**
   * A main-thread run reported progress: announced only while it is its
   * task's current run, whose context the slot holds from its start until
   * it settles, times out or is stopped. Work a failed attempt left behind
   * reports through the old run's context, which the slot no longer holds.
   */
  readonly #runProgress: ProgressSink = (context, value) => {
    if (!this.#options.events.listens('taskProgress')) return;
    const slot = this.#slotOf(context.uid);
    if (slot === undefined || this.#store.context(slot) !== context) return;
    this.#options.events.emit('taskProgress', context.uid, this.#store.group(slot), value);
  };

  /** The work started in `slot` has ended. The slot still holds its task: a task's slot is kept while its work runs. */
  #settle(slot: number, ok: boolean, value: unknown): void {
    this.#busy--;
    const store = this.#store;
    this.#stats.ended(store.uid(slot), store.state(slot) === RUNNING);
    store.setContext(slot, undefined);
    if (store.state(slot) === RUNNING) {
      if (ok) this.#complete(slot, value);
      else this.#attemptFailed(slot, value);
    } else {
      // Stopped while it ran: its outcome is ignored (§16), only its slot is freed.
      store.free(slot);
    }
    // Contract T3: start what the freed slot allows now, in this job, once every listener has run:
    // a chain of dependent tasks then costs one microtask per task, not two.
    this.#dispatch();
  }

  #complete(slot: number, result: unknown): void {
    const store = this.#store;
    if (store.downHead(slot) !== NONE && isPlainObject(result)) {
      try {
        for (let edge = store.downHead(slot); edge !== NONE; edge = store.edgeNext(edge)) {
          const next = store.edgeSlot(edge);
          if (!store.isPending(next, store.edgeUid(edge))) continue;
          store.setKwargs(next, merged(store.kwargs(next), result));
        }
      } catch (error) {
        // A result whose keys cannot be read (a getter that throws) cannot be passed on: the task fails,
        // and its downstream tasks with it, whatever was merged into them so far.
        this.#attemptFailed(slot, error);
        return;
      }
    }
    this.#step(slot, COMPLETE, result);
    const uid = store.uid(slot);
    const group = store.group(slot);
    const groupEmptied = this.#remove(slot, true, false);
    const waiters = this.#waiters;
    if (waiters !== undefined) {
      waiters.completed(uid, result);
      if (groupEmptied) waiters.groupFinished(group as TaskGroup);
    }
    const events = this.#options.events;
    events.emit('taskCompleted', uid, group, result);
    if (groupEmptied) events.emit('taskGroupFinished', group as TaskGroup);
  }

  /**
   * The running task `uid` reached its time limit: the attempt fails (the
   * task fails, cascading like any other failure, or is retried), then its
   * work is told to end. That run is abandoned (see {@link #armTimeout}):
   * its work keeps its thread's slot until it really ends, and its outcome
   * is then ignored.
   */
  #timedOut(slot: number, uid: number, ms: number): void {
    const store = this.#store;
    // The timer is cleared whenever the task finishes: it can only fire on the running task.
    const error = new TaskTimeoutError(uid, ms);
    const context = store.context(slot);
    store.setContext(slot, undefined);
    // The run is abandoned now, not when its work ends: by then a retry may be queued, timed under the same uid.
    this.#stats.ended(uid, false);
    this.#attemptFailed(slot, error);
    // Cancel the running work as a stop does: a main-thread task's signal aborts; a worker task's aborts in its
    // thread, which is replaced if the task has not ended `killAfterMs` later.
    context?.cancel(error);
  }

  /** An attempt of the running task in `slot` failed: it is retried if it has attempts left, else it fails. */
  #attemptFailed(slot: number, error: unknown): void {
    const attempt = this.#retries === undefined ? 0 : this.#retries.failed(this.#store.uid(slot));
    if (attempt === 0) this.#fail(slot, error);
    else this.#retry(slot, attempt, error);
  }

  /**
   * The task in `slot` waits, holding no slot, for its next attempt; then
   * it queues again by its priority and uid. `taskRetrying` comes once its
   * timer is set, so a listener that stops the task clears it.
   */
  #retry(slot: number, attempt: number, error: unknown): void {
    const store = this.#store;
    const uid = store.uid(slot);
    const failure = describeFailure(error);
    this.#step(slot, RETRY, { attempt, ...failure });
    // The run has ended: the next one gets its whole limit again.
    this.#timeouts?.disarm(uid);
    (this.#retries as TaskRetries).wait(uid, attempt, () => {
      this.#step(slot, REQUEUE);
      this.#stats.queued(uid);
      this.#ready.push(slot);
      this.scheduleDispatch();
    });
    this.#options.events.emit('taskRetrying', uid, store.group(slot), attempt, failure.message);
  }

  /** Fails `slot` and, breadth first, every pending task downstream of it (§10, contract F1). */
  #fail(slot: number, error: unknown): void {
    const failure = describeFailure(error);
    const { message, traceback } = failure;
    const events = this.#options.events;
    const store = this.#store;
    const cascade = new Worklist(store);
    cascade.add(slot, store.uid(slot));
    // result() rejects with the thrown value as `cause` only when it was made on this thread: a main-thread task's
    // throw, or the library's own error for a worker task (a timeout, a crashed thread, arguments that cannot travel,
    // an unreachable remote queue); an error from a worker's thread or process arrives as a copy.
    const cause = { local: error instanceof BackgroundTaskError || !(store.work(slot) instanceof WorkerTask), error };
    let finishedGroups: Set<TaskGroup> | undefined;
    for (let i = 0; i < cascade.length; i++) {
      const failed = cascade.slots[i] as number;
      const uid = cascade.uids[i] as number;
      if (!store.isPending(failed, uid)) continue; // stopped by a listener before its turn
      cascade.addLinked(store.downHead(failed));
      this.#step(failed, FAIL, failure);
      const group = store.group(failed);
      const groupEmptied = this.#remove(failed, false, false);
      // Read again for each task: a listener may have asked for a result since the cascade began.
      const waiters = this.#waiters;
      if (waiters !== undefined) {
        waiters.failed(uid, failure, cause);
        // A group refilled and emptied again within one cascade has no second event (F1), but it did finish.
        if (groupEmptied) waiters.groupFinished(group as TaskGroup);
      }
      events.emit('taskFailed', uid, group, message, traceback);
      if (groupEmptied && !finishedGroups?.has(group as TaskGroup)) {
        (finishedGroups ??= new Set()).add(group as TaskGroup);
        events.emit('taskGroupFinished', group as TaskGroup);
      }
    }
  }

  /** The original's `_stop_tasks` worklist (contract S1). */
  #stop(start: readonly number[], stopUpstream: boolean, stopDownstream: boolean): void {
    const store = this.#store;
    const worklist = new Worklist(store);
    const stopped = new StoppedTasks();
    for (const slot of start) worklist.add(slot, store.uid(slot));
    for (let i = 0; i < worklist.length; i++) {
      const slot = worklist.slots[i] as number;
      const uid = worklist.uids[i] as number;
      if (!store.isPending(slot, uid)) continue;
      if (stopUpstream) {
        for (const upstreamUid of store.upstreamUids(slot)) {
          const upstream = this.#slotOf(upstreamUid);
          if (upstream !== undefined) worklist.add(upstream, upstreamUid);
        }
      }
      if (stopDownstream) worklist.addLinked(store.downHead(slot));
      const wasRunning = store.state(slot) === RUNNING;
      const group = store.group(slot);
      stopped.add(uid, group);
      this.#step(slot, STOP);
      const context = store.context(slot);
      if (this.#remove(slot, true, wasRunning)) stopped.emptied(group as TaskGroup, uid);
      context?.cancel(new TaskStoppedError(uid));
    }
    stopped.announce(this.#waiters, this.#options.events, this.#hasPending);
  }

  /**
   * Takes a finished task out of every index and forgets it. With
   * `unblockDownstream`, its downstream tasks stop waiting for it (§3, §17).
   * Returns whether this left the task's group with no pending task.
   */
  #remove(slot: number, unblockDownstream: boolean, workRunning: boolean): boolean {
    const store = this.#store;
    this.#pending.delete(store.uid(slot));
    this.#ready.remove(slot);
    const groupEmptied = store.group(slot) !== undefined && this.#groups.leave(slot);
    if (unblockDownstream) {
      for (let edge = store.downHead(slot); edge !== NONE; edge = store.edgeNext(edge)) {
        const next = store.edgeSlot(edge);
        if (
          store.uid(next) === store.edgeUid(edge) &&
          store.state(next) === BLOCKED &&
          store.upstreamFinished(next) === 0
        ) {
          this.#unblock(next);
        }
      }
    }
    this.#forget(slot, workRunning);
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
   * Keeps only the final state, in the history. The slot is freed, unless
   * the task's work still runs (it was stopped while running): then only
   * its work, arguments and links are released, and the slot is freed when
   * the work ends.
   */
  #forget(slot: number, workRunning: boolean): void {
    const store = this.#store;
    const uid = store.uid(slot);
    this.#timeouts?.forget(uid);
    this.#retries?.forget(uid);
    this.#finished.remember(uid, STATE_NAMES[store.state(slot)] as TaskState);
    if (workRunning) store.release(slot);
    else store.free(slot);
  }
}

/**
 * `kwargs` with `result`'s own keys laid over it, as a spread would: an own
 * `__proto__` key (from `JSON.parse`, say) stays a key, where
 * `Object.assign` would set the prototype of the task's kwargs with it.
 */
function merged(kwargs: TaskKwargs | undefined, result: object): TaskKwargs {
  if (kwargs === undefined || Object.hasOwn(result, '__proto__')) return { ...kwargs, ...result };
  return Object.assign(kwargs, result);
}

/** The real `then` of native promises, which no promise's own `then` property can replace. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call on a promise, its own receiver
const PROMISE_THEN = Promise.prototype.then as (
  this: Promise<unknown>,
  onFulfilled: (value: unknown) => void,
  onRejected: (error: unknown) => void,
) => Promise<void>;

/** What an inspected task actor is created with. */
function taskInfo(
  uid: number,
  work: TaskWork,
  priority: number,
  group: TaskGroup | undefined,
  upstream: readonly number[] | undefined,
  args: readonly unknown[] | undefined,
  kwargs: TaskKwargs | undefined,
): TaskInfo {
  const [name, kind] =
    work === PASS_THROUGH
      ? (['pass-through', 'passThrough'] as const)
      : work instanceof WorkerTask
        ? ([work.name, 'worker'] as const)
        : ([work.name === '' ? 'anonymous' : work.name, 'main'] as const);
  return {
    uid,
    name,
    kind,
    priority,
    group,
    upstream: upstream === undefined ? [] : [...upstream],
    args,
    kwargs,
    addedAt: epochNow(),
  };
}

/** The event an inspected task takes, with its time and what it brings. */
function inspectedEvent(event: number, value: unknown): InspectedTaskEvent {
  const at = epochNow();
  switch (event) {
    case UNBLOCK:
      return { type: 'UNBLOCK', at };
    case START:
      return { type: 'START', at, kwargs: value as TaskKwargs };
    case COMPLETE:
      return { type: 'COMPLETE', at, result: value };
    case FAIL:
      return { type: 'FAIL', at, ...(value as FailureReport) };
    case RETRY:
      return { type: 'RETRY', at, ...(value as FailureReport & { attempt: number }) };
    case REQUEUE:
      return { type: 'REQUEUE', at };
    default:
      return { type: 'STOP', at };
  }
}

/** Tells an inspected worker task's actor which thread it was sent to, unless it has finished meanwhile. */
function onThread(actor: AnyActorRef): (thread: number) => void {
  return (thread) => {
    if ((actor.getSnapshot() as { status: string }).status === 'active') actor.send({ type: 'WORKER_THREAD', thread });
  };
}

/**
 * Tasks to visit once each, in the order added, as slots with their uids:
 * a listener called during the visit may finish a task and let a new one
 * take its slot, so each visit checks both.
 */
class Worklist {
  readonly slots: number[] = [];
  readonly uids: number[] = [];
  readonly #seen = new Set<number>();
  readonly #store: TaskStore;

  constructor(store: TaskStore) {
    this.#store = store;
  }

  get length(): number {
    return this.slots.length;
  }

  add(slot: number, uid: number): void {
    if (this.#seen.has(uid)) return;
    this.#seen.add(uid);
    this.slots.push(slot);
    this.uids.push(uid);
  }

  /** Adds every pending task of the edge list that starts at `head`. */
  addLinked(head: number): void {
    const store = this.#store;
    for (let edge = head; edge !== NONE; edge = store.edgeNext(edge)) {
      const slot = store.edgeSlot(edge);
      const uid = store.edgeUid(edge);
      if (store.isPending(slot, uid)) this.add(slot, uid);
    }
  }
}
