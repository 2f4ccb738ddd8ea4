/**
 * Random command sequences run against the real manager and the reference
 * model side by side (fast-check model-based testing). After every command
 * both sides are let run to quiescence and compared: events with payloads
 * (tracebacks included), the callables' invocations (args and merged
 * kwargs), the running and unsettled sets, every task's state (undefined
 * once a small `finishedTaskHistory` has released it), the phase, the
 * pending count, which `onIdle()` promises have resolved and how every
 * `result()` and `whenGroupFinished()` promise settled (`taskStarted` and
 * `taskStopped` are among the events compared; `setPriority` returns are
 * compared as command outcomes). Errors thrown
 * inside the manager's own callbacks (unhandled rejections, uncaught
 * exceptions) fail the property at the command that caused them.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  BackgroundTaskManager,
  ErrorCodes,
  TaskFailedError,
  TaskNotPendingError,
  TaskStoppedError,
  TaskTimeoutError,
  type TaskContext,
  type TaskGroup,
} from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { deferred, settle, type Deferred } from '../helpers.js';
import { captureProcessFaults } from './process-faults.js';
import {
  ReferenceModel,
  type Invocation,
  type ModelBehaviour,
  type ModelEvent,
  type ModelRetry,
  type ModelTimeout,
  type PromiseOutcome,
} from './reference-model.js';

type StopFlags = { stopUpstream: boolean; stopDownstream: boolean };

/** The real manager, with callables whose completion the commands control. */
export class RealSystem {
  readonly manager: BackgroundTaskManager;
  /** The manager's clock, which the sleeping callables use too. */
  readonly clock = new FakeClock();
  readonly events: ModelEvent[] = [];
  readonly invocations: Invocation[] = [];
  readonly listenerOutcomes: string[] = [];
  readonly idleResolved: number[] = [];
  readonly promiseOutcomes: PromiseOutcome[] = [];
  /** The unsettled runs of each task, oldest first. */
  readonly #unsettled = new Map<number, Deferred[]>();
  readonly #behaviours = new Map<number, ModelBehaviour>();
  #tasksAdded = 0;
  #idleCalls = 0;
  #promiseCalls = 0;

  constructor(
    maxThreads: number,
    startProcessing: boolean,
    finishedTaskHistory: number,
    taskTimeoutMs: number,
    retry: ModelRetry | undefined,
  ) {
    const clock = this.clock;
    this.manager = new BackgroundTaskManager({
      maxThreads,
      startProcessing,
      finishedTaskHistory,
      taskTimeoutMs,
      clock,
      ...(retry === undefined ? {} : { retry }),
    });
    this.manager.on('taskStarted', (uid, group) => this.events.push({ type: 'taskStarted', uid, group }));
    this.manager.on('taskStopped', (uid, group) => this.events.push({ type: 'taskStopped', uid, group }));
    this.manager.on('taskRetrying', (uid, group, attempt, message) =>
      this.events.push({ type: 'taskRetrying', uid, group, attempt, message }),
    );
    this.manager.on('taskCompleted', (uid, group, result) =>
      this.events.push({ type: 'taskCompleted', uid, group, result }),
    );
    this.manager.on('taskFailed', (uid, group, message, traceback) =>
      this.events.push({ type: 'taskFailed', uid, group, message, traceback: modelTraceback(traceback) }),
    );
    this.manager.on('taskGroupFinished', (group) => this.events.push({ type: 'taskGroupFinished', group }));
    this.manager.on('error', (error) => {
      throw error; // a harness bug: listener actions catch their own errors
    });
  }

