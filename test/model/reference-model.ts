/**
 * Reference model of background-task-manager: an independent, deliberately
 * simple reading of `semantics.md` (§n) and `docs/contract.md` (T/R/F/S/I/C).
 * It shares no code with `src/`. Callables are abstract: the test decides when
 * an invoked task completes or fails. The microtask queue is an explicit FIFO
 * of jobs that only `flush()` runs. Time moves only with `advance(ms)`, on a
 * clock of the model's own.
 */
import { FakeClock } from '../fake-clock.js';

export type Group = string | number;
export type ModelEvent =
  | { type: 'taskStarted'; uid: number; group: Group | undefined }
  | { type: 'taskCompleted'; uid: number; group: Group | undefined; result: unknown }
  | { type: 'taskFailed'; uid: number; group: Group | undefined; message: string; traceback: string }
  | { type: 'taskStopped'; uid: number; group: Group | undefined }
  | { type: 'taskRetrying'; uid: number; group: Group | undefined; attempt: number; message: string }
  | { type: 'taskGroupFinished'; group: Group };
/**
 * How a `result(uid)` or `whenGroupFinished(group)` call (numbered 0, 1, 2, …
 * in call order, both kinds together) settled: what the promise resolved
 * with or, for a rejection, the error's observable fields.
 */
export type PromiseOutcome =
  | { call: number; settled: 'resolved'; value: unknown }
  | { call: number; settled: 'failed'; uid: number; message: string; traceback: string; cause: unknown }
  | { call: number; settled: 'stopped'; uid: number; group: Group | undefined }
  | { call: number; settled: 'notPending'; uid: number; reason: 'unknown' | 'finished' };
export type ModelTaskState = 'blocked' | 'queued' | 'running' | 'retrying' | 'done' | 'failed' | 'stopped';
export type ModelPhase = 'paused' | 'processing' | 'shutDown';
/**
 * What a task's callable does when invoked (T2): return a promise that the
 * test settles later (the default), return a value, or throw, at once, or
 * return a promise that resolves with `value` once the clock has moved on
 * by `ms`. With `honoursSignal`, a promise rejects as soon as the task's
 * signal aborts (a stop or a timeout).
 */
export type ModelBehaviour =
  | { kind: 'promise'; honoursSignal?: boolean }
  | { kind: 'value'; value: unknown }
  | { kind: 'throw'; error: unknown }
  | { kind: 'sleep'; ms: number; value: unknown; honoursSignal?: boolean };
/** What `result()` reports as the `cause` of a timed-out task's failure (and its cascade's). */
export interface ModelTimeout {
  readonly timedOut: number;
  readonly ms: number;
}
export interface ModelAddOptions {
  priority?: number;
  group?: Group;
  upstreamTaskIds?: number[];
  taskArgs?: unknown[];
  taskKwargs?: Record<string, unknown>;
  behaviour?: ModelBehaviour;
  /** The task's running-time limit; `undefined`: the manager's. */
  timeoutMs?: number;
  /** How the task is retried; `undefined`: as the manager's `retry` says. */
  retry?: ModelRetry;
}
/** A retry policy, every field given. */
export interface ModelRetry {
  readonly attempts: number;
  readonly delayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
}
export interface Invocation {
  uid: number;
  args: unknown[];
  kwargs: Record<string, unknown>;
}
export interface ModelStopOptions {
  stopUpstream?: boolean;
  stopDownstream?: boolean;
}

/** Thrown by `addTask`, `addPassThroughTask` and `startProcessing` after `shutDown()` (§19). */
export class ModelShutDownError extends Error {
  readonly code = 'ERR_MANAGER_SHUT_DOWN';
  override readonly name = 'ModelShutDownError';
  constructor() {
    super('The task manager has been shut down and accepts no new work');
  }
}

/** `waiting` is split into `blocked`/`queued` on demand (I2). */
type Status = 'waiting' | 'running' | 'retrying' | 'done' | 'failed' | 'stopped';
type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };
/** `run`: which run of the task settles (a timed-out run's end only frees its slot). */
type Job = { kind: 'dispatch' } | { kind: 'settle'; uid: number; run: number; outcome: Outcome };

