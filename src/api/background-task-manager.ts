import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { managerMachine, type ManagerPhase } from '../machines/manager-machine.js';
import { inspectedTaskLogic, type TaskInfo } from '../machines/inspected-task-logic.js';
import type { TaskState } from '../machines/task-logic.js';
import { TaskScheduler } from '../scheduling/task-scheduler.js';
import type { ManagerStats } from '../scheduling/task-stats.js';
import type { RetryPolicy } from '../scheduling/task-retries.js';
import { PASS_THROUGH } from '../scheduling/task-store.js';
import { WorkerPool } from '../workers/worker-pool.js';
import { ManagerShutDownError } from '../core/errors.js';
import { TypedEmitter, type BackgroundTaskManagerEvents } from '../core/events.js';
import type { TaskGroup, TaskRunnable } from '../core/types.js';
import { describe } from '../core/values.js';
import { WorkerTask } from '../core/worker-task.js';
import type { WorkerExecutor } from '../core/worker-runner.js';
import type { BackgroundTaskManagerOptions, PassThroughTaskOptions, StopOptions, TaskOptions } from './options.js';
import * as validate from './validate.js';

/**
 * Runs an application's background work: a queue of tasks with priorities,
 * groups and dependencies, at most `maxThreads` at a time, plain functions on
 * the main thread and worker tasks on a pool of worker threads. A port of
 * the Toolkit's BackgroundTaskManager; every task is an XState actor.
 *
 * Not thread-safe, but reentrant: call it from the thread that created it,
 * including from inside its event listeners.
 * @example
 * const manager = new BackgroundTaskManager({ startProcessing: true, maxThreads: 2 });
 * manager.on('taskCompleted', (uid, group, result) => console.log(uid, result));
 * manager.addTask(async (kwargs) => fetchJson(kwargs.url), { taskKwargs: { url } });
 */
export class BackgroundTaskManager {
  /** The most tasks that run at once; also the size of the worker-thread pool. */
  readonly maxThreads: number;
  readonly #events = new TypedEmitter();
  readonly #actor: Actor<typeof managerMachine>;
  readonly #scheduler: TaskScheduler;
  /** Where worker tasks run: the local pool of `workerScript`, or the `executor` option. */
  readonly #pool: WorkerExecutor | undefined;
  #nextGroupId = 0;
  /** The promise `shutDown()` returns, kept so a second call returns it too; the phase itself is the machine's. */
  #shutDown: Promise<void> | undefined;

