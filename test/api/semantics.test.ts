import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager, ErrorCodes, type TaskContext } from '../../src/index.js';
import { controlled, deferred, managersWith, record, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });

describe('Scheduling', () => {
  it('§1 starts a task only with processing on, a free thread, and no pending upstream task', async () => {
    const manager = create({ maxThreads: 2, startProcessing: false });
    const work = controlled();
    const a = manager.addTask(work.run);
    const b = manager.addTask(work.run, { upstreamTaskIds: [a] });
    const c = manager.addTask(work.run);
    const d = manager.addTask(work.run);
    await settle();
    expect(work.calls).toHaveLength(0);
    manager.startProcessing();
    await settle();
    expect([a, b, c, d].map((id) => manager.getTaskState(id))).toEqual(['running', 'blocked', 'running', 'queued']);
    work.resolve(0);
    await settle();
    expect([a, b, c, d].map((id) => manager.getTaskState(id))).toEqual(['done', 'running', 'running', 'queued']);
  });

  it("§2 runs the original's priority test: none, 2, 10, 1, -1, -100 complete as 10, 2, 1, none, -1, -100", async () => {
    const manager = create({ maxThreads: 1, startProcessing: false });
    const completed: unknown[] = [];
    manager.on('taskCompleted', (_uid, _group, result) => completed.push(result));
    for (const priority of [undefined, 2, 10, 1, -1, -100]) {
      manager.addTask(() => priority ?? 'none', priority === undefined ? {} : { priority });
    }
    manager.startProcessing();
    await settle();
    expect(completed).toEqual([10, 2, 1, 'none', -1, -100]);
  });

  it('§2 starts equal priorities first-in first-out, and a blocked high-priority task never holds back a lower one', async () => {
    const manager = create({ maxThreads: 1 });
    const gate = controlled();
    const order: string[] = [];
    const first = manager.addTask(gate.run, { priority: 100 });
    manager.addTask(() => order.push('high, blocked'), { priority: 50, upstreamTaskIds: [first] });
    for (const name of ['a', 'b', 'c']) manager.addTask(() => order.push(name), { priority: 1 });
    await settle();
    gate.resolve(0);
    await settle();
    expect(order).toEqual(['high, blocked', 'a', 'b', 'c']);

    const slow = create({ maxThreads: 2 });
    const held = controlled();
    const up = slow.addTask(held.run);
    const blocked = slow.addTask(held.run, { priority: 99, upstreamTaskIds: [up] });
    const low = slow.addTask(held.run, { priority: -5 });
    await settle();
    expect([slow.getTaskState(blocked), slow.getTaskState(low)]).toEqual(['blocked', 'running']);
  });

  it('§3 counts unknown, finished and stopped upstream ids as satisfied', async () => {
    const manager = create({ maxThreads: 4 });
    const work = controlled();
    const finished = manager.addTask(() => 'done');
    await settle();
    const stopped = manager.addTask(work.run, { upstreamTaskIds: [finished] });
    const keep = manager.addTask(work.run);
    manager.stopTask(stopped, { stopUpstream: false, stopDownstream: false });
    const task = manager.addTask(work.run, { upstreamTaskIds: [12345, finished, stopped] });
    const pendingUp = manager.addTask(work.run, { upstreamTaskIds: [12345, task] });
    await settle();
    expect([manager.getTaskState(task), manager.getTaskState(pendingUp), manager.getTaskState(keep)]).toEqual([
      'running',
      'blocked',
      'running',
    ]);
  });

  it('§4 never runs a task inside addTask: a synchronous batch is ordered by priority', async () => {
    const manager = create({ maxThreads: 1 });
    const order: number[] = [];
    for (const priority of [1, 3, 2]) manager.addTask(() => order.push(priority), { priority });
    expect(order).toEqual([]);
    await settle();
    expect(order).toEqual([3, 2, 1]);
  });
});