interface ModelTask {
  readonly uid: number;
  priority: number;
  readonly group: Group | undefined;
  /** Ids of the tasks pending when this one was added, deduplicated (I1). */
  readonly upstream: readonly number[];
  readonly args: readonly unknown[];
  readonly passThrough: boolean;
  readonly behaviour: ModelBehaviour;
  kwargs: Record<string, unknown>;
  status: Status;
  /** Runs started whose settle job has not run yet: each holds a slot (S2, TM3). */
  slotsHeld: number;
  /** Its runs so far; the last one is the current run. */
  run: number;
  /** Runs whose callable the test has not completed/failed yet, oldest first. */
  unsettledRuns: number[];
  readonly retry: ModelRetry | undefined;
  /** Runs that failed and were retried. */
  retries: number;
  /** The clock's timer of its retry delay, while it is retrying. */
  retryTimer: number | undefined;
  /** Its running-time limit (`Infinity`: none). */
  readonly timeoutMs: number;
  /** The clock's timer of its running-time limit, while it runs. */
  timeoutTimer: number | undefined;
  /** The clock's timer that ends a `sleep` behaviour's invocation. */
  sleepTimer: number | undefined;
}

const isPending = (task: ModelTask): boolean =>
  task.status === 'waiting' || task.status === 'running' || task.status === 'retrying';

// I1: groups compare like Map keys (SameValueZero).
const sameGroup = (a: Group | undefined, b: Group | undefined): boolean => a === b || Object.is(a, b);

// §6, R2: a plain object is one whose prototype is Object.prototype or null (the original's dict).
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

/** Appends the tasks not seen yet to a worklist (each task once: S1, F1). */
const pushUnseen = (worklist: ModelTask[], seen: Set<number>, tasks: readonly ModelTask[]): void => {
  for (const task of tasks.filter((candidate) => !seen.has(candidate.uid))) {
    seen.add(task.uid);
    worklist.push(task);
  }
};

const partition = <T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] => [
  items.filter(test),
  items.filter((item) => !test(item)),
];

// §9, F2
const failureMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const failureTraceback = (error: unknown): string =>
  error instanceof Error && typeof error.stack === 'string' ? error.stack : failureMessage(error);

export class ReferenceModel {
  readonly events: ModelEvent[] = [];
  readonly invocations: Invocation[] = [];
  readonly #maxThreads: number;
  readonly #lifecycleEvents: boolean;
  readonly #taskTimeoutMs: number;
  readonly #retry: ModelRetry | undefined;
  readonly #clock = new FakeClock();
  readonly #tasks: ModelTask[] = []; // index === uid (§ Vocabulary: 0, 1, 2, …)
  readonly #jobs: Job[] = [];
  readonly #listeners: ((event: ModelEvent) => void)[] = [];
  readonly #history: number;
  /** Uids in the order they left the pending set (I2: only the last `#history` are remembered). */
  readonly #finishOrder: number[] = [];
  readonly #finishIndex = new Map<number, number>();
  /** `onIdle()` calls not resolved yet, by id, and the ids resolved so far in order. */
  #idleWaiters: number[] = [];
  #idleCalls = 0;
  readonly idleResolved: number[] = [];
  /** `result()` / `whenGroupFinished()` calls settled so far, in the order they settled. */
  readonly promiseOutcomes: PromiseOutcome[] = [];
  #promiseCalls = 0;
  /** Unsettled `result()` calls (call id, uid) and `whenGroupFinished()` calls (call id, group). */
  #resultWaiters: { call: number; uid: number }[] = [];
  #groupWaiters: { call: number; group: Group }[] = [];
  #processing: boolean;
  #isShutDown = false;
  /** Inside shutDown()'s own stop, the one stop that runs once the manager is closed. */
  #shuttingDown = false;
  #dispatchQueued = false;
  #flushing = false;
  #nextGroup = 0;

