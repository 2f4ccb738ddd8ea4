import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  ErrorCodes,
  TaskFailedError,
  TaskNotPendingError,
  TaskStoppedError,
  workerTask,
  type TaskContext,
} from '../../src/index.js';
import { controlled, deferred, managersWith, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

/** How a promise settled, read after `settle()`; `pending` if it has not. */
function observe(promise: Promise<unknown>): { state: string; value?: unknown } {
  const seen: { state: string; value?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (error: unknown) => Object.assign(seen, { state: 'rejected', value: error }),
  );
  return seen;
}

describe('result(uid)', () => {
  it('resolves with what the callable returned, for main-thread, pass-through and worker tasks', async () => {
    const manager = create({ workerScript });
    const main = manager.addTask(async () => ({ rows: 3 }));
    const gather = manager.addPassThroughTask({ upstreamTaskIds: [main], taskKwargs: { tag: 't' } });
    const worker = manager.addTask(workerTask('add'), { taskArgs: [2, 3] });
    await expect(
      Promise.all([manager.result(main), manager.result(gather), manager.result<number>(worker)]),
    ).resolves.toEqual([{ rows: 3 }, { tag: 't', rows: 3 }, 5]);
  });

  it('gives every caller for one task the same promise, settled at its taskCompleted', async () => {
    const manager = create();
    const work = controlled();
    const uid = manager.addTask(work.run);
    const first = manager.result(uid);
    expect(manager.result(uid)).toBe(first);
    const seen = observe(first);
    let atEvent: unknown;
    manager.on('taskCompleted', () => (atEvent = seen.state));
    await settle();
    expect(seen.state).toBe('pending');
    work.resolve(0, 'ok');
    await settle();
    expect([atEvent, seen]).toEqual(['pending', { state: 'resolved', value: 'ok' }]);
  });

  it('rejects with TaskFailedError carrying message, traceback and, for a main-thread task, the thrown value as cause', async () => {
    const manager = create();
    const boom = new RangeError('boom');
    const root = manager.addTask(() => Promise.reject(boom));
    const child = manager.addTask(() => 'never', { upstreamTaskIds: [root] });
    const failures: unknown[][] = [];
    manager.on('taskFailed', (...args) => failures.push(args));
    const [rootError, childError] = await Promise.all([
      manager.result(root).catch((error: unknown) => error),
      manager.result(child).catch((error: unknown) => error),
    ]);
    expect(rootError).toBeInstanceOf(TaskFailedError);
    expect(rootError).toMatchObject({
      name: 'TaskFailedError',
      code: 'ERR_TASK_FAILED',
      uid: root,
      message: 'boom',
      traceback: boom.stack,
      cause: boom,
    });
    // The cascade fails the child with the same message and traceback; the cause is still the value thrown here.
    expect(childError).toMatchObject({ code: ErrorCodes.taskFailed, uid: child, message: 'boom', cause: boom });
    expect(failures.map(([uid, , message, traceback]) => [uid, message, traceback])).toEqual([
      [root, 'boom', boom.stack],
      [child, 'boom', boom.stack],
    ]);
  });

  it('keeps a thrown non-Error as the cause, and its String() as the message', async () => {
    const manager = create();
    const uid = manager.addTask(() => {
      throw 42;
    });
    const error = (await manager.result(uid).catch((caught: unknown) => caught)) as TaskFailedError;
    expect([error.message, error.traceback, error.cause, 'cause' in error]).toEqual(['42', '42', 42, true]);
  });

  it('gives a failed worker task no cause: its error lived on another thread', async () => {
    const manager = create({ workerScript });
    const uid = manager.addTask(workerTask('throws'), { taskArgs: ['in the worker'] });
    const error = (await manager.result(uid).catch((caught: unknown) => caught)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.message).toBe('in the worker');
    expect(error.traceback).toContain('in the worker');
    expect('cause' in error).toBe(false);
  });

  it('rejects with TaskStoppedError when the task is stopped, queued or running, and on shut-down', async () => {
    const manager = create({ maxThreads: 1 });
    const work = controlled();
    const running = manager.addTask(work.run);
    const queued = manager.addTask(work.run);
    const later = manager.addTask(work.run);
    await settle();
    const results = [running, queued, later].map((uid) => manager.result(uid).catch((error: unknown) => error));
    manager.stopTask(running, { stopUpstream: false, stopDownstream: false });
    manager.stopTask(queued);
    const shutDown = manager.shutDown();
    const errors = await Promise.all(results);
    for (const [index, uid] of [running, queued, later].entries()) {
      expect(errors[index]).toBeInstanceOf(TaskStoppedError);
      expect(errors[index]).toMatchObject({ code: 'ERR_TASK_STOPPED', uid, message: `Task ${uid} was stopped` });
    }
    // The stopped running task's work ending later changes nothing.
    work.resolve(0, 'late');
    await shutDown;
  });

  it('rejects at once for an id that names no pending task, saying whether it is unknown or finished', async () => {
    const manager = create({ finishedTaskHistory: 1 });
    const first = manager.addTask(() => 1);
    const second = manager.addTask(() => 2);
    await manager.onIdle();
    const unknown = observe(manager.result(99));
    const negative = observe(manager.result(-1));
    const released = observe(manager.result(first));
    const remembered = observe(manager.result(second));
    await settle();
    expect(unknown.value).toBeInstanceOf(TaskNotPendingError);
    expect(unknown.value).toMatchObject({ code: 'ERR_TASK_NOT_PENDING', uid: 99, reason: 'unknown' });
    expect((unknown.value as Error).message).toBe('No task has id 99: the manager never gave out that id');
    expect(negative.value).toMatchObject({ reason: 'unknown' });
    expect(released.value).toMatchObject({ reason: 'finished', uid: first });
    expect((released.value as Error).message).toBe(
      `Task ${first} has already finished: results of finished tasks are not kept, call result() while the task is pending`,
    );
    expect((remembered.value as Error).message).toMatch(`Task ${second} has already finished (done): results`);
  });

  it('rejects at once for a task stopped while running whose work still runs, and after shut-down', async () => {
    const manager = create();
    const work = controlled();
    const uid = manager.addTask(work.run);
    await settle();
    manager.stopTask(uid);
    const error = (await manager.result(uid).catch((caught: unknown) => caught)) as TaskNotPendingError;
    expect([error.reason, error.message]).toEqual([
      'finished',
      `Task ${uid} has already finished (stopped): results of finished tasks are not kept, call result() while the task is pending`,
    ]);
    await manager.shutDown();
    await expect(manager.result(uid)).rejects.toBeInstanceOf(TaskNotPendingError);
  });

  it('throws a TypeError at the call for an id that is not an integer', () => {
    const manager = create() as unknown as { result(id: unknown): Promise<unknown> };
    for (const bad of ['1', 1.5, Number.NaN, undefined, null]) {
      expect(() => manager.result(bad)).toThrow(TypeError);
    }
    expect(() => manager.result('1')).toThrow('Expected `taskId` to be an integer task id, got "1" (string)');
  });

  it('creates nothing a caller did not ask for: failures and stops nobody awaited raise no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const manager = create();
      manager.addTask(() => Promise.reject(new Error('nobody asked')), { group: 'g' });
      manager.addTask(() => new Promise(() => {}), { group: 'g' });
      await settle();
      manager.stopTaskGroup('g');
      await manager.shutDown();
      await settle();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps no finished task alive: its result can be collected once the promise has settled and been dropped', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const manager = create();
    const gate = deferred();
    let ref: WeakRef<object> | undefined;
    const uid = manager.addTask(async () => {
      await gate.promise;
      const big = { payload: new Array<number>(1000).fill(1) };
      ref = new WeakRef(big);
      return big;
    });
    const awaited = manager.result(uid).then(() => 'settled');
    gate.resolve(undefined);
    await expect(awaited).resolves.toBe('settled');
    await settle();
    gc();
    expect(ref?.deref()).toBeUndefined();
  });
});