  /**
   * The callable of every non-pass-through task: records its call, then
   * returns or throws at once, or returns a promise that the test settles
   * later or the clock resolves; one that honours the signal rejects when
   * it aborts.
   */
  readonly #callable = ((system: RealSystem) =>
    function (this: TaskContext, ...args: unknown[]): unknown {
      const kwargs = args.pop() as Record<string, unknown>;
      const uid = this.uid;
      system.invocations.push({ uid, args, kwargs: { ...kwargs } });
      const behaviour = system.#behaviours.get(uid) ?? { kind: 'promise' };
      if (behaviour.kind === 'value') return behaviour.value;
      if (behaviour.kind === 'throw') throw behaviour.error;
      const settled = deferred();
      let timer: unknown;
      if (behaviour.kind === 'sleep') {
        timer = system.clock.setTimeout(() => {
          settled.resolve(behaviour.value);
        }, behaviour.ms);
      } else system.#unsettled.set(uid, [...(system.#unsettled.get(uid) ?? []), settled]);
      if (behaviour.honoursSignal === true) {
        const signal = this.signal;
        signal.addEventListener('abort', () => {
          system.clock.clearTimeout(timer);
          system.#forget(uid, settled);
          settled.reject(signal.reason);
        });
      }
      return settled.promise;
    })(this);

  addTask(options: Parameters<ReferenceModel['addTask']>[0]): number {
    const { behaviour, ...rest } = options ?? {};
    // §4: the callable never runs inside addTask, so its behaviour can be filed under its uid after.
    const uid = this.manager.addTask(this.#callable, rest);
    if (behaviour !== undefined) this.#behaviours.set(uid, behaviour);
    this.#tasksAdded++;
    return uid;
  }

  onIdle(): void {
    const id = this.#idleCalls++;
    void this.manager.onIdle().then(() => this.idleResolved.push(id));
  }

  result(uid: number): void {
    this.#observe(this.manager.result(uid));
  }

  whenGroupFinished(group: TaskGroup): void {
    this.#observe(this.manager.whenGroupFinished(group));
  }

  setPriority(uid: number, priority: number): boolean {
    return this.manager.setPriority(uid, priority);
  }

  /** Records how the promise of the next call settles, in the model's terms. */
  #observe(promise: Promise<unknown>): void {
    const call = this.#promiseCalls++;
    promise.then(
      (value) => this.promiseOutcomes.push({ call, settled: 'resolved', value }),
      (error: unknown) => this.promiseOutcomes.push(rejection(call, error)),
    );
  }

  addPassThroughTask(options: Parameters<ReferenceModel['addPassThroughTask']>[0]): number {
    const uid = this.manager.addPassThroughTask(options);
    this.#tasksAdded++;
    return uid;
  }

  stopTask(uid: number, flags: StopFlags): void {
    this.manager.stopTask(uid, flags);
  }

  stopTaskGroup(group: TaskGroup, flags: StopFlags): void {
    this.manager.stopTaskGroup(group, flags);
  }

  stopAllTasks(): void {
    this.manager.stopAllTasks();
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  pauseProcessing(): void {
    this.manager.pauseProcessing();
  }

  startProcessing(): void {
    this.manager.startProcessing();
  }

  nextGroupId(): number {
    return this.manager.nextGroupId();
  }

  shutDown(): void {
    void this.manager.shutDown();
  }

  complete(uid: number, result: unknown): void {
    this.#take(uid).resolve(result);
  }

  fail(uid: number, error: unknown): void {
    this.#take(uid).reject(error);
  }

  unsettled(): number[] {
    return [...this.#unsettled].flatMap(([uid, runs]) => runs.map(() => uid)).sort((a, b) => a - b);
  }

  get taskCount(): number {
    return this.#tasksAdded;
  }

  #take(uid: number): Deferred {
    const settled = this.#unsettled.get(uid)?.[0];
    if (settled === undefined) throw new Error(`harness: task ${uid} is not unsettled`);
    this.#forget(uid, settled);
    return settled;
  }

  #forget(uid: number, run: Deferred): void {
    const left = (this.#unsettled.get(uid) ?? []).filter((other) => other !== run);
    if (left.length === 0) this.#unsettled.delete(uid);
    else this.#unsettled.set(uid, left);
  }
}

/**
 * A timeout's traceback is its error's stack, made inside the manager: the
 * model states its first line, which names the error and its message.
 */
function modelTraceback(traceback: string): string {
  return traceback.startsWith('TaskTimeoutError: ') ? (traceback.split('\n')[0] as string) : traceback;
}