  /**
   * `lifecycleEvents`: also emit `taskStarted` and `taskStopped`, as a
   * manager does to their listeners (off by default, so the model's own
   * tests read the outcome events alone).
   */
  constructor(options: {
    maxThreads: number;
    startProcessing: boolean;
    finishedTaskHistory?: number;
    lifecycleEvents?: boolean;
    taskTimeoutMs?: number;
    retry?: ModelRetry;
  }) {
    this.#taskTimeoutMs = options.taskTimeoutMs ?? Infinity;
    this.#retry = options.retry;
    this.#lifecycleEvents = options.lifecycleEvents ?? false;
    this.#maxThreads = options.maxThreads;
    this.#history = options.finishedTaskHistory ?? 1000;
    this.#processing = options.startProcessing; // §18
  }

  on(listener: (event: ModelEvent) => void): void {
    this.#listeners.push(listener);
  }

  addTask(options: ModelAddOptions = {}): number {
    return this.#add(options, false);
  }

  addPassThroughTask(options: Omit<ModelAddOptions, 'taskArgs'> = {}): number {
    return this.#add(options, true);
  }

  /** Moves the model's clock on by `ms`: running-time limits and sleeping callables that are due fire. */
  advance(ms: number): void {
    this.#clock.advance(ms);
  }

  complete(uid: number, result: unknown): void {
    this.#requestSettle(uid, { ok: true, result });
  }

  fail(uid: number, error: unknown): void {
    this.#requestSettle(uid, { ok: false, error });
  }

