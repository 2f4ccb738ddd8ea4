/** What stops leave behind: a group an abort handler refilled is not finished, and a stopped task’s links pass nothing on. */
import { describe, expect, it } from 'vitest';
import { TaskStoppedError, type TaskContext } from '../../src/index.js';
import { controlled, managersWith, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });

describe('stopAllTasks() with awaited groups', () => {
  it('rejects the wait of a group it empties, but not of one an abort handler refills meanwhile', async () => {
    const manager = create();
    const work = controlled();
    let late = -1;
    const completed: unknown[] = [];
    manager.on('taskCompleted', (uid, _group, result) => completed.push([uid, result]));
    const refill = (): void => {
      late = manager.addTask(() => 'late', { group: 'refilled' });
    };
    manager.addTask(
      function (this: TaskContext) {
        this.signal.addEventListener('abort', () => {
          refill();
        });
        return work.run();
      },
      { group: 'refilled' },
    );
    manager.addTask(work.run, { group: 'emptied' });
    const refilled = manager.whenGroupFinished('refilled');
    const emptied = manager.whenGroupFinished('emptied').catch((error: unknown) => error);
    await settle();
    manager.stopAllTasks();
    expect(await emptied).toBeInstanceOf(TaskStoppedError);
    expect(manager.getTaskState(late)).not.toBe('stopped');
    await expect(refilled).resolves.toBeUndefined();
    expect(completed).toEqual([[late, 'late']]);
  });
});

describe('results passed downstream', () => {
  it('reach (and unblock) only tasks still waiting on the task: not a new task in a stopped downstream task’s place', async () => {
    const manager = create({ maxThreads: 2 });
    const work = controlled();
    const upstream = manager.addTask(work.run);
    const gate = manager.addTask(work.run);
    const downstream = manager.addTask((kwargs: object) => kwargs, { upstreamTaskIds: [upstream] });
    await settle();
    manager.stopTask(downstream, { stopUpstream: false });
    const seen: unknown[] = [];
    // Added once the stopped task's place is free, and held until the upstream task has completed.
    const unrelated = manager.addTask((kwargs: object) => seen.push(kwargs), {
      taskKwargs: { own: 1 },
      upstreamTaskIds: [gate],
    });
    const unrelatedDone = manager.result(unrelated);
    work.resolve(0, { fromUpstream: true });
    await settle();
    expect(seen).toEqual([]); // still waiting for its own upstream task
    work.resolve(1, 'not an object: passes nothing');
    await unrelatedDone;
    expect(seen).toEqual([{ own: 1 }]);
  });

  it('links a new task in a stopped downstream task’s place to the same upstream task: it waits for it', async () => {
    const manager = create({ maxThreads: 2 });
    const work = controlled();
    const upstream = manager.addTask(work.run);
    const stopped = manager.addTask(() => 'stopped', { upstreamTaskIds: [upstream] });
    await settle();
    manager.stopTask(stopped, { stopUpstream: false });
    // Takes the stopped task's place, while the upstream task's last link still points there.
    const next = manager.addTask((kwargs: object) => kwargs, { upstreamTaskIds: [upstream, upstream] });
    await settle();
    expect(manager.getTaskState(next)).toBe('blocked');
    work.resolve(0, { fromUpstream: true });
    expect(await manager.result(next)).toEqual({ fromUpstream: true });
  });
});

describe('a stop that reaches a task a listener already stopped', () => {
  it('stops each task once: an abort handler that stops a downstream task first is not undone', async () => {
    const manager = create();
    const stopped: number[] = [];
    manager.on('taskStopped', (uid) => stopped.push(uid));
    let downstream = -1;
    const upstream = manager.addTask(function (this: TaskContext) {
      this.signal.addEventListener('abort', () => {
        manager.stopTask(downstream, { stopUpstream: false });
      });
      return new Promise(() => {});
    });
    downstream = manager.addTask(() => 'never runs', { upstreamTaskIds: [upstream] });
    const other = manager.addTask(() => 'runs', { upstreamTaskIds: [upstream] });
    await settle();
    manager.stopTask(upstream);
    await settle();
    expect(stopped.sort()).toEqual([upstream, downstream, other].sort());
    expect([manager.getTaskState(downstream), manager.getTaskState(other)]).toEqual(['stopped', 'stopped']);
  });
});

describe('a failure cascade', () => {
  it('keeps the downstream tasks blocked until their turn to fail: a listener never sees them queued', async () => {
    const manager = create();
    const seen: string[] = [];
    const root = manager.addTask(() => Promise.reject(new Error('broken')));
    const child = manager.addTask(() => 'never runs', { upstreamTaskIds: [root] });
    manager.on('taskFailed', (uid) => {
      if (uid === root) seen.push(String(manager.getTaskState(child)));
    });
    await manager.onIdle();
    expect(seen).toEqual(['blocked']);
  });

  it('does not finish a group that still has a pending task', async () => {
    const manager = create();
    const work = controlled();
    manager.addTask(() => Promise.reject(new Error('broken')), { group: 'g' });
    manager.addTask(work.run, { group: 'g' });
    let finished = false;
    const waiting = manager.whenGroupFinished('g').then(() => (finished = true));
    await settle();
    expect(finished).toBe(false);
    work.resolve(0);
    await waiting;
    expect(finished).toBe(true);
  });
});

describe('a task with more upstream tasks than its slot holds', () => {
  it('finishes without touching the task beside it', async () => {
    const manager = create({ maxThreads: 8 });
    const work = controlled();
    const upstream = [1, 2, 3, 4, 5].map((n) => manager.addTask(() => n));
    const beside = manager.addTask(work.run); // runs on while the next one finishes
    const many = manager.addTask(() => 'done', { upstreamTaskIds: upstream });
    expect(await manager.result(many)).toBe('done');
    expect(manager.getTaskState(beside)).toBe('running');
    work.resolve(0, 'beside');
    expect(await manager.result(beside)).toBe('beside');
  });
});

describe('a finished task with downstream links', () => {
  it('gives its links back without touching the task beside it, queued and in a group', async () => {
    const manager = create({ maxThreads: 1, startProcessing: false });
    const order: string[] = [];
    const run = (name: string) => () => order.push(name);
    const beside = manager.addTask(run('beside'), { group: 'g' }); // queued behind `linked`, an older member of g
    const linked = manager.addTask(run('linked'), { priority: 5 });
    const downstream = manager.addTask(run('downstream'), { upstreamTaskIds: [linked] });
    const newer = manager.addTask(run('newer'), { group: 'g', priority: -1 });
    const groupFinished = manager.whenGroupFinished('g');
    manager.startProcessing();
    await Promise.all([beside, linked, downstream, newer].map(async (uid) => manager.result(uid)));
    await groupFinished;
    expect(order).toEqual(['linked', 'beside', 'downstream', 'newer']);
  });
});