describe('Results and upstream data', () => {
  it('§5 emits taskCompleted(uid, group, result), with a promise result unwrapped', async () => {
    const manager = create();
    const events = record(manager);
    const uid = manager.addTask(async () => ({ rows: 3 }), { group: 'io' });
    await settle();
    expect(events[0]).toEqual(['taskCompleted', uid, 'io', { rows: 3 }]);
  });

  it('§6 merges plain-object results downstream in completion order; later keys win, over taskKwargs too', async () => {
    const manager = create({ maxThreads: 3 });
    const up = controlled();
    const seen: unknown[] = [];
    const a = manager.addTask(up.run);
    const b = manager.addTask(up.run);
    const scalar = manager.addTask(() => 42);
    const array = manager.addTask(() => ['not', 'merged']);
    const instance = manager.addTask(() => new Date(0));
    manager.addTask((kwargs: unknown) => seen.push(kwargs), {
      upstreamTaskIds: [a, b, scalar, array, instance],
      taskKwargs: { own: 1, shared: 'own' },
    });
    await settle();
    up.resolve(1, { shared: 'b', fromB: true });
    await settle();
    up.resolve(0, { shared: 'a', fromA: true });
    await settle();
    expect(seen).toEqual([{ own: 1, shared: 'a', fromA: true, fromB: true }]);
  });

  it('§6 does not mutate the caller’s taskKwargs object', async () => {
    const manager = create();
    const taskKwargs = { own: 1 };
    const up = manager.addTask(() => ({ injected: true }));
    manager.addTask(() => undefined, { upstreamTaskIds: [up], taskKwargs });
    await settle();
    expect(taskKwargs).toEqual({ own: 1 });
  });

  it('§7 calls cbl(...taskArgs, kwargs), kwargs always an object', async () => {
    const manager = create();
    const calls: unknown[][] = [];
    manager.addTask((...args: unknown[]) => calls.push(args), { taskArgs: [1, 'two'] });
    manager.addTask((...args: unknown[]) => calls.push(args));
    await settle();
    expect(calls).toEqual([[1, 'two', {}], [{}]]);
  });

  it('§8 a pass-through task gathers its kwargs and upstream results into its result', async () => {
    const manager = create();
    const events = record(manager);
    const a = manager.addTask(() => ({ a: 1 }));
    const b = manager.addTask(() => ({ b: 2 }));
    const gather = manager.addPassThroughTask({ upstreamTaskIds: [a, b], taskKwargs: { tag: 'x' } });
    const seen: unknown[] = [];
    manager.addTask((kwargs: unknown) => seen.push(kwargs), { upstreamTaskIds: [gather] });
    await settle();
    expect(events).toContainEqual(['taskCompleted', gather, undefined, { tag: 'x', a: 1, b: 2 }]);
    expect(seen).toEqual([{ tag: 'x', a: 1, b: 2 }]);
  });
});

describe('Failure', () => {
  it('§9 emits taskFailed with the message and full stack on throw, rejection and a thrown non-Error', async () => {
    const manager = create();
    const failures: [number, string, string][] = [];
    manager.on('taskFailed', (uid, _group, message, traceback) => failures.push([uid, message, traceback]));
    const error = new RangeError('out of range');
    const thrown = manager.addTask(() => {
      throw error;
    });
    const rejected = manager.addTask(() => Promise.reject(new Error('rejected')));
    const nonError = manager.addTask(() => {
      throw 'plain string';
    });
    await settle();
    expect(failures.map(([uid, message]) => [uid, message])).toEqual([
      [thrown, 'out of range'],
      [rejected, 'rejected'],
      [nonError, 'plain string'],
    ]);
    expect(failures[0]?.[2]).toBe(error.stack);
    expect(failures[1]?.[2]).toMatch(/^Error: rejected\n\s+at /);
    expect(manager.getTaskState(thrown)).toBe('failed');
  });

  it('§10 cascades a failure to every pending downstream task, nearest first, none of them runs', async () => {
    const manager = create({ maxThreads: 4 });
    const events = record(manager);
    const ran: number[] = [];
    const failing = manager.addTask(() => Promise.reject(new Error('broken')), { group: 'g' });
    const child1 = manager.addTask(() => ran.push(1), { upstreamTaskIds: [failing] });
    const child2 = manager.addTask(() => ran.push(2), { upstreamTaskIds: [failing] });
    const grandchild = manager.addTask(() => ran.push(3), { upstreamTaskIds: [child1, child2] });
    await settle();
    expect(ran).toEqual([]);
    expect(events).toEqual([
      ['taskFailed', failing, 'g', 'broken'],
      ['taskGroupFinished', 'g'],
      ['taskFailed', child1, undefined, 'broken'],
      ['taskFailed', child2, undefined, 'broken'],
      ['taskFailed', grandchild, undefined, 'broken'],
    ]);
  });
});

