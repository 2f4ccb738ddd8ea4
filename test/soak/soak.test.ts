// Soak: 20,000 tasks, main-thread and worker mixed, with random dependencies, groups, stops, pauses,
// resumes and failures, all driven by a seeded PRNG (the seed is in the test name). The seed fixes the
// task graph (every task's kind, group, priority and upstream ids) and the sequence of commands; which
// held task a command picks can still vary with the worker threads' timing.
// A model kept beside the manager checks, event by event, that every task ends with exactly one
// outcome, that groups finish exactly when they should, and that stops stop exactly what they should;
// then the heap must come back to its baseline once the manager is shut down.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  BackgroundTaskManager,
  ErrorCodes,
  workerTask,
  type TaskContext,
  type TaskGroup,
  type TaskState,
} from '../../src/index.js';
import { deferred, settle, type Deferred } from '../helpers.js';

const SEED = 0x50a4_2026;
const TASKS = 20_000;
const MAX_THREADS = 4;
/** Numbers in each main-thread result: enough that keeping the results alive would show in the heap. */
const PAYLOAD = 96;
/** The heap may be this much above its baseline after shut-down (a retained 20,000-task graph is far more). */
const HEAP_SLACK_BYTES = 5 * 1024 * 1024;
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

/** mulberry32: a tiny, fast, seeded PRNG; `random()` is in [0, 1). */
function prng(seed: number) {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    random,
    int: (min: number, max: number): number => min + Math.floor(random() * (max - min + 1)),
    chance: (p: number): boolean => random() < p,
  };
}