/** A rejection of `result()` / `whenGroupFinished()` as the model states it; anything else is a harness failure. */
function rejection(call: number, error: unknown): PromiseOutcome {
  if (error instanceof TaskFailedError && error.code === ErrorCodes.taskFailed) {
    const { uid, message } = error;
    const traceback = modelTraceback(error.traceback);
    const cause: unknown = 'cause' in error ? error.cause : 'no cause';
    if (!(cause instanceof TaskTimeoutError)) return { call, settled: 'failed', uid, message, traceback, cause };
    if (cause.code !== ErrorCodes.taskTimeout || cause.message !== message) throw new Error('harness: bad timeout');
    const timeout: ModelTimeout = { timedOut: cause.uid, ms: cause.timeoutMs };
    return { call, settled: 'failed', uid, message, traceback, cause: timeout };
  }
  if (error instanceof TaskStoppedError && error.code === ErrorCodes.taskStopped) {
    return { call, settled: 'stopped', uid: error.uid, group: error.group };
  }
  if (error instanceof TaskNotPendingError && error.code === ErrorCodes.taskNotPending) {
    return { call, settled: 'notPending', uid: error.uid, reason: error.reason };
  }
  throw new Error(`harness: unexpected rejection ${String(error)}`);
}

/** What a command may pick: resolved against the state when it runs. */
type UpstreamPick = { kind: 'existing'; index: number } | { kind: 'unknown'; id: number };
const groups: ReadonlyArray<TaskGroup | undefined> = [undefined, 'a', 'b', 0, 1];

interface AddSpec {
  readonly behaviour: ModelBehaviour;
  readonly priority: number | undefined;
  readonly group: TaskGroup | undefined;
  readonly upstream: readonly UpstreamPick[];
  readonly args: readonly number[];
  readonly kwargs: Readonly<Record<string, number>> | undefined;
  readonly timeoutMs: number | undefined;
  readonly retry: ModelRetry | undefined;
}

function resolveUpstream(picks: readonly UpstreamPick[], taskCount: number): number[] {
  return picks.flatMap((pick) =>
    pick.kind === 'unknown' ? [pick.id] : taskCount === 0 ? [] : [pick.index % taskCount],
  );
}

function addOptions(spec: AddSpec, taskCount: number) {
  return {
    ...(spec.priority === undefined ? {} : { priority: spec.priority }),
    ...(spec.group === undefined ? {} : { group: spec.group }),
    ...(spec.upstream.length === 0 ? {} : { upstreamTaskIds: resolveUpstream(spec.upstream, taskCount) }),
    ...(spec.kwargs === undefined ? {} : { taskKwargs: { ...spec.kwargs } }),
  };
}