describe('Groups', () => {
  it('§11 finishes a group after the event of its last pending task, again when it empties again', async () => {
    const manager = create({ maxThreads: 2 });
    const events = record(manager);
    const work = controlled();
    const a = manager.addTask(work.run, { group: 'g' });
    const b = manager.addTask(work.run, { group: 'g' });
    await settle();
    work.resolve(0, 'a');
    await settle();
    expect(events).toEqual([['taskCompleted', a, 'g', 'a']]);
    work.reject(1, new Error('b failed'));
    await settle();
    expect(events.slice(1)).toEqual([
      ['taskFailed', b, 'g', 'b failed'],
      ['taskGroupFinished', 'g'],
    ]);
    const c = manager.addTask(() => 'c', { group: 'g' });
    await settle();
    expect(events.slice(3)).toEqual([
      ['taskCompleted', c, 'g', 'c'],
      ['taskGroupFinished', 'g'],
    ]);
  });

  it('§12 stopping never finishes a group; tasks without a group produce no group event', async () => {
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const work = controlled();
    manager.addTask(work.run, { group: 'g' });
    manager.addTask(work.run, { group: 'g' });
    manager.addTask(() => 'no group');
    await settle();
    manager.stopTaskGroup('g');
    work.resolve(0, 'ignored');
    await settle();
    expect(events).toEqual([['taskCompleted', 2, undefined, 'no group']]);
  });

  it('§13 nextGroupId returns 0, 1, 2, …; strings and numbers both work as groups', async () => {
    const manager = create();
    expect([manager.nextGroupId(), manager.nextGroupId(), manager.nextGroupId()]).toEqual([0, 1, 2]);
    const events = record(manager);
    manager.addTask(() => 1, { group: 7 });
    manager.addTask(() => 1, { group: '7' });
    await settle();
    expect(events.filter(([name]) => name === 'taskGroupFinished')).toEqual([
      ['taskGroupFinished', 7],
      ['taskGroupFinished', '7'],
    ]);
  });
});