/** `global.gc`, exposed at run time when node was started without --expose-gc. */
function obtainGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
async function heapAfterGc(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await settle();
    gc();
  }
  // Typed-array memory counts too: the scheduler keeps its tasks' numbers there.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Whether `ref`'s target is collected within `rounds` full collections, each after a turn of the
 * event loop: on a loaded machine a handle that is still closing once `shutDown()` has resolved
 * (a worker thread's port) can hold the manager for a few more turns.
 */
async function collectedWithin(ref: WeakRef<object>, gc: () => void, rounds: number): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    await settle();
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

const Kind = Object.freeze({
  sync: 0, // returns at once
  microtasks: 1, // resolves after a few microtasks
  controlled: 2, // resolved or rejected later by the driver
  throws: 3, // throws synchronously
  rejects: 4, // rejects after a few microtasks
  passThrough: 5,
  workerAdd: 6,
  workerKwargs: 7,
  workerThrows: 8,
} as const);
type Kind = (typeof Kind)[keyof typeof Kind];
const Outcome = Object.freeze({ pending: 0, completed: 1, failed: 2, stopped: 3 } as const);
const finalState = ['pending', 'done', 'failed', 'stopped'] as const;

interface SoakSummary {
  readonly violations: readonly string[];
  readonly outcomes: { completed: number; failed: number; cascaded: number; stopped: number };
  readonly stoppedWhileRunning: number;
  readonly workerTasks: number;
  readonly groupsFinished: number;
  readonly stopCalls: number;
  readonly listenerStops: number;
  readonly pauses: number;
  /** Must be cleared by the collector once the run is over: nothing may keep the manager alive. */
  readonly manager: WeakRef<BackgroundTaskManager>;
}

/** Runs the whole soak; returns only a summary, so that nothing of the run stays reachable. */
async function runSoak(seed: number, tasks: number): Promise<SoakSummary> {
  const graph = prng(seed); // the tasks: kinds, groups, priorities, upstream ids
  const commands = prng(seed ^ 0x9e37_79b9); // what the driver does at each step
  const picks = prng(seed ^ 0x85eb_ca6b); // which held or recent task a command targets (timing-dependent)
  const manager = new BackgroundTaskManager({
    maxThreads: MAX_THREADS,
    workerScript,
    finishedTaskHistory: tasks, // every task's final state stays answerable
    startProcessing: true,
  });

  // The model: what the manager must be doing, task by task.
  const kind = new Uint8Array(tasks);
  const outcome = new Uint8Array(tasks);
  const invoked = new Uint8Array(tasks);
  const resultIsObject = new Uint8Array(tasks);
  const groupOf: Array<TaskGroup | undefined> = new Array<TaskGroup | undefined>(tasks);
  const upstreamOf: number[][] = Array.from({ length: tasks }, () => []);
  const downstreamOf: number[][] = Array.from({ length: tasks }, () => []);
  const pending = new Set<number>();
  const pendingByGroup = new Map<TaskGroup, Set<number>>();
  const violations: string[] = [];
  const violation = (text: string): void => {
    if (violations.length < 25) violations.push(text);
  };
  let expectedGroupFinish: TaskGroup | undefined;
  const counts = { completed: 0, failed: 0, cascaded: 0, stopped: 0 };
  let stoppedWhileRunning = 0;
  let workerTasks = 0;
  let groupsFinished = 0;
  let stopCalls = 0;
  let listenerStops = 0;
  let pauses = 0;

  function finish(uid: number, how: number, group: TaskGroup | undefined, state: TaskState): void {
    if (expectedGroupFinish !== undefined)
      violation(`task ${uid} finished before taskGroupFinished(${expectedGroupFinish})`);
    if (outcome[uid] !== Outcome.pending) {
      violation(`task ${uid}: ${finalState[how]} event after it was already ${finalState[outcome[uid] as number]}`);
      return;
    }
    if (group !== groupOf[uid])
      violation(`task ${uid}: event group ${String(group)}, added to ${String(groupOf[uid])}`);
    const actual = manager.getTaskState(uid);
    if (actual !== state) violation(`task ${uid}: state ${String(actual)} during its ${state} event`);
    outcome[uid] = how;
    pending.delete(uid);
    if (group === undefined) return;
    const members = pendingByGroup.get(group) as Set<number>;
    members.delete(uid);
    if (members.size === 0) {
      pendingByGroup.delete(group);
      expectedGroupFinish = group;
    }
  }

  function isAncestor(ancestor: number, uid: number): boolean {
    const seen = new Set<number>();
    const stack = [uid];
    while (stack.length > 0) {
      for (const up of upstreamOf[stack.pop() as number] as number[]) {
        if (up === ancestor) return true;
        if (up > ancestor && !seen.has(up)) {
          seen.add(up);
          stack.push(up);
        }
      }
    }
    return false;
  }

  manager.on('taskCompleted', (uid, group, result) => {
    finish(uid, Outcome.completed, group, 'done');
    counts.completed++;
    const k = kind[uid] as Kind;
    if (k === Kind.throws || k === Kind.rejects || k === Kind.workerThrows)
      violation(`task ${uid} of a failing kind completed`);
    if (k <= Kind.controlled) {
      const ok =
        resultIsObject[uid] === 1
          ? (result as { from?: unknown }).from === uid
          : Array.isArray(result) && result[0] === uid;
      if (!ok) violation(`task ${uid}: unexpected result ${JSON.stringify(result ?? null).slice(0, 80)}`);
      if (invoked[uid] !== 1) violation(`task ${uid} completed after ${invoked[uid]} invocations`);
    } else if (k === Kind.workerAdd && result !== uid) violation(`worker task ${uid} returned ${String(result)}`);
    else if ((k === Kind.passThrough || k === Kind.workerKwargs) && (typeof result !== 'object' || result === null)) {
      violation(`task ${uid}: kwargs result ${String(result)}`);
    }
  });

  manager.on('taskFailed', (uid, group, message, traceback) => {
    finish(uid, Outcome.failed, group, 'failed');
    const source = /^fail (\d+)$/.exec(message);
    if (source === null) {
      violation(`task ${uid}: unexpected failure message ${message}`);
      return;
    }
    const origin = Number(source[1]);
    if (origin === uid) {
      counts.failed++;
      const k = kind[uid] as Kind;
      if (k !== Kind.throws && k !== Kind.rejects && k !== Kind.controlled && k !== Kind.workerThrows) {
        violation(`task ${uid} of kind ${k} failed with its own message`);
      }
      if (k <= Kind.rejects && invoked[uid] !== 1) violation(`task ${uid} failed after ${invoked[uid]} invocations`);
      if (!traceback.includes(message)) violation(`task ${uid}: traceback without its message`);
    } else {
      counts.cascaded++;
      if (outcome[origin] !== Outcome.failed)
        violation(`task ${uid} failed by cascade from ${origin}, which did not fail`);
      if (!isAncestor(origin, uid)) violation(`task ${uid} failed by cascade from ${origin}, not upstream of it`);
      if (invoked[uid] !== 0) violation(`task ${uid} ran, then failed by cascade from ${origin}`);
    }
  });

  manager.on('taskGroupFinished', (group) => {
    groupsFinished++;
    if (expectedGroupFinish !== group)
      violation(`taskGroupFinished(${String(group)}), expected ${String(expectedGroupFinish)}`);
    expectedGroupFinish = undefined;
  });

  // The end: resolved by whichever event leaves nothing pending once every task has been added.
  let draining = false;
  const drained = deferred<void>();
  const checkDrained = (): void => {
    if (draining && manager.pendingCount === 0) drained.resolve();
  };
  manager.on('taskCompleted', checkDrained);
  manager.on('taskFailed', checkDrained);
  manager.on('error', (error, event) => {
    violation(`a ${event} listener threw: ${String(error)}`);
  });

  // Main-thread callables. Each checks, when invoked, that it may run now.
  const open: Array<{ uid: number; settle: Deferred; signal: AbortSignal }> = [];
  const valueOf = (uid: number): unknown =>
    resultIsObject[uid] === 1
      ? { from: uid, data: new Array<number>(PAYLOAD).fill(uid) }
      : new Array<number>(PAYLOAD).fill(uid);
  function onInvoke(context: TaskContext, uid: number): void {
    invoked[uid] = (invoked[uid] as number) + 1;
    if (context.uid !== uid) violation(`task ${uid} invoked with this.uid ${context.uid}`);
    if (outcome[uid] !== Outcome.pending)
      violation(`task ${uid} invoked after it was ${finalState[outcome[uid] as number]}`);
    if (manager.phase !== 'processing') violation(`task ${uid} started while ${manager.phase}`);
    for (const up of upstreamOf[uid] as number[]) {
      if (outcome[up] === Outcome.pending) violation(`task ${uid} started before its upstream task ${up} finished`);
    }
  }
  async function afterMicrotasks(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await null;
  }
  function callable(uid: number, k: Kind): (this: TaskContext) => unknown {
    const microtasks = graph.int(0, 4);
    switch (k) {
      case Kind.sync:
        return function (this: TaskContext) {
          onInvoke(this, uid);
          return valueOf(uid);
        };
      case Kind.microtasks:
        return async function (this: TaskContext) {
          onInvoke(this, uid);
          await afterMicrotasks(microtasks);
          return valueOf(uid);
        };
      case Kind.controlled:
        return function (this: TaskContext) {
          onInvoke(this, uid);
          if (draining) return Promise.resolve(valueOf(uid));
          const settleLater = deferred();
          open.push({ uid, settle: settleLater, signal: this.signal });
          return settleLater.promise;
        };
      case Kind.throws:
        return function (this: TaskContext) {
          onInvoke(this, uid);
          throw new Error(`fail ${uid}`);
        };
      default:
        return async function (this: TaskContext) {
          onInvoke(this, uid);
          await afterMicrotasks(microtasks);
          throw new Error(`fail ${uid}`);
        };
    }
  }

  // Groups: a rolling window of recent groups, fresh numbers from nextGroupId() and a few reused
  // strings (a group that emptied finishes again once new tasks joined it and completed).
  const recentGroups: TaskGroup[] = [];
  function pickGroup(): TaskGroup | undefined {
    if (graph.chance(0.35)) return undefined;
    if (recentGroups.length === 0 || graph.chance(0.04)) {
      recentGroups.push(graph.chance(0.5) ? manager.nextGroupId() : `g${graph.int(0, 9)}`);
      if (recentGroups.length > 8) recentGroups.shift();
    }
    return recentGroups[graph.int(0, recentGroups.length - 1)];
  }

  function pickKind(): Kind {
    if (graph.chance(1 / 20)) {
      const r = graph.random();
      return r < 0.6 ? Kind.workerAdd : r < 0.9 ? Kind.workerKwargs : Kind.workerThrows;
    }
    const r = graph.random();
    if (r < 0.27) return Kind.sync;
    if (r < 0.65) return Kind.microtasks;
    if (r < 0.8) return Kind.controlled;
    if (r < 0.83) return Kind.throws;
    if (r < 0.87) return Kind.rejects;
    return Kind.passThrough;
  }

  let added = 0;
  function addOne(): void {
    const uid = added;
    const k = pickKind();
    const group = pickGroup();
    const upstream: number[] = [];
    if (uid > 0 && graph.chance(0.4)) {
      for (let n = graph.int(1, 2); n > 0; n--) upstream.push(graph.int(Math.max(0, uid - 60), uid - 1));
    }
    const options = { priority: graph.int(-2, 2), group, upstreamTaskIds: upstream };
    kind[uid] = k;
    resultIsObject[uid] = graph.chance(0.5) ? 1 : 0;
    groupOf[uid] = group;
    let actual: number;
    if (k === Kind.passThrough) actual = manager.addPassThroughTask({ ...options, taskKwargs: { own: uid } });
    else if (k >= Kind.workerAdd) {
      workerTasks++;
      const name = k === Kind.workerAdd ? 'add' : k === Kind.workerKwargs ? 'kwargs' : 'throws';
      const taskArgs = k === Kind.workerAdd ? [uid, 0] : k === Kind.workerThrows ? [`fail ${uid}`] : [];
      actual = manager.addTask(workerTask(name), { ...options, taskArgs });
    } else actual = manager.addTask(callable(uid, k), options);
    if (actual !== uid) violation(`addTask returned ${actual}, expected ${uid}`);
    added++;
    // Upstream ids that name no pending task count as satisfied for good (contract I1).
    for (const up of new Set(upstream)) {
      if (outcome[up] !== Outcome.pending) continue;
      (upstreamOf[uid] as number[]).push(up);
      (downstreamOf[up] as number[]).push(uid);
    }
    pending.add(uid);
    if (group !== undefined) {
      const members = pendingByGroup.get(group);
      if (members === undefined) pendingByGroup.set(group, new Set([uid]));
      else members.add(uid);
    }
  }

  /** The tasks a stop must remove (contract S1), computed on the model before the call. */
  function expectedStops(start: Iterable<number>, up: boolean, down: boolean): Set<number> {
    const stopped = new Set<number>();
    const worklist: number[] = [];
    for (const uid of start) {
      if (outcome[uid] === Outcome.pending && !stopped.has(uid)) {
        stopped.add(uid);
        worklist.push(uid);
      }
    }
    while (worklist.length > 0) {
      const uid = worklist.pop() as number;
      const next = [...(up ? (upstreamOf[uid] as number[]) : []), ...(down ? (downstreamOf[uid] as number[]) : [])];
      for (const other of next) {
        if (outcome[other] === Outcome.pending && !stopped.has(other)) {
          stopped.add(other);
          worklist.push(other);
        }
      }
    }
    return stopped;
  }
  function stopAndCheck(expected: Set<number>, stop: () => void): void {
    stopCalls++;
    const wasRunning = new Set([...expected].filter((uid) => manager.getTaskState(uid) === 'running'));
    stop();
    for (const uid of pending) {
      const state = manager.getTaskState(uid);
      if ((state === 'stopped') !== expected.has(uid)) violation(`stop: task ${uid} is ${String(state)}`);
    }
    for (const uid of expected) {
      if (outcome[uid] !== Outcome.pending) continue;
      outcome[uid] = Outcome.stopped;
      counts.stopped++;
      if (wasRunning.has(uid)) stoppedWhileRunning++;
      pending.delete(uid);
      const group = groupOf[uid];
      if (group === undefined) continue;
      const members = pendingByGroup.get(group) as Set<number>;
      members.delete(uid);
      if (members.size === 0) pendingByGroup.delete(group); // a stop never finishes a group (S4)
    }
  }

  /** Settles `count` held tasks at random: most complete, one in ten fails. */
  function release(count: number, fail = 0.1): void {
    for (let n = count; n > 0 && open.length > 0; n--) {
      const {
        uid,
        settle: settleLater,
        signal,
      } = open.splice(picks.int(0, open.length - 1), 1)[0] as (typeof open)[number];
      // A held task's signal is aborted exactly when it was stopped while it ran.
      const stopped = outcome[uid] === Outcome.stopped;
      if (signal.aborted !== stopped) violation(`task ${uid}: signal.aborted ${signal.aborted}, stopped ${stopped}`);
      if (stopped && (signal.reason as { code?: unknown } | undefined)?.code !== ErrorCodes.taskStopped) {
        violation(`task ${uid}: abort reason ${String(signal.reason)}`);
      }
      if (picks.chance(fail)) settleLater.reject(new Error(`fail ${uid}`));
      else settleLater.resolve(valueOf(uid));
    }
  }
  // Back-pressure, on events only: the driver adds faster than four slots drain, so now and then it
  // resumes processing, releases what it holds and waits for tasks to finish.
  let progress = deferred<void>();
  manager.on('taskCompleted', () => {
    progress.resolve();
  });
  manager.on('taskFailed', () => {
    progress.resolve();
  });
  async function catchUp(): Promise<void> {
    if (manager.phase === 'paused') manager.startProcessing();
    while (manager.pendingCount > 50) {
      progress = deferred<void>();
      release(open.length);
      await progress.promise;
    }
  }

  // Reentrancy: now and then a listener stops the group of a task that just failed, in the middle of
  // its cascade (the cascade must skip what was stopped), or tasks near one that just completed.
  manager.on('taskFailed', (_uid, group) => {
    if (draining || group === undefined || !picks.chance(0.05)) return;
    const up = picks.chance(0.4);
    const down = picks.chance(0.4);
    listenerStops++;
    stopAndCheck(expectedStops(pendingByGroup.get(group) ?? [], up, down), () => {
      manager.stopTaskGroup(group, { stopUpstream: up, stopDownstream: down });
    });
  });
  manager.on('taskCompleted', (uid) => {
    if (draining || !picks.chance(0.005)) return;
    const target = picks.int(uid, added - 1);
    const up = picks.chance(0.4);
    const down = picks.chance(0.4);
    listenerStops++;
    stopAndCheck(expectedStops([target], up, down), () => {
      manager.stopTask(target, { stopUpstream: up, stopDownstream: down });
    });
  });

  // The driver: random commands between yields of microtasks and, now and then, a macrotask.
  while (added < tasks) {
    const command = commands.random();
    if (command < 0.5) {
      for (let n = Math.min(commands.int(1, 16), tasks - added); n > 0; n--) addOne();
    } else if (command < 0.75) {
      release(picks.int(1, Math.ceil(open.length / 2)));
    } else if (command < 0.77) {
      // A task held running by the driver, or a recent one: sometimes finished, sometimes unknown.
      const held = open.length > 0 && picks.chance(0.5) ? open[picks.int(0, open.length - 1)]?.uid : undefined;
      const uid = held ?? picks.int(Math.max(0, added - 100), added + 2);
      const up = picks.chance(0.4);
      const down = picks.chance(0.4);
      const expected = uid < added ? expectedStops([uid], up, down) : new Set<number>();
      stopAndCheck(expected, () => {
        manager.stopTask(uid, { stopUpstream: up, stopDownstream: down });
      });
    } else if (command < 0.776 && recentGroups.length > 0) {
      const group = recentGroups[picks.int(0, recentGroups.length - 1)] as TaskGroup;
      const up = picks.chance(0.4);
      const down = picks.chance(0.4);
      const expected = expectedStops(pendingByGroup.get(group) ?? [], up, down);
      stopAndCheck(expected, () => {
        manager.stopTaskGroup(group, { stopUpstream: up, stopDownstream: down });
      });
    }
    const toggle = commands.random();
    if (manager.phase === 'paused' ? toggle < 0.1 : toggle < 0.012) {
      if (manager.phase === 'processing') {
        manager.pauseProcessing();
        pauses++;
      } else manager.startProcessing();
    }
    const pause = commands.random();
    if (manager.pendingCount > 300) await catchUp();
    else if (pause < 0.2) await settle();
    else await afterMicrotasks(Math.floor(pause * 5) % 4);
  }

  // Drain: processing on, every held task released; a task held from now on settles at once.
  draining = true;
  manager.startProcessing();
  release(open.length, 0);
  checkDrained();
  await drained.promise;
  await settle();

  if (expectedGroupFinish !== undefined) violation(`taskGroupFinished(${String(expectedGroupFinish)}) never came`);
  if (pending.size !== 0 || manager.pendingCount !== 0)
    violation(`${pending.size} / ${manager.pendingCount} tasks still pending`);
  for (let uid = 0; uid < tasks; uid++) {
    const expected = finalState[outcome[uid] as number];
    const state = manager.getTaskState(uid);
    if (state !== expected) violation(`task ${uid} ends ${String(state)}, expected ${expected}`);
  }
  await manager.shutDown();
  return {
    violations,
    outcomes: counts,
    stoppedWhileRunning,
    workerTasks,
    groupsFinished,
    stopCalls,
    listenerStops,
    pauses,
    manager: new WeakRef(manager),
  };
}

describe('soak', () => {
  it(
    `20,000 main-thread and worker tasks with random dependencies, groups, stops, pauses and failures each end with exactly one outcome, and the heap returns to its baseline (seed 0x${SEED.toString(16)})`,
    { timeout: 60_000 },
    async () => {
      const gc = obtainGc();
      // Warm up with a small run of another seed: every module, compiled function and lazily built cache
      // (stack trace formatting, the worker pool) that the measured run touches is in the baseline.
      const warmUp = await runSoak(SEED + 1, 2_000);
      expect(warmUp.violations).toEqual([]);
      const baseline = await heapAfterGc(gc);

      const summary = await runSoak(SEED, TASKS);
      // Nothing keeps the manager once it has shut down (a few turns at most, for handles still closing).
      expect(await collectedWithin(summary.manager, gc, 300)).toBe(true);
      const after = await heapAfterGc(gc);
      const { stoppedWhileRunning, workerTasks, groupsFinished, stopCalls, listenerStops, pauses } = summary;
      console.log(
        `soak seed 0x${SEED.toString(16)}: ${JSON.stringify(summary.outcomes)}, ${stoppedWhileRunning} stopped while running, ` +
          `${workerTasks} worker tasks, ${groupsFinished} groups finished, ${stopCalls} stop calls ` +
          `(${listenerStops} from listeners), ${pauses} pauses; ` +
          `heap ${((after - baseline) / 1024 / 1024).toFixed(2)} MB above baseline`,
      );
      expect(summary.violations).toEqual([]);
      const { completed, failed, cascaded, stopped } = summary.outcomes;
      expect(completed + failed + cascaded + stopped).toBe(TASKS);
      // The seed exercises every path, not just the happy one.
      expect(completed).toBeGreaterThan(TASKS / 2);
      expect(failed).toBeGreaterThan(200);
      expect(cascaded).toBeGreaterThan(100);
      expect(stopped).toBeGreaterThan(500);
      expect(summary.stoppedWhileRunning).toBeGreaterThan(20);
      expect(summary.workerTasks).toBeGreaterThan(TASKS / 25);
      expect(summary.groupsFinished).toBeGreaterThan(100);
      expect(summary.pauses).toBeGreaterThan(10);
      expect(summary.listenerStops).toBeGreaterThan(10);
      expect(after - baseline).toBeLessThan(HEAP_SLACK_BYTES);
    },
  );
});