/** Runs `call` on one side; returns the error code it threw, or 'ok'. */
function outcome(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** One action, the same on both sides; used as a command and from inside listeners. */
type Action =
  | { kind: 'add'; spec: AddSpec }
  | { kind: 'passThrough'; spec: AddSpec }
  | { kind: 'stopTask'; pick: number; flags: StopFlags }
  | { kind: 'stopGroup'; group: TaskGroup; flags: StopFlags }
  | { kind: 'stopAll' }
  | { kind: 'pause' }
  | { kind: 'start' }
  | { kind: 'nextGroupId' }
  | { kind: 'onIdle' }
  | { kind: 'result'; pick: number }
  | { kind: 'whenGroupFinished'; group: TaskGroup }
  | { kind: 'setPriority'; pick: number; priority: number }
  | { kind: 'shutDown' };

/** Every side gets its own copy of a returned value, as two independent callables would make. */
function ownBehaviour(behaviour: ModelBehaviour): ModelBehaviour {
  return behaviour.kind === 'value' || behaviour.kind === 'sleep'
    ? { ...behaviour, value: structuredClone(behaviour.value) }
    : behaviour;
}

/** The calls the model and the real system share, so one function applies an action to either. */
type Target = Pick<
  ReferenceModel,
  | 'addTask'
  | 'addPassThroughTask'
  | 'stopTask'
  | 'stopTaskGroup'
  | 'stopAllTasks'
  | 'pauseProcessing'
  | 'startProcessing'
  | 'nextGroupId'
  | 'onIdle'
  | 'result'
  | 'whenGroupFinished'
  | 'setPriority'
  | 'shutDown'
>;

function applyTo(target: Target, action: Action, taskCount: number): string {
  switch (action.kind) {
    case 'add':
      return outcome(() =>
        target.addTask({
          ...addOptions(action.spec, taskCount),
          ...(action.spec.timeoutMs === undefined ? {} : { timeoutMs: action.spec.timeoutMs }),
          ...(action.spec.retry === undefined ? {} : { retry: { ...action.spec.retry } }),
          taskArgs: [...action.spec.args],
          behaviour: ownBehaviour(action.spec.behaviour),
        }),
      );
    case 'passThrough':
      return outcome(() => target.addPassThroughTask(addOptions(action.spec, taskCount)));
    case 'stopTask':
      return outcome(() => {
        target.stopTask(pickTask(action.pick, taskCount), action.flags);
      });
    case 'stopGroup':
      return outcome(() => {
        target.stopTaskGroup(action.group, action.flags);
      });
    case 'stopAll':
      return outcome(() => {
        target.stopAllTasks();
      });
    case 'pause':
      return outcome(() => {
        target.pauseProcessing();
      });
    case 'start':
      return outcome(() => {
        target.startProcessing();
      });
    case 'nextGroupId':
      return String(target.nextGroupId());
    case 'onIdle':
      return outcome(() => {
        target.onIdle();
      });
    case 'result':
      return outcome(() => {
        target.result(pickTask(action.pick, taskCount));
      });
    case 'whenGroupFinished':
      return outcome(() => {
        target.whenGroupFinished(action.group);
      });
    case 'setPriority':
      return String(target.setPriority(pickTask(action.pick, taskCount), action.priority));
    case 'shutDown':
      return outcome(() => {
        target.shutDown();
      });
  }
}

const applyToModel = (model: ReferenceModel, action: Action): string => applyTo(model, action, model.taskCount);
const applyToReal = (real: RealSystem, action: Action): string => applyTo(real, action, real.taskCount);

/** Existing ids, plus one unknown id past the end. */
function pickTask(pick: number, taskCount: number): number {
  return pick % (taskCount + 1);
}

function describeAction(action: Action): string {
  return JSON.stringify(action, (_key, value: unknown) =>
    value instanceof Error
      ? `Error(${value.message})`
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : value,
  );
}

/** Both sides side by side; fast-check's "model" and "real" are this one object. */
export class Systems {
  readonly model: ReferenceModel;
  readonly real: RealSystem;
  readonly maxThreads: number;
  readonly modelListenerOutcomes: string[] = [];
  /** Errors that escaped the manager into the process (see {@link captureProcessFaults}). */
  readonly #faults: readonly string[];

  constructor(
    maxThreads: number,
    startProcessing: boolean,
    finishedTaskHistory: number,
    taskTimeoutMs: number,
    retry: ModelRetry | undefined,
    faults: readonly string[],
  ) {
    this.maxThreads = maxThreads;
    this.#faults = faults;
    this.model = new ReferenceModel({
      maxThreads,
      startProcessing,
      finishedTaskHistory,
      lifecycleEvents: true,
      taskTimeoutMs,
      ...(retry === undefined ? {} : { retry }),
    });
    this.real = new RealSystem(maxThreads, startProcessing, finishedTaskHistory, taskTimeoutMs, retry);
  }

  apply(action: Action): void {
    const modelOutcome = applyToModel(this.model, action);
    const realOutcome = applyToReal(this.real, action);
    expect(realOutcome, `outcome of ${describeAction(action)}`).toBe(modelOutcome);
  }

  /** Lets both sides run to quiescence, then compares everything observable. */
  async compare(): Promise<void> {
    this.model.flush();
    await settle();
    const { model, real } = this;
    expect(this.#faults, 'errors thrown inside the manager').toEqual([]);
    expect(real.listenerOutcomes).toEqual(this.modelListenerOutcomes);
    expect(real.events).toEqual(model.events);
    expect(real.invocations).toEqual(model.invocations);
    expect(real.unsettled()).toEqual(model.unsettled());
    expect(real.taskCount).toBe(model.taskCount);
    expect(real.manager.phase).toBe(model.phase);
    expect(real.manager.pendingCount).toBe(model.pendingCount);
    expect([...real.idleResolved].sort((a, b) => a - b)).toEqual([...model.idleResolved].sort((a, b) => a - b));
    const byCall = (outcomes: readonly PromiseOutcome[]): PromiseOutcome[] =>
      [...outcomes].sort((a, b) => a.call - b.call);
    expect(byCall(real.promiseOutcomes), 'result() and whenGroupFinished() outcomes').toEqual(
      byCall(model.promiseOutcomes),
    );
    const ids = Array.from({ length: real.taskCount + 1 }, (_, uid) => uid);
    expect(ids.map((uid) => real.manager.getTaskState(uid))).toEqual(ids.map((uid) => model.getTaskState(uid)));
    const running = ids.filter((uid) => real.manager.getTaskState(uid) === 'running');
    expect(running).toEqual(model.running());
    expect(running.length).toBeLessThanOrEqual(this.maxThreads);
  }
}

type Trigger = ModelEvent['type'];

/**
 * Registers, on both sides, a one-shot listener that performs `action` at
 * the next event of type `trigger` (reentrancy: the action runs inside the
 * emission). With `useEventTarget`, a stop targets the event's own task or group.
 */
function onNext(systems: Systems, trigger: Trigger, action: Action, useEventTarget: boolean): void {
  const { model, real } = systems;
  const retarget = (event: ModelEvent): Action => {
    if (!useEventTarget) return action;
    const uid = event.type === 'taskGroupFinished' ? undefined : event.uid;
    if (
      uid !== undefined &&
      (action.kind === 'stopTask' || action.kind === 'result' || action.kind === 'setPriority')
    ) {
      return { ...action, pick: uid };
    }
    if (action.kind === 'whenGroupFinished' && event.group !== undefined) return { ...action, group: event.group };
    if (action.kind === 'stopGroup' && event.group !== undefined) return { ...action, group: event.group };
    return action;
  };
  let modelFired = false;
  model.on((event) => {
    if (modelFired || event.type !== trigger) return;
    modelFired = true;
    systems.modelListenerOutcomes.push(`${trigger}: ${applyToModel(model, retarget(event))}`);
  });
  let realFired = false;
  const once = (event: ModelEvent): void => {
    if (realFired) return;
    realFired = true;
    real.listenerOutcomes.push(`${trigger}: ${applyToReal(real, retarget(event))}`);
  };
  const manager = real.manager;
  if (trigger === 'taskStarted')
    manager.on('taskStarted', (uid, group) => {
      once({ type: trigger, uid, group });
    });
  if (trigger === 'taskStopped')
    manager.on('taskStopped', (uid, group) => {
      once({ type: trigger, uid, group });
    });
  if (trigger === 'taskRetrying')
    manager.on('taskRetrying', (uid, group, attempt, message) => {
      once({ type: trigger, uid, group, attempt, message });
    });
  if (trigger === 'taskCompleted')
    manager.on('taskCompleted', (uid, group, result) => {
      once({ type: trigger, uid, group, result });
    });
  if (trigger === 'taskFailed')
    manager.on('taskFailed', (uid, group, message, traceback) => {
      once({ type: trigger, uid, group, message, traceback });
    });
  if (trigger === 'taskGroupFinished')
    manager.on('taskGroupFinished', (group) => {
      once({ type: trigger, group });
    });
}

type SystemsCommand = fc.AsyncCommand<Systems, Systems>;

class ActionCommand implements SystemsCommand {
  constructor(readonly action: Action) {}
  check = (): boolean => true;
  async run(_model: Systems, systems: Systems): Promise<void> {
    systems.apply(this.action);
    await systems.compare();
  }
  toString = (): string => describeAction(this.action);
}

class SettleCommand implements SystemsCommand {
  constructor(
    readonly pick: number,
    readonly outcome: { ok: true; result: unknown } | { ok: false; error: 'Error' | 'string' | 'undefined' },
  ) {}
  check = (systems: Systems): boolean => systems.model.unsettled().length > 0;
  async run(_model: Systems, systems: Systems): Promise<void> {
    const candidates = systems.model.unsettled();
    const uid = candidates[this.pick % candidates.length] as number;
    if (this.outcome.ok) {
      systems.model.complete(uid, structuredClone(this.outcome.result));
      systems.real.complete(uid, structuredClone(this.outcome.result));
    } else {
      const error = makeError(this.outcome.error, `task ${uid}`);
      systems.model.fail(uid, error);
      systems.real.fail(uid, error);
    }
    await systems.compare();
  }
  toString = (): string => `settle(pick ${this.pick}, ${JSON.stringify(this.outcome)})`;
}

/** Moves both clocks on by `ms`: time limits and sleeping callables that are due fire. */
class AdvanceCommand implements SystemsCommand {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(_model: Systems, systems: Systems): Promise<void> {
    systems.model.advance(this.ms);
    systems.real.advance(this.ms);
    await systems.compare();
  }
  toString = (): string => `advance(${this.ms})`;
}

function makeError(kind: 'Error' | 'string' | 'undefined', what: string): unknown {
  if (kind === 'Error') return new Error(`${what} failed`);
  if (kind === 'string') return `${what} failed (string)`;
  return undefined;
}

class OnNextCommand implements SystemsCommand {
  constructor(
    readonly trigger: Trigger,
    readonly action: Action,
    readonly useEventTarget: boolean,
  ) {}
  check = (): boolean => true;
  async run(_model: Systems, systems: Systems): Promise<void> {
    onNext(systems, this.trigger, this.action, this.useEventTarget);
    await systems.compare();
  }
  toString = (): string =>
    `onNext(${this.trigger}, ${describeAction(this.action)}, eventTarget=${this.useEventTarget})`;
}

// ---- arbitraries ----

// Mostly a few small integers (many ties, where add order decides), then any finite number:
// negative, fractional, huge, -0 and the extremes.
const priority = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -2, max: 2 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        -0,
        0.5,
        -0.5,
        1.5,
        63,
        64,
        -64,
        -65,
        1e9,
        -1e9,
        2 ** 53,
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
        Number.MIN_VALUE,
      ),
    },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  ),
  { nil: undefined },
);
const group = fc.constantFrom(...groups);
const upstreamPick: fc.Arbitrary<UpstreamPick> = fc.oneof(
  { weight: 5, arbitrary: fc.nat({ max: 1000 }).map((index) => ({ kind: 'existing' as const, index })) },
  { weight: 1, arbitrary: fc.integer({ min: 500, max: 600 }).map((id) => ({ kind: 'unknown' as const, id })) },
);
const kwargKey = fc.constantFrom('k', 'x', 'y');
const result: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(kwargKey, fc.integer({ min: 0, max: 9 }), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.integer(), { maxLength: 2 }) },
);