  /**
   * @throws {RangeError} if `maxThreads` is not an integer >= 1,
   *   `finishedTaskHistory` not an integer >= 0, `killAfterMs` neither
   *   an integer from 0 to 2³¹ − 1 nor `Infinity`, or `taskTimeoutMs` not a
   *   number of milliseconds above 0 (at most 2,147,483,647) or `Infinity`.
   * @throws {TypeError} if another option has the wrong type,
   *   `workerScript` names no file, or `executor` comes with an option of
   *   the local pool (`workerScript`, `workerOptions`, `killAfterMs`).
   */
  constructor(options?: BackgroundTaskManagerOptions) {
    const opts = validate.optionsObject('options', options);
    validate.knownKeys('constructor', opts);
    this.maxThreads = validate.integerAtLeast('maxThreads', opts.maxThreads, 1, 8);
    const finishedTaskHistory = validate.integerAtLeast('finishedTaskHistory', opts.finishedTaskHistory, 0, 1000);
    const startProcessing = validate.booleanOr('startProcessing', opts.startProcessing, false);
    const executor = validate.executor(opts.executor, opts);
    const workerScript = validate.workerScript(opts.workerScript);
    const workerOptions = validate.workerOptions(opts.workerOptions);
    const killAfterMs = validate.delayMs('killAfterMs', opts.killAfterMs, 1000);
    const taskTimeoutMs = validate.timeoutMs('taskTimeoutMs', opts.taskTimeoutMs) ?? Infinity;
    const retry = validate.retry(opts.retry);
    const clock = validate.clock(opts.clock);
    if (opts.inspect !== undefined && typeof opts.inspect !== 'function' && typeof opts.inspect !== 'object') {
      throw new TypeError('Expected `inspect` to be an inspection observer or function');
    }
    this.#pool =
      executor ??
      (workerScript === undefined
        ? undefined
        : new WorkerPool(workerScript, { size: this.maxThreads, killAfterMs, workerOptions }));
    this.#actor = createActor(managerMachine, {
      id: 'backgroundTaskManager',
      input: { maxThreads: this.maxThreads },
      ...(opts.inspect === undefined ? {} : { inspect: opts.inspect }),
    });
    managers.set(this.#actor, this);
    this.#actor.start();
    this.#scheduler = new TaskScheduler({
      maxThreads: this.maxThreads,
      finishedTaskHistory,
      events: this.#events,
      managerActor: this.#actor,
      workers: this.#pool,
      liveActor: opts.inspect === undefined ? undefined : (info: TaskInfo) => this.#spawnTaskActor(info),
      taskTimeoutMs,
      retry,
      clock,
    });
    if (startProcessing) this.startProcessing();
  }

  /**
   * `paused`, `processing`, `shuttingDown` (from `shutDown()` until every
   * worker thread has exited) or `shutDown`.
   */
  get phase(): ManagerPhase {
    return this.#actor.getSnapshot().value;
  }

  /**
   * What the manager is doing, for programs and dashboards: its phase, its
   * busy slots, how many tasks are in each state (pending ones now, finished
   * ones since it was created), the same per group (keyed by its name as a
   * string, for the last 256 groups created), and wait and run time percentiles in
   * milliseconds over a sample of recent tasks (every task of the first
   * 1,024, then one in 32; the last 1,024 measured). Reading is O(1) in the
   * number of tasks: the counters are kept as tasks step.
   * @example
   * const { counts, runMs } = manager.stats();
   * console.log(`${counts.done} done, ${counts.failed} failed, p95 run ${runMs.p95} ms`);
   */
  stats(): ManagerStats {
    return this.#scheduler.stats(this.phase);
  }

  /** The number of pending tasks (blocked, queued, running or retrying). */
  get pendingCount(): number {
    return this.#scheduler.pendingCount;
  }

  /**
   * Whether a worker thread has been started. Threads start one at a time,
   * as worker tasks need them: see {@link threadCount}.
   */
  get threadsStarted(): boolean {
    return this.threadCount > 0;
  }

  /**
   * How many worker threads the manager has started: one when a worker
   * task finds no idle thread and none on its way, up to `maxThreads`. A
   * thread that dies or is killed is replaced, and its replacement counts
   * as the thread it replaces. So this is at most the most worker tasks
   * that ran or waited for a thread at once, and never above `maxThreads`.
   * Shutting down terminates them but leaves the count. With an
   * `executor`, the executor's own count (0 for remote workers).
   */
  get threadCount(): number {
    return this.#pool?.threadCount ?? 0;
  }

  /**
   * Adds a listener. Listeners run synchronously when the event is emitted
   * and may call any method of the manager.
   * @example
   * manager.on('taskGroupFinished', (group) => console.log(`group ${group} done`));
   */
  on<E extends keyof BackgroundTaskManagerEvents>(event: E, listener: BackgroundTaskManagerEvents[E]): this {
    validate.eventName(event);
    assertListener(listener);
    this.#events.on(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off<E extends keyof BackgroundTaskManagerEvents>(event: E, listener: BackgroundTaskManagerEvents[E]): this {
    validate.eventName(event);
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Returns the next group id: 0, 1, 2, …
   * @example
   * const group = manager.nextGroupId();
   * manager.addTask(load, { group });
   */
  nextGroupId(): number {
    return this.#nextGroupId++;
  }

  /**
   * Starts processing tasks.
   * @throws {ManagerShutDownError} after `shutDown()`.
   */
  startProcessing(): void {
    this.#assertOpen('startProcessing');
    this.#actor.send({ type: 'START' });
    this.#scheduler.scheduleDispatch();
  }

  /** Starts no new task; running tasks finish and report as usual. Does nothing after `shutDown()`. */
  pauseProcessing(): void {
    // The manager actor is final after shut-down: XState would warn about an event sent to it.
    if (this.phase !== 'shutDown') this.#actor.send({ type: 'PAUSE' });
  }

  /**
   * Adds a task and returns its id. A plain function runs on the main thread
   * as `cbl(...taskArgs, kwargs)`; `workerTask(name)` runs on a worker thread.
   * @example
   * const check = manager.addTask(checkCache, { priority: 10, group, taskKwargs: { url } });
   * manager.addTask(workerTask('thumbnail'), { upstreamTaskIds: [check], taskArgs: [256] });
   * @throws {TypeError} for a `cbl` that is neither a function nor a worker
   *   task (or a worker task without `workerScript`), or a bad option.
   * @throws {RangeError} for a `timeoutMs` that is not a number of
   *   milliseconds above 0 (at most 2,147,483,647) or `Infinity`, or a
   *   `retry` field out of its range.
   * @throws {ManagerShutDownError} after `shutDown()`.
   */
  addTask(cbl: TaskRunnable, options?: TaskOptions): number {
    this.#assertOpen('addTask');
    if (cbl instanceof WorkerTask) {
      if (this.#pool === undefined) {
        throw new TypeError(
          `Cannot add worker task '${cbl.name}': the manager was created without \`workerScript\` or \`executor\``,
        );
      }
    } else if (typeof cbl !== 'function') {
      throw new TypeError(`Expected \`cbl\` to be a function or a workerTask(), got ${describe(cbl)}`);
    }
    const opts = validate.optionsObject('options', options);
    validate.knownKeys('addTask', opts);
    const timeoutMs = validate.timeoutMs('timeoutMs', opts.timeoutMs);
    return this.#add(cbl, opts, validate.taskArgs(opts.taskArgs), timeoutMs, validate.retry(opts.retry));
  }

  /**
   * Adds a task that does no work: its result is its kwargs (its own
   * `taskKwargs` merged with the results of its upstream tasks).
   * @example
   * const gather = manager.addPassThroughTask({ upstreamTaskIds: [a, b] });
   * @throws {TypeError} for a bad option.
   * @throws {ManagerShutDownError} after `shutDown()`.
   */
  addPassThroughTask(options?: PassThroughTaskOptions): number {
    this.#assertOpen('addPassThroughTask');
    const opts = validate.optionsObject('options', options);
    validate.knownKeys('addPassThroughTask', opts);
    return this.#add(PASS_THROUGH, opts, undefined, undefined, undefined);
  }

  /**
   * Stops a task and, by default, every pending task connected to it up- and
   * downstream. A running task finishes but its outcome is ignored (its
   * `this.signal` is aborted, in its worker thread for a worker task, whose
   * thread is terminated if it runs on `killAfterMs` later). Unknown ids are ignored.
   * @example
   * manager.stopTask(uid, { stopUpstream: false });
   */
  stopTask(taskId: number, options?: StopOptions): void {
    const uid = validate.taskId(taskId);
    const { up, down } = validate.stopOptions(options);
    this.#scheduler.stopTask(uid, up, down);
    this.#scheduler.scheduleDispatch();
  }

  /**
   * Stops every pending task of `group`, like {@link stopTask} for each.
   * @example
   * manager.stopTaskGroup(group, { stopUpstream: false, stopDownstream: false });
   */
  stopTaskGroup(group: TaskGroup, options?: StopOptions): void {
    const checked = validate.requiredGroup(group);
    const { up, down } = validate.stopOptions(options);
    this.#scheduler.stopGroup(checked, up, down);
    this.#scheduler.scheduleDispatch();
  }

  /** Stops every pending task. */
  stopAllTasks(): void {
    this.#scheduler.stopAll();
  }

  /**
   * The state of a task: `blocked`, `queued`, `running`, `retrying`,
   * `done`, `failed` or `stopped`; `undefined` for an unknown id or a finished task that was
   * released (the last `finishedTaskHistory` finished tasks are remembered).
   */
  getTaskState(taskId: number): TaskState | undefined {
    return this.#scheduler.getState(taskId);
  }

  /**
   * The outcome of a pending task, as a promise: it resolves with the
   * task's result (at its `taskCompleted`), rejects with a
   * `TaskFailedError` (`message`, `traceback`, and `cause` when the
   * failing callable ran on the main thread) when it fails by itself or by
   * cascade, and with a `TaskStoppedError` when it is stopped or the
   * manager shuts down. For an id that names no pending task it rejects at
   * once with a `TaskNotPendingError` whose `reason` says why
   * (`unknown`, or `finished`: results of finished tasks are not kept).
   * Every call for one task returns the same promise; nothing is kept for
   * tasks nobody asks about, and nothing once the task has finished.
   * @example
   * const uid = manager.addTask(async () => fetchJson(url));
   * const json = await manager.result(uid);
   * @throws {TypeError} if `taskId` is not an integer.
   */
  result<T = unknown>(taskId: number): Promise<T> {
    return this.#scheduler.result(validate.taskId(taskId)) as Promise<T>;
  }

  /**
   * Resolves at the group's next `taskGroupFinished` (when its last pending
   * task completes or fails), at once if the group has no pending task.
   * Rejects with a `TaskStoppedError` when the group's last pending
   * task leaves by a stop, which includes `shutDown()`: stopping never
   * finishes a group.
   * @example
   * for (const url of urls) manager.addTask(fetchOne, { group, taskKwargs: { url } });
   * await manager.whenGroupFinished(group);
   * @throws {TypeError} if `group` is not a string or a number.
   */
  whenGroupFinished(group: TaskGroup): Promise<void> {
    return this.#scheduler.whenGroupFinished(validate.requiredGroup(group));
  }

  /**
   * Gives a pending task a new priority, in O(log n). A queued task takes
   * its new place in the queue (behind the tasks of equal priority added
   * before it, ahead of those added after); a blocked task starts with the
   * new priority once its upstream tasks have finished; a running task just
   * keeps it. Returns whether anything changed: `false` for an unknown or
   * finished task and for the priority it already has.
   * @example
   * manager.setPriority(download, 10); // the user scrolled to it
   * @throws {TypeError} if `taskId` is not an integer or `priority` not a finite number.
   */
  setPriority(taskId: number, priority: number): boolean {
    const uid = validate.taskId(taskId);
    return this.#scheduler.setPriority(uid, validate.requiredPriority(priority));
  }

  /**
   * Resolves once no task is pending (blocked, queued, running or retrying), however
   * they ended: completed, failed, stopped or shut down. Resolves at once
   * when nothing is pending. Tasks stopped while running may still be
   * finishing their work.
   * @example
   * for (const url of urls) manager.addTask(fetchOne, { taskKwargs: { url } });
   * await manager.onIdle();
   */
  onIdle(): Promise<void> {
    return this.#scheduler.whenIdle();
  }

  /**
   * Stops every task, stops processing, ignores whatever still runs and
   * terminates the worker threads: each running worker task first sees its
   * signal abort in its worker (the pool waits until it has, or has ended,
   * for at most `killAfterMs`, or 1,000 ms when that is `Infinity`).
   * Resolves once every thread has exited.
   * The phase is `shuttingDown` until then, `shutDown` after. From the
   * call on, adding work throws {@link ManagerShutDownError}; `stop*`
   * and `pauseProcessing` do nothing. Calling it again returns the same promise.
   */
  shutDown(): Promise<void> {
    if (this.#shutDown !== undefined) return this.#shutDown;
    // The phase changes first, so `taskStopped` listeners already find the manager closed,
    // and a listener that calls shutDown() again gets this same promise.
    this.#actor.send({ type: 'SHUT_DOWN' });
    let threadsExited!: (exited: Promise<void>) => void;
    this.#shutDown = new Promise<void>((resolve) => {
      threadsExited = resolve;
    }).finally(() => {
      this.#actor.send({ type: 'THREADS_EXITED' });
    });
    this.#scheduler.stopAll();
    threadsExited(this.#destroyPool());
    return this.#shutDown;
  }

  /** Ends the pool or executor; an executor of the user's whose destroy() throws or rejects ends all the same. */
  #destroyPool(): Promise<void> {
    try {
      return Promise.resolve(this.#pool?.destroy?.()).catch(() => undefined);
    } catch {
      return Promise.resolve();
    }
  }

  /**
   * `shutDown()`, for `await using manager = new BackgroundTaskManager(…)`:
   * the manager shuts down when the block that declared it ends.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutDown();
  }

  #add(
    run: TaskRunnable | typeof PASS_THROUGH,
    options: TaskOptions,
    args: readonly unknown[] | undefined,
    timeoutMs: number | undefined,
    retry: RetryPolicy | undefined,
  ): number {
    // Validate everything before the scheduler changes anything: a bad call leaves the queue as it was.
    return this.#scheduler.add(
      run,
      validate.priority(options.priority),
      validate.group(options.group),
      validate.upstreamTaskIds(options.upstreamTaskIds),
      args,
      validate.taskKwargs(options.taskKwargs),
      timeoutMs,
      retry,
    );
  }

  #assertOpen(method: string): void {
    const phase = this.phase;
    if (phase === 'shuttingDown' || phase === 'shutDown') throw new ManagerShutDownError(method);
  }

  #spawnTaskActor(info: TaskInfo): AnyActorRef {
    return createActor(inspectedTaskLogic, { parent: this.#actor, id: `task-${info.uid}`, input: info }).start();
  }
}

/** Each manager by its actor: how an inspector that sees the actor reaches the manager's public methods. */
const managers = new WeakMap<AnyActorRef, BackgroundTaskManager>();

/**
 * The manager whose root actor is `actor`, if any: for an inspector's
 * controls, which see only the inspection stream.
 */
export function managerOfActor(actor: AnyActorRef): BackgroundTaskManager | undefined {
  return managers.get(actor);
}

function assertListener(listener: unknown): void {
  if (typeof listener !== 'function') {
    throw new TypeError(`Expected a listener function, got ${describe(listener)}`);
  }
}