  // §14: defaults both true; unknown or finished ids are ignored.
  stopTask(uid: number, options: ModelStopOptions = {}): void {
    this.#stop(
      this.#tasks.filter((task) => task.uid === uid),
      options,
    );
  }

  // §15
  stopTaskGroup(group: Group, options: ModelStopOptions = {}): void {
    this.#stop(
      this.#tasks.filter((task) => sameGroup(task.group, group)),
      options,
    );
  }

  // §15: every pending task, hence no need to walk edges.
  stopAllTasks(): void {
    this.#stop(this.#tasks, { stopUpstream: false, stopDownstream: false });
  }

  startProcessing(): void {
    this.#assertOpen();
    this.#processing = true; // §18
    this.#scheduleDispatch(); // T1
  }

  // §18: running tasks finish and report normally.
  pauseProcessing(): void {
    if (!this.#isShutDown) this.#processing = false;
  }

  // §13
  nextGroupId(): number {
    return this.#nextGroup++;
  }

  // §19: stop everything, stop processing, ignore running tasks (they are stopped).
  shutDown(): void {
    if (this.#isShutDown) return;
    this.#processing = false;
    this.#isShutDown = true; // before the stop: its taskStopped listeners find the manager closed
    this.#shuttingDown = true;
    try {
      this.#stop(this.#tasks, { stopUpstream: false, stopDownstream: false });
    } finally {
      this.#shuttingDown = false;
    }
  }

  /**
   * C3 `result(uid)`: settles with the pending task's outcome (completed,
   * failed by itself or by cascade, stopped); for an id naming no pending
   * task, at once: `unknown` if never given out, else `finished`.
   */
  result(uid: number): void {
    const call = this.#promiseCalls++;
    const task = this.#tasks[uid];
    if (task !== undefined && isPending(task)) this.#resultWaiters.push({ call, uid });
    else
      this.promiseOutcomes.push({
        call,
        settled: 'notPending',
        uid,
        reason: task === undefined ? 'unknown' : 'finished',
      });
  }

  /** C4 `whenGroupFinished(group)`: at once without a pending task in the group, else at its next finish or stop. */
  whenGroupFinished(group: Group): void {
    const call = this.#promiseCalls++;
    if (this.#tasks.some((task) => isPending(task) && sameGroup(task.group, group))) {
      this.#groupWaiters.push({ call, group });
    } else {
      this.promiseOutcomes.push({ call, settled: 'resolved', value: undefined });
    }
  }

  /** C5 `setPriority(uid, priority)`: a pending task takes it (ties stay in add order); true if it changed. */
  setPriority(uid: number, priority: number): boolean {
    const task = this.#tasks[uid];
    if (task === undefined || !isPending(task) || task.priority === priority) return false;
    task.priority = priority;
    return true;
  }

  getTaskState(uid: number): ModelTaskState | undefined {
    const task = this.#tasks[uid];
    if (task === undefined) return undefined;
    const finished = this.#finishIndex.get(uid);
    if (finished !== undefined && finished < this.#finishOrder.length - this.#history) return undefined; // I2: released
    if (task.status !== 'waiting') return task.status;
    return this.#pendingUpstream(task).length > 0 ? 'blocked' : 'queued'; // I2
  }

  /** Every task ever added, forgotten or not: the first uid not used yet. */
  get taskCount(): number {
    return this.#tasks.length;
  }

  get phase(): ModelPhase {
    if (this.#isShutDown) return 'shutDown';
    return this.#processing ? 'processing' : 'paused';
  }

  get pendingCount(): number {
    return this.#tasks.filter(isPending).length;
  }

  /** An `onIdle()` call (ids 0, 1, 2, … in call order): resolved at once when nothing is pending, else once nothing is. */
  onIdle(): void {
    this.#idleWaiters.push(this.#idleCalls++);
    this.#notifyIfIdle();
  }

  unsettled(): number[] {
    return this.#tasks.flatMap((task) => task.unsettledRuns.map(() => task.uid));
  }

  running(): number[] {
    return this.#tasks.filter((task) => task.status === 'running').map((task) => task.uid);
  }

  /** Runs jobs FIFO until none is left; a nested call (from a listener) is a no-op. */
  flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
        if (job.kind === 'dispatch') this.#dispatch();
        else this.#settle(job.uid, job.run, job.outcome);
      }
    } finally {
      this.#flushing = false;
    }
  }

  #assertOpen(): void {
    if (this.#isShutDown) throw new ModelShutDownError(); // §19
  }

  #add(options: ModelAddOptions, passThrough: boolean): number {
    this.#assertOpen();
    const uid = this.#tasks.length;
    // I1: ids are resolved now; one naming no pending task is satisfied for good.
    const upstream = [...new Set(options.upstreamTaskIds ?? [])].filter((id) => {
      const candidate = this.#tasks[id];
      return candidate !== undefined && isPending(candidate);
    });
    this.#tasks.push({
      uid,
      priority: options.priority ?? 0, // §2: no priority means 0
      group: options.group,
      upstream,
      args: passThrough ? [] : [...(options.taskArgs ?? [])],
      passThrough,
      behaviour: options.behaviour ?? { kind: 'promise' },
      kwargs: { ...options.taskKwargs }, // §7: always an object
      status: 'waiting',
      slotsHeld: 0,
      run: 0,
      unsettledRuns: [],
      retry: passThrough ? undefined : (options.retry ?? this.#retry),
      retries: 0,
      retryTimer: undefined,
      // A pass-through task does no work, so nothing limits it.
      timeoutMs: passThrough ? Infinity : (options.timeoutMs ?? this.#taskTimeoutMs),
      timeoutTimer: undefined,
      sleepTimer: undefined,
    });
    this.#scheduleDispatch(); // §4, T1: never starts inside addTask
    return uid;
  }

  // T1: at most one dispatch job queued at a time.
  #scheduleDispatch(): void {
    if (this.#dispatchQueued) return;
    this.#dispatchQueued = true;
    this.#jobs.push({ kind: 'dispatch' });
  }

  // T2, §1, §21
  #dispatch(): void {
    this.#dispatchQueued = false;
    this.#runDispatch();
  }

  #runDispatch(): void {
    const busySlots = (): number => this.#tasks.reduce((sum, task) => sum + task.slotsHeld, 0);
    while (this.#processing && busySlots() < this.#maxThreads) {
      const next = this.#bestStartable();
      if (next === undefined) return;
      this.#start(next);
    }
  }

  // §2, T2: highest priority, then lowest uid; blocked tasks never hold others back.
  #bestStartable(): ModelTask | undefined {
    let best: ModelTask | undefined;
    for (const task of this.#tasks) {
      if (task.status !== 'waiting' || this.#pendingUpstream(task).length > 0) continue;
      if (best === undefined || task.priority > best.priority) best = task;
    }
    return best;
  }

  #start(task: ModelTask): void {
    task.status = 'running';
    task.slotsHeld++;
    const run = ++task.run;
    task.sleepTimer = undefined;
    const kwargs = { ...task.kwargs };
    // C1: taskStarted comes before the callable is called: a listener that stops the task stops it before any work.
    if (this.#lifecycleEvents) this.#emit({ type: 'taskStarted', uid: task.uid, group: task.group });
    if (!isPending(task)) {
      task.slotsHeld--;
      return;
    }
    // The limit counts running time only: its timer starts now, before the callable is called.
    if (!task.passThrough && task.timeoutMs !== Infinity) {
      const ms = task.timeoutMs;
      task.timeoutTimer = this.#clock.setTimeout(() => {
        this.#timedOut(task, ms);
      }, ms);
    }
    if (task.passThrough) {
      // §8, T2: result is its kwargs, completion queued now; nothing is invoked.
      this.#jobs.push({ kind: 'settle', uid: task.uid, run, outcome: { ok: true, result: kwargs } });
      return;
    }
    this.invocations.push({ uid: task.uid, args: [...task.args], kwargs }); // §7
    const behaviour = task.behaviour;
    // T2: a value returned or an error thrown at once is settled in a microtask queued now.
    if (behaviour.kind === 'value')
      this.#jobs.push({ kind: 'settle', uid: task.uid, run, outcome: { ok: true, result: behaviour.value } });
    else if (behaviour.kind === 'throw')
      this.#jobs.push({ kind: 'settle', uid: task.uid, run, outcome: { ok: false, error: behaviour.error } });
    else if (behaviour.kind === 'sleep') {
      task.sleepTimer = this.#clock.setTimeout(() => {
        if (task.run === run) task.sleepTimer = undefined;
        this.#jobs.push({ kind: 'settle', uid: task.uid, run, outcome: { ok: true, result: behaviour.value } });
      }, behaviour.ms);
    } else task.unsettledRuns.push(run);
  }

  /**
   * The running task reached its limit: the attempt fails (the task fails,
   * cascading, F1, or is retried), then its signal aborts. The run keeps its
   * slot until it ends, and its outcome is ignored (TM3).
   */
  #timedOut(task: ModelTask, ms: number): void {
    task.timeoutTimer = undefined;
    const message = `Task ${task.uid} timed out after ${ms} ms`;
    const cause: ModelTimeout = { timedOut: task.uid, ms };
    this.#attemptFailed(task, message, `TaskTimeoutError: ${message}`, cause);
    this.#abort(task);
  }

  /** A run of the task failed by itself: it is retried if attempts are left, else it fails (F1). */
  #attemptFailed(task: ModelTask, message: string, traceback: string, cause: unknown): void {
    const retry = task.retry;
    if (retry === undefined || task.retries + 1 >= retry.attempts) {
      this.#failCascade(task, message, traceback, cause);
      return;
    }
    const attempt = ++task.retries;
    task.status = 'retrying';
    if (task.timeoutTimer !== undefined) this.#clock.clearTimeout(task.timeoutTimer);
    task.timeoutTimer = undefined;
    const delay =
      retry.delayMs === 0 ? 0 : Math.min(retry.delayMs * retry.factor ** (attempt - 1), retry.maxDelayMs, 2 ** 31 - 1);
    task.retryTimer = this.#clock.setTimeout(() => {
      task.retryTimer = undefined;
      task.status = 'waiting'; // queued: its upstream tasks have all finished
      this.#scheduleDispatch();
    }, delay);
    this.#emit({ type: 'taskRetrying', uid: task.uid, group: task.group, attempt, message });
  }

  /**
   * The task's signal aborts (a stop or a timeout): an invocation still in
   * progress that honours it ends now, with a rejection (ignored: the task
   * is no longer running), which frees its slot.
   */
  #abort(task: ModelTask): void {
    const behaviour = task.behaviour;
    if (!('honoursSignal' in behaviour) || behaviour.honoursSignal !== true) return;
    const run = task.run;
    if (task.sleepTimer !== undefined) {
      this.#clock.clearTimeout(task.sleepTimer);
      task.sleepTimer = undefined;
    } else if (task.unsettledRuns.includes(run)) {
      task.unsettledRuns = task.unsettledRuns.filter((unsettled) => unsettled !== run);
    } else return;
    this.#jobs.push({ kind: 'settle', uid: task.uid, run, outcome: { ok: false, error: 'aborted' } });
  }

  /** The test settles the oldest unsettled run of task `uid`. */
  #requestSettle(uid: number, outcome: Outcome): void {
    const run = this.#tasks[uid]?.unsettledRuns.shift();
    if (run === undefined) throw new Error(`Task ${uid} has no unsettled invocation (test bug)`);
    this.#jobs.push({ kind: 'settle', uid, run, outcome });
  }

  // T3: free the slot; a task that is no longer running this run (stopped, S2/§16; timed out, TM3) is ignored.
  #settle(uid: number, run: number, outcome: Outcome): void {
    const task = this.#tasks[uid] as ModelTask;
    task.slotsHeld--;
    if (task.status === 'running' && task.run === run) {
      if (outcome.ok) this.#completeTask(task, outcome.result);
      else this.#attemptFailed(task, failureMessage(outcome.error), failureTraceback(outcome.error), outcome.error);
    }
    // T3: the settle job ends with a dispatch run of its own (the scheduled dispatch job, if any, stays queued),
    // also when the outcome was ignored, since the freed slot may let a queued task start.
    this.#runDispatch();
  }

  // R1, §5, §6, §11
  #completeTask(task: ModelTask, result: unknown): void {
    if (isPlainObject(result)) {
      for (const downstream of this.#pendingDownstream(task)) {
        downstream.kwargs = { ...downstream.kwargs, ...result };
      }
    }
    this.#finish(task, 'done');
    const groupFinished = this.#groupLeftEmpty(task); // decided at removal (R1)
    this.#settleResults(task.uid, (call) => ({ call, settled: 'resolved', value: result }));
    if (groupFinished) this.#settleGroup(task.group, (call) => ({ call, settled: 'resolved', value: undefined }));
    this.#emit({ type: 'taskCompleted', uid: task.uid, group: task.group, result });
    if (groupFinished && task.group !== undefined) this.#emit({ type: 'taskGroupFinished', group: task.group });
  }

  // F1, §10: breadth first, nearest first, siblings by uid; stopped ones skipped.
  #failCascade(failed: ModelTask, message: string, traceback: string, cause: unknown): void {
    const queue: ModelTask[] = [failed];
    const seen = new Set<number>([failed.uid]);
    const finishedGroups: Group[] = [];
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      if (!isPending(task)) continue;
      pushUnseen(queue, seen, this.#pendingDownstream(task)); // before its own event, like the original
      this.#finish(task, 'failed');
      const group = task.group;
      const groupEmptied = this.#groupLeftEmpty(task);
      const groupFinished = groupEmptied && !finishedGroups.some((finished) => sameGroup(finished, group));
      const uid = task.uid;
      // Every task of the cascade rejects with the root's error as cause (all model tasks run on the main thread).
      this.#settleResults(uid, (call) => ({ call, settled: 'failed', uid, message, traceback, cause }));
      // A group emptied again within the cascade has no second event (F1), but its waiters learn it finished.
      if (groupEmptied) this.#settleGroup(group, (call) => ({ call, settled: 'resolved', value: undefined }));
      this.#emit({ type: 'taskFailed', uid: task.uid, group, message, traceback });
      if (groupFinished && group !== undefined) {
        finishedGroups.push(group); // F1: at most once per group per cascade
        this.#emit({ type: 'taskGroupFinished', group });
      }
    }
  }

  // S1–S4, §14–§17: stopped tasks leave the pending set at once and emit nothing.
  #stop(start: readonly ModelTask[], options: ModelStopOptions): void {
    if (this.#isShutDown && !this.#shuttingDown) return;
    const stopUpstream = options.stopUpstream ?? true;
    const stopDownstream = options.stopDownstream ?? true;
    const worklist = start.filter(isPending);
    const seen = new Set(worklist.map((task) => task.uid));
    for (let i = 0; i < worklist.length; i += 1) {
      const task = worklist[i] as ModelTask;
      if (stopUpstream) pushUnseen(worklist, seen, this.#pendingUpstream(task));
      if (stopDownstream) pushUnseen(worklist, seen, this.#pendingDownstream(task));
    }
    for (const task of worklist) {
      this.#finish(task, 'stopped'); // keeps its slots (S2)
      this.#abort(task);
    }
    this.#scheduleDispatch(); // T1, S3: a downstream task may have become startable
    // C2: every task is stopped before anything is told: promises first, then one taskStopped each, in worklist order.
    for (const task of worklist) {
      const uid = task.uid;
      this.#settleResults(uid, (call) => ({ call, settled: 'stopped', uid, group: undefined }));
    }
    for (const task of [...worklist].reverse()) {
      // The group's last pending task left by this stop: the group did not finish.
      if (!this.#groupLeftEmpty(task)) continue;
      this.#settleGroup(task.group, (call) => ({ call, settled: 'stopped', uid: task.uid, group: task.group }));
    }
    if (!this.#lifecycleEvents) return;
    for (const task of worklist) this.#emit({ type: 'taskStopped', uid: task.uid, group: task.group });
  }

  #settleResults(uid: number, outcome: (call: number) => PromiseOutcome): void {
    const [settled, waiting] = partition(this.#resultWaiters, (waiter) => waiter.uid === uid);
    this.#resultWaiters = waiting;
    for (const waiter of settled) this.promiseOutcomes.push(outcome(waiter.call));
  }

  #settleGroup(group: Group | undefined, outcome: (call: number) => PromiseOutcome): void {
    const [settled, waiting] = partition(this.#groupWaiters, (waiter) => sameGroup(waiter.group, group));
    this.#groupWaiters = waiting;
    for (const waiter of settled) this.promiseOutcomes.push(outcome(waiter.call));
  }

  // §3, S3: an upstream id counts only while it names a pending task; in the order given (S1's walk).
  #pendingUpstream(task: ModelTask): ModelTask[] {
    return task.upstream.map((uid) => this.#tasks[uid] as ModelTask).filter(isPending);
  }

  /** The task leaves the pending set: remembered in finishing order (I2); onIdle waiters resolve when none is left. */
  #finish(task: ModelTask, status: 'done' | 'failed' | 'stopped'): void {
    task.status = status;
    if (task.timeoutTimer !== undefined) this.#clock.clearTimeout(task.timeoutTimer);
    if (task.retryTimer !== undefined) this.#clock.clearTimeout(task.retryTimer);
    task.timeoutTimer = undefined;
    task.retryTimer = undefined;
    this.#finishIndex.set(task.uid, this.#finishOrder.length);
    this.#finishOrder.push(task.uid);
    this.#notifyIfIdle();
  }

  #notifyIfIdle(): void {
    if (this.#idleWaiters.length === 0 || this.#tasks.some(isPending)) return;
    this.idleResolved.push(...this.#idleWaiters);
    this.#idleWaiters = [];
  }

  // R1/F1: direct downstream tasks still pending, in the order they were added.
  #pendingDownstream(task: ModelTask): ModelTask[] {
    return this.#tasks.filter((candidate) => isPending(candidate) && candidate.upstream.includes(task.uid));
  }

  // §11, §12: tasks without a group never finish a group.
  #groupLeftEmpty(task: ModelTask): boolean {
    if (task.group === undefined) return false;
    return !this.#tasks.some((candidate) => isPending(candidate) && sameGroup(candidate.group, task.group));
  }

  // T4: listeners run synchronously and may call back into the model.
  #emit(event: ModelEvent): void {
    this.events.push(event);
    for (const listener of [...this.#listeners]) listener(event);
  }
}