const thrown = fc.constantFrom('Error' as const, 'string' as const, 'undefined' as const);
// One Error object per generated action: both sides throw the very same one, so their tracebacks match.
/** Times of the clock: a few small steps, so that limits and sleeps fall before, on and after each other. */
const ms = fc.constantFrom(1, 2, 5, 10);
/** Up to three attempts, delays from none to a few steps, growing or capped. */
const retryPolicy: fc.Arbitrary<ModelRetry> = fc.record({
  attempts: fc.integer({ min: 1, max: 3 }),
  delayMs: fc.constantFrom(0, 1, 5),
  factor: fc.constantFrom(1, 2, 10),
  maxDelayMs: fc.constantFrom(Infinity, 3),
});
const behaviour: fc.Arbitrary<ModelBehaviour> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'promise' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'promise' as const, honoursSignal: true }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('sleep' as const),
      ms,
      value: result,
      honoursSignal: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.constant(null).chain(() => result.map((value) => ({ kind: 'value' as const, value }))) },
  {
    weight: 1,
    arbitrary: thrown.map((kind) => ({ kind: 'throw' as const, error: makeError(kind, 'thrown at once:') })),
  },
);
const spec: fc.Arbitrary<AddSpec> = fc.record({
  behaviour,
  priority,
  group,
  upstream: fc.array(upstreamPick, { maxLength: 3 }),
  args: fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 2 }),
  kwargs: fc.option(fc.dictionary(kwargKey, fc.integer({ min: 0, max: 9 }), { maxKeys: 2 }), { nil: undefined }),
  timeoutMs: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: ms },
    { weight: 1, arbitrary: fc.constant(Infinity) },
  ),
  retry: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: retryPolicy }),
});
const flags: fc.Arbitrary<StopFlags> = fc.record({ stopUpstream: fc.boolean(), stopDownstream: fc.boolean() });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: spec.map((s) => ({ kind: 'add' as const, spec: s })) },
  { weight: 3, arbitrary: spec.map((s) => ({ kind: 'passThrough' as const, spec: s })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stopTask' as const), pick: fc.nat({ max: 1000 }), flags }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('stopGroup' as const),
      group: fc.constantFrom(...groups.filter((g): g is TaskGroup => g !== undefined)),
      flags,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'stopAll' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'pause' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'start' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nextGroupId' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'onIdle' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('result' as const), pick: fc.nat({ max: 1000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('whenGroupFinished' as const),
      group: fc.constantFrom(...groups.filter((g): g is TaskGroup => g !== undefined)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('setPriority' as const),
      pick: fc.nat({ max: 1000 }),
      priority: priority.map((p) => p ?? 0),
    }),
  },
);
/** Shutting down ends most of the interest of a run: rare, and only as its own command. */
const shutDown = fc.constant({ kind: 'shutDown' as const });

