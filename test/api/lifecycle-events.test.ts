import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BackgroundTaskManager,
  ErrorCodes,
  TaskStoppedError,
  workerTask,
  type BackgroundTaskManagerEvents,
  type TaskGroup,
} from '../../src/index.js';
import { controlled, managersWith, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

/** Every event, in order, as `name uid/group` strings. */
function log(manager: BackgroundTaskManager): string[] {
  const lines: string[] = [];
  manager.on('taskStarted', (uid, group) => lines.push(`started ${uid} ${String(group)}`));
  manager.on('taskCompleted', (uid) => lines.push(`completed ${uid}`));
  manager.on('taskFailed', (uid) => lines.push(`failed ${uid}`));
  manager.on('taskStopped', (uid, group) => lines.push(`stopped ${uid} ${String(group)}`));
  manager.on('taskGroupFinished', (group) => lines.push(`group ${String(group)}`));
  return lines;
}

describe('taskStarted(uid, group)', () => {
  it('is emitted as a task moves to running, before its callable is called, and before its outcome', async () => {
    const manager = create({ maxThreads: 1 });
    const lines = log(manager);
    const first = manager.addTask(
      () => {
        lines.push('callable 0');
        return 'a';
      },
      { group: 'g' },
    );
    manager.on('taskStarted', (uid) => lines.push(`state ${manager.getTaskState(uid) ?? ''}`));
    manager.addTask(() => Promise.reject(new Error('b')), { upstreamTaskIds: [first] });
    manager.addPassThroughTask({ priority: -1 });
    await manager.onIdle();
    expect(lines).toEqual([
      'started 0 g',
      'state running',
      'callable 0',
      'completed 0',
      'group g',
      'started 1 undefined',
      'state running',
      'failed 1',
      'started 2 undefined',
      'state running',
      'completed 2',
    ]);
  });

  it('is emitted for a worker task before it is sent to its thread', async () => {
    const manager = create({ workerScript });
    const lines = log(manager);
    manager.addTask(workerTask('add'), { taskArgs: [1, 2], group: 3 });
    await manager.onIdle();
    expect(lines).toEqual(['started 0 3', 'completed 0', 'group 3']);
  });

  it('lets a listener stop the task before any of its work runs: its slot goes to the next task', async () => {
    const manager = create({ maxThreads: 1 });
    const lines = log(manager);
    const called: number[] = [];
    const doomed = manager.addTask(() => called.push(0), { group: 'g' });
    const next = manager.addTask(() => called.push(1));
    const result = manager.result(doomed).catch((error: unknown) => error);
    manager.on('taskStarted', (uid) => {
      if (uid === doomed) manager.stopTask(uid);
    });
    await manager.onIdle();
    expect(called).toEqual([1]);
    expect(lines).toEqual(['started 0 g', 'stopped 0 g', 'started 1 undefined', 'completed 1']);
    expect(manager.getTaskState(doomed)).toBe('stopped');
    expect(await result).toBeInstanceOf(TaskStoppedError);
    expect(manager.stats().busyThreads).toBe(0);
    expect(manager.getTaskState(next)).toBe('done');
  });

  it('lets a listener pause processing or shut the manager down: nothing else starts', async () => {
    const manager = create({ maxThreads: 2 });
    const lines = log(manager);
    manager.on('taskStarted', () => {
      manager.pauseProcessing();
    });
    const work = controlled();
    const a = manager.addTask(work.run);
    const b = manager.addTask(work.run);
    await settle();
    expect([manager.getTaskState(a), manager.getTaskState(b), work.calls.length]).toEqual(['running', 'queued', 1]);
    manager.on('taskStarted', () => void manager.shutDown());
    manager.startProcessing();
    await settle();
    expect(work.calls).toHaveLength(1);
    expect(lines).toEqual(['started 0 undefined', 'started 1 undefined', 'stopped 0 undefined', 'stopped 1 undefined']);
  });
});

describe('taskStopped(uid, group)', () => {
  it('is emitted once per task a stop reaches, in worklist order, after the stop has reached every one', async () => {
    const manager = create({ startProcessing: false });
    const lines = log(manager);
    const a = manager.addTask(() => 'a', { group: 'g' });
    const b = manager.addTask(() => 'b', { upstreamTaskIds: [a] });
    const c = manager.addTask(() => 'c', { upstreamTaskIds: [b], group: 'g' });
    const d = manager.addTask(() => 'd', { upstreamTaskIds: [a] });
    const other = manager.addTask(() => 'other');
    const statesAtFirst: unknown[] = [];
    manager.on('taskStopped', () => {
      if (statesAtFirst.length === 0)
        statesAtFirst.push(...[a, b, c, d, other].map((uid) => manager.getTaskState(uid)));
    });
    // The original's _stop_tasks walk from c: c, its upstream b, b's upstream a, then a's other downstream d.
    manager.stopTask(c);
    expect(lines).toEqual([`stopped ${c} g`, `stopped ${b} undefined`, `stopped ${a} g`, `stopped ${d} undefined`]);
    expect(statesAtFirst).toEqual(['stopped', 'stopped', 'stopped', 'stopped', 'queued']);
    await settle();
    // Stopping never finishes a group.
    expect(lines.filter((line) => line.startsWith('group'))).toEqual([]);
  });

  it('is emitted for running tasks, whose later outcome is ignored, and by stopTaskGroup in worklist order', async () => {
    const manager = create();
    const lines = log(manager);
    const work = controlled();
    const x = manager.addTask(work.run, { group: 'g' });
    const y = manager.addTask(work.run, { group: 'g' });
    const z = manager.addTask(work.run, { upstreamTaskIds: [y] });
    await settle();
    lines.length = 0;
    manager.stopTaskGroup('g', { stopUpstream: false });
    work.resolve(0, 'late');
    await settle();
    expect(lines).toEqual([`stopped ${x} g`, `stopped ${y} g`, `stopped ${z} undefined`]);
  });

  it('is emitted by stopAllTasks and shutDown in uid order; shut-down listeners find the manager closed', async () => {
    const manager = create({ maxThreads: 1 });
    const lines = log(manager);
    const work = controlled();
    for (let i = 0; i < 3; i++) manager.addTask(work.run, { priority: i, group: i % 2 });
    await settle();
    manager.stopAllTasks();
    expect(lines).toEqual(['started 2 0', 'stopped 0 0', 'stopped 1 1', 'stopped 2 0']);
    lines.length = 0;
    const more = [manager.addTask(work.run, { priority: 5 }), manager.addTask(work.run)];
    const seen: unknown[] = [];
    manager.on('taskStopped', (uid) => {
      let refused: unknown;
      try {
        manager.addTask(work.run);
      } catch (error) {
        refused = (error as { code?: unknown }).code;
      }
      seen.push([uid, manager.phase, refused]);
      void manager.shutDown(); // reentrant: the same shut-down
    });
    await manager.shutDown();
    expect(lines).toEqual([`stopped ${more[0]} undefined`, `stopped ${more[1]} undefined`]);
    expect(seen).toEqual([
      [more[0], 'shuttingDown', ErrorCodes.managerShutDown],
      [more[1], 'shuttingDown', ErrorCodes.managerShutDown],
    ]);
  });

  it('lets listeners call back: a new task added from taskStopped runs', async () => {
    const manager = create();
    const lines = log(manager);
    const work = controlled();
    const a = manager.addTask(work.run);
    manager.on('taskStopped', (uid) => {
      if (uid === a) manager.addTask(() => 'replacement');
    });
    manager.stopTask(a);
    await manager.onIdle();
    expect(lines).toEqual(['stopped 0 undefined', 'started 1 undefined', 'completed 1']);
  });

  it('is typed in the event map, as taskStarted is (checked by the compiler)', () => {
    expectTypeOf<Parameters<BackgroundTaskManagerEvents['taskStopped']>>().toEqualTypeOf<
      [number, TaskGroup | undefined]
    >();
    expectTypeOf<Parameters<BackgroundTaskManagerEvents['taskStarted']>>().toEqualTypeOf<
      [number, TaskGroup | undefined]
    >();
  });
});

describe('Symbol.asyncDispose', () => {
  it('shuts the manager down when the block that declared it with await using ends', async () => {
    let seen: BackgroundTaskManager | undefined;
    const stopped: number[] = [];
    {
      await using manager = new BackgroundTaskManager({ startProcessing: true });
      seen = manager;
      manager.on('taskStopped', (uid) => stopped.push(uid));
      manager.addTask(() => new Promise(() => {}));
      await settle();
      expect(manager.phase).toBe('processing');
    }
    expect(seen.phase).toBe('shutDown');
    expect(stopped).toEqual([0]);
  });

  it('returns the promise of shutDown()', async () => {
    const manager = create();
    const disposing = manager[Symbol.asyncDispose]();
    expect(disposing).toBe(manager.shutDown());
    await disposing;
  });
});