describe('whenGroupFinished(group)', () => {
  it('resolves at once for a group without a pending task', async () => {
    const manager = create();
    const seen = observe(manager.whenGroupFinished('empty'));
    await settle();
    expect(seen).toEqual({ state: 'resolved', value: undefined });
  });

  it("resolves at the group's next taskGroupFinished, not before", async () => {
    const manager = create();
    const work = controlled();
    manager.addTask(work.run, { group: 'g' });
    manager.addTask(work.run, { group: 'g' });
    const finished = observe(manager.whenGroupFinished('g'));
    let atEvent: string | undefined;
    manager.on('taskGroupFinished', () => (atEvent = finished.state));
    await settle();
    work.resolve(0, 'one');
    await settle();
    expect(finished.state).toBe('pending');
    work.reject(1, new Error('two'));
    await settle();
    expect([atEvent, finished.state]).toEqual(['pending', 'resolved']);
  });

  it('resolves when a failure cascade empties the group, and again only for its next finish', async () => {
    const manager = create();
    const work = controlled();
    const root = manager.addTask(work.run);
    manager.addTask(work.run, { group: 7, upstreamTaskIds: [root] });
    const first = manager.whenGroupFinished(7);
    await settle();
    work.reject(0, new Error('root'));
    await expect(first).resolves.toBeUndefined();
    manager.addTask(work.run, { group: 7 });
    const second = observe(manager.whenGroupFinished(7));
    expect(manager.whenGroupFinished(7)).not.toBe(first);
    await settle();
    expect(second.state).toBe('pending');
    work.resolve(1, 'done');
    await settle();
    expect(second.state).toBe('resolved');
  });

  it('resolves when a cascade empties a refilled group again, though F1 emits no second taskGroupFinished', async () => {
    const manager = create();
    const root = manager.addTask(() => Promise.reject(new Error('broken')), { group: 'g' });
    const child = manager.addTask(() => 'never runs', { upstreamTaskIds: [root] });
    const groupEvents: unknown[] = [];
    let refilled: { state: string } | undefined;
    manager.on('taskGroupFinished', (group) => {
      groupEvents.push(group);
      if (refilled !== undefined) return;
      // The group has just emptied; this task joins it, downstream of `child`, so the same cascade fails it.
      manager.addTask(() => 'never runs', { group: 'g', upstreamTaskIds: [child] });
      refilled = observe(manager.whenGroupFinished('g'));
    });
    await manager.onIdle();
    await settle();
    expect(groupEvents).toEqual(['g']);
    expect(refilled?.state).toBe('resolved');
  });

  it('rejects with TaskStoppedError when the last pending task leaves by a stop, naming it and the group', async () => {
    const manager = create();
    const work = controlled();
    const a = manager.addTask(work.run, { group: 'g' });
    const b = manager.addTask(work.run, { group: 'g' });
    const finished = manager.whenGroupFinished('g').catch((error: unknown) => error);
    await settle();
    work.resolve(0, 'a done');
    await settle();
    manager.stopTask(b);
    const error = await finished;
    expect(error).toBeInstanceOf(TaskStoppedError);
    expect(error).toMatchObject({ code: 'ERR_TASK_STOPPED', uid: b, group: 'g' });
    expect((error as Error).message).toBe(
      `Task ${b} was stopped, the last pending task of group "g": the group did not finish`,
    );
    expect(manager.getTaskState(a)).toBe('done');
  });

  it('does not settle when a stop leaves other tasks of the group pending', async () => {
    const manager = create();
    const work = controlled();
    const a = manager.addTask(work.run, { group: 'g' });
    manager.addTask(work.run, { group: 'g' });
    const finished = observe(manager.whenGroupFinished('g'));
    await settle();
    manager.stopTask(a);
    await settle();
    expect(finished.state).toBe('pending');
    work.resolve(1, 'b done');
    await settle();
    expect(finished.state).toBe('resolved');
  });

  it("waits on when a stopped task's abort listener refills the group during the stop, as stopAllTasks does", async () => {
    const manager = create();
    const started = deferred();
    const first = manager.addTask(
      function (this: TaskContext) {
        this.signal.addEventListener('abort', () => {
          manager.addTask(() => 'cleanup', { group: 'g' });
        });
        started.resolve(undefined);
        return new Promise(() => {});
      },
      { group: 'g' },
    );
    await started.promise;
    const finishedGroups: unknown[] = [];
    manager.on('taskGroupFinished', (group) => finishedGroups.push(group));
    const finished = manager.whenGroupFinished('g');
    manager.stopTask(first);
    // The cleanup task is the group's now: the group finishes when it completes.
    await expect(finished).resolves.toBeUndefined();
    expect(finishedGroups).toEqual(['g']);
  });

  it('rejects on shut-down and on stopAllTasks, with the last task of the group', async () => {
    const manager = create({ maxThreads: 1 });
    const work = controlled();
    manager.addTask(work.run, { group: 'x' });
    const lastOfY = manager.addTask(work.run, { group: 'y' });
    const lastOfX = manager.addTask(work.run, { group: 'x' });
    const x = manager.whenGroupFinished('x').catch((error: unknown) => error);
    const y = manager.whenGroupFinished('y').catch((error: unknown) => error);
    manager.stopAllTasks();
    expect(await y).toMatchObject({ code: 'ERR_TASK_STOPPED', uid: lastOfY, group: 'y' });
    manager.addTask(work.run, { group: 'z' });
    const z = manager.whenGroupFinished('z').catch((error: unknown) => error);
    await manager.shutDown();
    expect(await x).toMatchObject({ uid: lastOfX, group: 'x' });
    expect(await z).toBeInstanceOf(TaskStoppedError);
  });

  it('throws a TypeError at the call for a group that is not a string or a number', () => {
    const manager = create() as unknown as { whenGroupFinished(group: unknown): Promise<void> };
    for (const bad of [undefined, null, {}, Number.NaN])
      expect(() => manager.whenGroupFinished(bad)).toThrow(TypeError);
  });
});