const commands = [
  action.map((a) => new ActionCommand(a) as SystemsCommand),
  shutDown.map((a) => new ActionCommand(a) as SystemsCommand),
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        { weight: 3, arbitrary: result.map((r) => ({ ok: true as const, result: r })) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('Error' as const, 'string' as const, 'undefined' as const)
            .map((error) => ({ ok: false as const, error })),
        },
      ),
    )
    .map(([pick, settled]) => new SettleCommand(pick, settled) as SystemsCommand),
  fc
    .tuple(
      fc.constantFrom<Trigger>(
        'taskStarted',
        'taskCompleted',
        'taskFailed',
        'taskRetrying',
        'taskStopped',
        'taskGroupFinished',
      ),
      fc.oneof(action, shutDown),
      fc.boolean(),
    )
    .map(([trigger, inner, retarget]) => new OnNextCommand(trigger, inner, retarget) as SystemsCommand),
  fc.oneof(ms, fc.constant(0)).map((step) => new AdvanceCommand(step) as SystemsCommand),
];

/** fc.commands picks uniformly among its arbitraries: repeat one to weigh it. */
const weightedCommands: fc.Arbitrary<SystemsCommand>[] = [
  ...Array<fc.Arbitrary<SystemsCommand>>(8).fill(commands[0] as fc.Arbitrary<SystemsCommand>),
  commands[1] as fc.Arbitrary<SystemsCommand>,
  ...Array<fc.Arbitrary<SystemsCommand>>(8).fill(commands[2] as fc.Arbitrary<SystemsCommand>),
  ...Array<fc.Arbitrary<SystemsCommand>>(2).fill(commands[3] as fc.Arbitrary<SystemsCommand>),
  ...Array<fc.Arbitrary<SystemsCommand>>(4).fill(commands[4] as fc.Arbitrary<SystemsCommand>),
];