describe('Stopping', () => {
  function chain(manager: BackgroundTaskManager) {
    const work = controlled();
    const root = manager.addTask(work.run);
    const mid = manager.addTask(work.run, { upstreamTaskIds: [root] });
    const leaf = manager.addTask(work.run, { upstreamTaskIds: [mid] });
    const sibling = manager.addTask(work.run, { upstreamTaskIds: [root] });
    return { work, root, mid, leaf, sibling };
  }

  it('§14 stopTask stops transitively along the enabled directions; unknown ids are ignored', async () => {
    // Paused, so nothing runs: root is queued, the others wait for it. A stopped upstream task
    // counts as satisfied (§3), so what it held back becomes queued.
    const cases = [
      {
        flags: { stopUpstream: false, stopDownstream: false },
        states: { root: 'queued', mid: 'stopped', leaf: 'queued', sibling: 'blocked' },
      },
      {
        flags: { stopUpstream: false, stopDownstream: true },
        states: { root: 'queued', mid: 'stopped', leaf: 'stopped', sibling: 'blocked' },
      },
      {
        flags: { stopUpstream: true, stopDownstream: false },
        states: { root: 'stopped', mid: 'stopped', leaf: 'queued', sibling: 'queued' },
      },
      // As the original's _stop_tasks: from root, stopDownstream reaches the sibling too.
      { flags: {}, states: { root: 'stopped', mid: 'stopped', leaf: 'stopped', sibling: 'stopped' } },
    ];
    for (const { flags, states } of cases) {
      const manager = create({ startProcessing: false });
      const ids = chain(manager);
      manager.stopTask(ids.mid, flags);
      manager.stopTask(999);
      const actual = Object.fromEntries(
        (['root', 'mid', 'leaf', 'sibling'] as const).map((name) => [name, manager.getTaskState(ids[name])]),
      );
      expect(actual, JSON.stringify(flags)).toEqual(states);
      expect(manager.pendingCount).toBe(Object.values(states).filter((state) => state !== 'stopped').length);
    }
  });

  it('§15 stopTaskGroup stops the group (and what it reaches); stopAllTasks stops everything pending', async () => {
    const manager = create({ startProcessing: false });
    const up = manager.addTask(() => 1);
    const member = manager.addTask(() => 1, { group: 'g', upstreamTaskIds: [up] });
    const other = manager.addTask(() => 1, { group: 'h' });
    manager.stopTaskGroup('g', { stopUpstream: false });
    expect([up, member, other].map((id) => manager.getTaskState(id))).toEqual(['queued', 'stopped', 'queued']);
    manager.stopAllTasks();
    expect([up, member, other].map((id) => manager.getTaskState(id))).toEqual(['stopped', 'stopped', 'stopped']);
    expect(manager.pendingCount).toBe(0);
  });

  it('§16 a stopped running task runs to its end, its outcome ignored: no event, no data, no cascade; its signal aborts', async () => {
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const finish = deferred();
    let signal: AbortSignal | undefined;
    const running = manager.addTask(function (this: TaskContext) {
      signal = this.signal;
      return finish.promise;
    });
    const seen: unknown[] = [];
    const downstream = manager.addTask((kwargs: unknown) => seen.push(kwargs), { upstreamTaskIds: [running] });
    await settle();
    manager.stopTask(running, { stopDownstream: false });
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as { code?: string }).code).toBe(ErrorCodes.taskStopped);
    await settle();
    // The thread is still busy with the stopped task: nothing else starts yet.
    expect(manager.getTaskState(downstream)).toBe('queued');
    finish.reject(new Error('ignored'));
    await settle();
    expect(events).toEqual([['taskCompleted', downstream, undefined, 1]]);
    expect(seen).toEqual([{}]);
  });

  it('§17 a stopped task emits nothing; its downstream task, not stopped, starts without its data', async () => {
    const manager = create({ maxThreads: 2 });
    const events = record(manager);
    const work = controlled();
    const up = manager.addTask(work.run, { group: 'g' });
    const down = manager.addTask(work.run, { upstreamTaskIds: [up], group: 'g' });
    await settle();
    manager.stopTask(up, { stopDownstream: false });
    work.resolve(0, { data: 'dropped' });
    await settle();
    expect(manager.getTaskState(down)).toBe('running');
    expect(work.calls[1]).toEqual([{}]);
    work.resolve(1, 'down');
    await settle();
    expect(events).toEqual([
      ['taskCompleted', down, 'g', 'down'],
      ['taskGroupFinished', 'g'],
    ]);
  });
});

describe('Processing and shutdown', () => {
  it('§18 starts nothing until startProcessing; pauseProcessing lets running tasks finish and report', async () => {
    const manager = create({ maxThreads: 1, startProcessing: false });
    const events = record(manager);
    const work = controlled();
    const a = manager.addTask(work.run);
    const b = manager.addTask(work.run);
    await settle();
    expect(manager.getTaskState(a)).toBe('queued');
    manager.startProcessing();
    await settle();
    manager.pauseProcessing();
    work.resolve(0, 'a');
    await settle();
    expect(events).toEqual([['taskCompleted', a, undefined, 'a']]);
    expect(manager.getTaskState(b)).toBe('queued');
    manager.startProcessing();
    await settle();
    expect(manager.getTaskState(b)).toBe('running');
  });

  it('§19 shutDown stops everything, ignores running tasks and refuses new work with ERR_MANAGER_SHUT_DOWN', async () => {
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const work = controlled();
    const running = manager.addTask(work.run);
    const queued = manager.addTask(work.run);
    await settle();
    const done = manager.shutDown();
    expect(manager.shutDown()).toBe(done);
    await done;
    work.resolve(0, 'ignored');
    await settle();
    expect(events).toEqual([]);
    expect([manager.getTaskState(running), manager.getTaskState(queued), manager.phase]).toEqual([
      'stopped',
      'stopped',
      'shutDown',
    ]);
    for (const call of [
      () => manager.addTask(() => 1),
      () => manager.addPassThroughTask(),
      () => {
        manager.startProcessing();
      },
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN', name: 'ManagerShutDownError' }));
    }
    expect(() => {
      manager.stopTask(running);
      manager.stopTaskGroup('g');
      manager.stopAllTasks();
      manager.pauseProcessing();
    }).not.toThrow();
  });

  it('§20 is reentrant: listeners add, stop and shut down from inside events', async () => {
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const work = controlled();
    const victim = manager.addTask(work.run, { group: 'victims', priority: -1 });
    let added: number | undefined;
    manager.on('taskCompleted', (uid) => {
      if (uid === 1) added = manager.addTask(() => 'added from a listener', { priority: 5 });
    });
    manager.on('taskFailed', () => {
      manager.stopTaskGroup('victims');
    });
    manager.on('taskGroupFinished', (group) => {
      if (group === 'last') void manager.shutDown();
    });
    manager.addTask(() => 'first', { priority: 10 });
    manager.addTask(() => Promise.reject(new Error('x')), { priority: 1 });
    await settle();
    expect(manager.getTaskState(victim)).toBe('stopped');
    expect(events).toEqual([
      ['taskCompleted', 1, undefined, 'first'],
      ['taskCompleted', added, undefined, 'added from a listener'],
      ['taskFailed', 2, undefined, 'x'],
    ]);
    manager.addTask(() => 'end', { group: 'last' });
    await settle();
    expect(manager.phase).toBe('shutDown');
  });
});

describe('Threads', () => {
  it('§21 bounds running tasks by maxThreads (default 8) and starts no thread without a worker task', async () => {
    const manager = create();
    expect(manager.maxThreads).toBe(8);
    const work = controlled();
    for (let i = 0; i < 20; i++) manager.addTask(work.run);
    await settle();
    expect(work.calls).toHaveLength(8);
    expect(manager.threadsStarted).toBe(false);
    work.resolve(3);
    await settle();
    expect(work.calls).toHaveLength(9);
  });

  it('§22 runs a plain function on the main thread (worker tasks: see test/workers)', async () => {
    // A worker script is set, so a pool exists: a plain function must still not start it.
    const manager = create({ workerScript: new URL('../fixtures/tasks.worker.mjs', import.meta.url) });
    const events = record(manager);
    const ranOnThisThread: number[] = [];
    manager.addTask(function (this: TaskContext) {
      // A write into this test's own memory: only a call on the test's own thread can make it.
      ranOnThisThread.push(this.uid);
      return 'ran';
    });
    await settle();
    expect(ranOnThisThread).toEqual([0]);
    expect(events).toEqual([['taskCompleted', 0, undefined, 'ran']]);
    expect(manager.threadsStarted).toBe(false);
  });
});

describe('onIdle', () => {
  it('resolves once nothing is pending, however the tasks ended, and at once when idle', async () => {
    const manager = create({ maxThreads: 2 });
    await manager.onIdle();
    const work = controlled();
    const order: string[] = [];
    manager.addTask(work.run);
    const failing = manager.addTask(() => Promise.reject(new Error('x')));
    manager.addTask(() => 1, { upstreamTaskIds: [failing] });
    const stopped = manager.addTask(work.run, { priority: -1 });
    const idle = manager.onIdle().then(() => order.push('idle'));
    await settle();
    manager.stopTask(stopped);
    work.resolve(0, 'last');
    manager.on('taskCompleted', () => order.push('completed'));
    await idle;
    expect(order).toEqual(['completed', 'idle']);
    expect(manager.pendingCount).toBe(0);
  });

  it('resolves on shutDown with tasks still pending', async () => {
    const manager = create({ startProcessing: false });
    manager.addTask(() => 1);
    const idle = manager.onIdle();
    await manager.shutDown();
    await expect(idle).resolves.toBeUndefined();
  });
});