export interface ModelRunOptions {
  readonly maxCommands: number;
}

/** Mostly a history long enough never to forget; sometimes one so short that released tasks answer undefined. */
const finishedTaskHistory = fc.oneof(
  { weight: 3, arbitrary: fc.constant(100_000) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) },
);

/** Mostly no manager-wide time limit, sometimes one that every task without its own takes. */
const taskTimeoutMs = fc.oneof({ weight: 3, arbitrary: fc.constant(Infinity) }, { weight: 1, arbitrary: ms });

/** The property: any command sequence keeps the real manager and the model in agreement. */
export function agreementProperty(options: ModelRunOptions) {
  return fc.asyncProperty(
    fc.integer({ min: 1, max: 3 }),
    fc.boolean(),
    finishedTaskHistory,
    taskTimeoutMs,
    fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: retryPolicy }),
    fc.commands(weightedCommands, { maxCommands: options.maxCommands, size: 'max' }),
    async (maxThreads, startProcessing, history, timeoutMs, retry, cmds) => {
      const faults = captureProcessFaults();
      const systems = new Systems(maxThreads, startProcessing, history, timeoutMs, retry, faults.errors);
      try {
        await fc.asyncModelRun(() => ({ model: systems, real: systems }), cmds);
        await settle();
        expect(faults.errors, 'errors thrown inside the manager').toEqual([]);
      } finally {
        faults.restore();
        await systems.real.manager.shutDown();
      }
    },
  );
}
