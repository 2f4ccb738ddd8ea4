import type { AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { InspectionHub } from '../../src/inspector/hub.js';
import { ManagerModel } from '../../src/inspector/manager-model.js';
import { managerMachine } from '../../src/machines/manager-machine.js';
import { defaultSanitize } from '../../src/inspector/sanitize.js';
import { Ring } from '../../src/inspector/task-ring.js';
import {
  inspectedTaskLogic,
  type InspectedTaskContext,
  type InspectedTaskSnapshot,
} from '../../src/machines/inspected-task-logic.js';
import type { TaskState } from '../../src/machines/task-logic.js';
import { FakeClock } from '../fake-clock.js';

function snapshot(value: TaskState, context: Partial<InspectedTaskContext> & { uid: number }): InspectedTaskSnapshot {
  return {
    status: 'active',
    value,
    output: undefined,
    error: undefined,
    context: {
      name: `t${context.uid}`,
      kind: 'worker',
      priority: 0,
      group: undefined,
      upstream: [],
      args: undefined,
      kwargs: undefined,
      addedAt: 0,
      ...context,
    },
  };
}

const model = (historyLimit = 10) =>
  new ManagerModel('m1', 'manager 1', {} as AnyActorRef, historyLimit, defaultSanitize);

describe('ManagerModel', () => {
  it('keeps at most 64 worker-thread slots, dropping the oldest', () => {
    const manager = model();
    manager.taskSnapshot(snapshot('blocked', { uid: 0, kind: 'main' }));
    manager.taskSnapshot(snapshot('running', { uid: 0, kind: 'main', startedAt: 1 }));
    for (let thread = 1; thread <= 65; thread++) {
      manager.taskSnapshot(snapshot('blocked', { uid: thread }));
      manager.taskSnapshot(snapshot('running', { uid: thread, startedAt: 1, thread }));
      manager.taskSnapshot(snapshot('done', { uid: thread, startedAt: 1, finishedAt: 2, thread }));
    }
    expect(manager.slots.size).toBe(64);
    expect(manager.slots.has('main-0')).toBe(true);
    expect(manager.slots.has('worker-1')).toBe(false);
    expect(manager.slots.get('worker-65')?.runs.toArray()).toEqual([
      { uid: 65, name: 't65', state: 'done', start: 1, end: 2 },
    ]);
  });

  it('opens a worker task’s bar when its thread is named after it started, and ignores tasks first seen finished', () => {
    const manager = model();
    expect(manager.taskSnapshot(snapshot('done', { uid: 1 }))).toBe(false);
    manager.taskSnapshot(snapshot('blocked', { uid: 2, group: 'g' }));
    manager.taskSnapshot(snapshot('running', { uid: 2, group: 'g', startedAt: 5 }));
    expect(manager.slots.size).toBe(0);
    manager.taskSnapshot(snapshot('running', { uid: 2, group: 'g', startedAt: 5, thread: 9 }));
    expect(manager.task(2)?.slot?.id).toBe('worker-9');
    manager.taskSnapshot(snapshot('stopped', { uid: 2, group: 'g', startedAt: 5, finishedAt: 6, thread: 9 }));
    expect(manager.log.toArray().map((entry) => entry.kind)).toEqual(['stopped']);
    expect(manager.counts).toMatchObject({ running: 0, stopped: 1 });
  });

  it('keeps nothing finished with a history limit of 0, and turns a sanitizer’s odd answer into strings', () => {
    const manager = new ManagerModel('m1', 'manager 1', {} as AnyActorRef, 0, () => null);
    manager.taskSnapshot(snapshot('blocked', { uid: 1 }));
    manager.taskSnapshot(snapshot('failed', { uid: 1, error: { message: 'm', traceback: 't' } }));
    expect(manager.finished.size).toBe(0);
    expect(manager.task(1)).toBeUndefined();
    expect(manager.log.toArray()[0]).toMatchObject({ kind: 'failed', message: '[redacted]', traceback: '[redacted]' });
  });

  it('makes do without the times a snapshot lacks', () => {
    const manager = model();
    manager.taskSnapshot(snapshot('blocked', { uid: 1, kind: 'main', group: 'g' }));
    manager.taskSnapshot(snapshot('running', { uid: 1, kind: 'main', group: 'g' }));
    manager.taskSnapshot(snapshot('done', { uid: 1, kind: 'main', group: 'g' }));
    const [run] = manager.slots.get('main-0')?.runs.toArray() ?? [];
    expect(run?.end).toBeGreaterThanOrEqual(run?.start as number);
    expect(manager.log.toArray().map((entry) => [entry.kind, typeof entry.at])).toEqual([
      ['completed', 'number'],
      ['groupFinished', 'number'],
    ]);
    expect(manager.run.percentiles().p50).toBeNull();
  });
});

describe('ManagerModel, field by field', () => {
  /** Feeds the states of task `uid` in turn, each with the same context. */
  function walk(manager: ManagerModel, uid: number, states: TaskState[], context: Partial<InspectedTaskContext> = {}) {
    for (const state of states) manager.taskSnapshot(snapshot(state, { uid, ...context }));
  }

  it("follows its manager's phase and thread count, and says whether a snapshot changed them", () => {
    const manager = model();
    expect([manager.phase, manager.maxThreads]).toEqual(['paused', 0]);
    expect(manager.managerSnapshot({ value: 'paused' })).toBe(false);
    expect(manager.managerSnapshot({ value: 'paused', context: { maxThreads: 4 } })).toBe(true);
    expect(manager.maxThreads).toBe(4);
    expect(manager.managerSnapshot({ value: 'paused', context: { maxThreads: 4 } })).toBe(false);
    expect(manager.managerSnapshot({ value: 'processing' })).toBe(true);
    expect([manager.phase, manager.maxThreads]).toEqual(['processing', 4]);
  });

  it('counts tasks per state and per group, and says that a new task changed something', () => {
    const manager = model();
    expect(manager.taskSnapshot(snapshot('blocked', { uid: 1, group: 'g' }))).toBe(true);
    walk(manager, 1, ['queued', 'running'], { group: 'g' });
    walk(manager, 2, ['blocked']);
    const zero = { blocked: 0, queued: 0, running: 0, retrying: 0, done: 0, failed: 0, stopped: 0 };
    expect(manager.counts).toEqual({ ...zero, running: 1, blocked: 1 });
    expect([...manager.groups]).toEqual([['g', { ...zero, running: 1 }]]);
    walk(manager, 1, ['done'], { group: 'g' });
    expect([...manager.groups]).toEqual([['g', { ...zero, done: 1 }]]);
  });

  it('keeps the counts of 256 groups, drops the first seen, and does not count it again halfway', () => {
    const manager = model();
    for (let group = 0; group <= 256; group++) walk(manager, group, ['blocked'], { group });
    expect(manager.groups.size).toBe(256);
    expect([manager.groups.has(0), manager.groups.has(1), manager.groups.has(256)]).toEqual([false, true, true]);
    walk(manager, 0, ['queued'], { group: 0 });
    expect(manager.groups.has(0)).toBe(false);
    expect(manager.groups.get(1)).toMatchObject({ blocked: 1, queued: 0 });
    // Its end is logged; the group's is not, as its counts are gone.
    walk(manager, 0, ['running', 'done'], { group: 0 });
    expect(manager.log.toArray().map((entry) => entry.kind)).toEqual(['completed']);
  });

  it('samples the wait from queued to started and the run of a task that ran to its end, from the times it has', () => {
    const manager = model();
    walk(manager, 1, ['blocked', 'queued']);
    walk(manager, 1, ['running', 'done'], { queuedAt: 10, startedAt: 15, finishedAt: 22 });
    walk(manager, 2, ['blocked', 'queued', 'running'], { startedAt: 15, finishedAt: 40 }); // no queuedAt
    walk(manager, 2, ['stopped'], { startedAt: 15, finishedAt: 40 }); // stopped: not a run
    walk(manager, 3, ['blocked', 'queued'], { queuedAt: 10 });
    walk(manager, 3, ['running', 'failed'], { queuedAt: 10, finishedAt: 50 }); // no startedAt
    walk(manager, 4, ['blocked', 'queued'], { queuedAt: 1, startedAt: 2, finishedAt: 90 });
    walk(manager, 4, ['failed'], { queuedAt: 1, startedAt: 2, finishedAt: 90 }); // never ran
    walk(manager, 5, ['blocked', 'running', 'done'], { startedAt: 3 }); // no finishedAt
    expect(manager.wait.percentiles()).toEqual({ p50: 5, p95: 5, p99: 5 });
    expect(manager.run.percentiles()).toEqual({ p50: 7, p95: 7, p99: 7 });
  });

  it('gives each running main-thread task the lowest free lane, and frees it when the task waits to retry or ends', () => {
    const manager = model();
    const main = { kind: 'main' as const, startedAt: 1 };
    const laneOf = (uid: number): string | undefined => manager.task(uid)?.slot?.id;
    walk(manager, 1, ['blocked', 'running'], main);
    walk(manager, 2, ['blocked', 'running'], main);
    expect([laneOf(1), laneOf(2)]).toEqual(['main-0', 'main-1']);
    expect(manager.slots.get('main-0')).toMatchObject({ label: 'main thread 0', kind: 'main' });
    expect(manager.slots.get('main-0')?.runs.toArray()).toEqual([{ uid: 1, name: 't1', state: 'running', start: 1 }]);
    walk(manager, 1, ['retrying'], main); // lane 0 free
    walk(manager, 3, ['blocked', 'running'], main);
    expect(laneOf(3)).toBe('main-0');
    walk(manager, 1, ['stopped'], main); // it held no lane any more: lane 0 stays task 3's
    walk(manager, 4, ['blocked', 'stopped'], main); // never ran, never held one
    walk(manager, 5, ['blocked', 'running'], main);
    expect(laneOf(5)).toBe('main-2');
    walk(manager, 2, ['done'], main);
    walk(manager, 6, ['blocked', 'running'], main);
    expect(laneOf(6)).toBe('main-1');
  });

  it('opens one bar per run of a worker task, on its thread once named, and none while it waits to retry', () => {
    const manager = model();
    walk(manager, 1, ['blocked', 'running', 'running']); // no thread named yet
    expect(manager.slots.size).toBe(0);
    walk(manager, 1, ['running', 'running'], { thread: 7 });
    expect(manager.slots.get('worker-7')).toMatchObject({ label: 'worker thread 7', kind: 'worker' });
    expect(manager.slots.get('worker-7')?.runs.size).toBe(1);
    walk(manager, 1, ['retrying', 'retrying'], { thread: 7 });
    expect(manager.slots.get('worker-7')?.runs.toArray()).toMatchObject([{ uid: 1, state: 'failed' }]);
    walk(manager, 2, ['blocked', 'running', 'retrying']); // its thread never named: no bar to end
    expect(manager.counts.retrying).toBe(2);
  });

  it('counts main-thread lanes apart from the 64 worker-thread slots', () => {
    const manager = model();
    for (let thread = 1; thread <= 64; thread++) walk(manager, thread, ['blocked', 'running'], { thread });
    walk(manager, 100, ['blocked', 'running'], { kind: 'main' });
    expect(manager.slots.size).toBe(65);
    expect(manager.slots.has('worker-1')).toBe(true);
  });

  it('logs each end with its group when it has one, and a group’s end only once nothing of it is pending', () => {
    const manager = model();
    walk(manager, 1, ['blocked', 'queued', 'running'], { group: 'g' });
    walk(manager, 2, ['blocked', 'queued'], { group: 'g' });
    walk(manager, 3, ['blocked'], { group: 'g' });
    walk(manager, 4, ['blocked', 'running'], { group: 'h' });
    walk(manager, 5, ['blocked', 'running', 'retrying'], { group: 'h' });
    walk(manager, 6, ['blocked', 'stopped'], { group: 's' });
    walk(manager, 1, ['done'], { group: 'g', finishedAt: 5 }); // 2 queued and 3 blocked remain
    walk(manager, 4, ['done'], { group: 'h', finishedAt: 6 }); // 5 waits to retry
    walk(manager, 7, ['blocked', 'running', 'done'], { finishedAt: 7 });
    walk(manager, 5, ['running', 'done'], { group: 'h', finishedAt: 8 });
    walk(manager, 8, ['blocked', 'failed'], { finishedAt: 9, error: { message: 'm', traceback: 't' } });
    expect(manager.log.toArray()).toStrictEqual([
      { seq: 0, at: expect.any(Number) as number, kind: 'stopped', uid: 6, name: 't6', group: 's' },
      { seq: 1, at: 5, kind: 'completed', uid: 1, name: 't1', group: 'g' },
      { seq: 2, at: 6, kind: 'completed', uid: 4, name: 't4', group: 'h' },
      { seq: 3, at: 7, kind: 'completed', uid: 7, name: 't7' },
      { seq: 4, at: 8, kind: 'completed', uid: 5, name: 't5', group: 'h' },
      { seq: 5, at: 8, kind: 'groupFinished', group: 'h' },
      { seq: 6, at: 9, kind: 'failed', uid: 8, name: 't8', message: 'm', traceback: 't' },
    ]);
  });
});

describe('Ring', () => {
  it('answers nothing outside its items', () => {
    const ring = new Ring<number>(2);
    expect(ring.fromNewest(0)).toBeUndefined();
    ring.push(1);
    expect([ring.fromNewest(-1), ring.fromNewest(1), ring.fromNewest(0)]).toEqual([undefined, undefined, 1]);
    expect([ring.push(2), ring.push(3), ring.toArray()]).toEqual([undefined, 1, [2, 3]]);
    // Wrapped around: the slots beyond either end hold items, and must not be read.
    expect([ring.fromNewest(-1), ring.fromNewest(2), ring.fromNewest(1)]).toEqual([undefined, undefined, 2]);
  });
});

describe('InspectionHub', () => {
  it('keeps 16 managers, dropping one that has shut down first', async () => {
    const hub = new InspectionHub(10, defaultSanitize);
    const managers = Array.from({ length: 16 }, () => new BackgroundTaskManager({ inspect: hub.inspect }));
    await managers[3]?.shutDown();
    managers.push(new BackgroundTaskManager({ inspect: hub.inspect }));
    expect(hub.managers.map((view) => view.id)).toEqual(
      [...Array.from({ length: 17 }, (_, i) => `m${i + 1}`)].filter((id) => id !== 'm4'),
    );
    managers.push(new BackgroundTaskManager({ inspect: hub.inspect }));
    expect(hub.managers.map((view) => view.id).slice(0, 2)).toEqual(['m2', 'm3']);
    await Promise.all(managers.map((manager) => manager.shutDown()));
  });

  it('ignores snapshots of actors that are neither a manager nor a task', () => {
    const hub = new InspectionHub(10, defaultSanitize);
    const manager = new BackgroundTaskManager({ inspect: hub.inspect });
    const rootId = hub.managers[0]?.actor.sessionId;
    const revision = hub.revision;
    hub.inspect({ type: '@xstate.snapshot', rootId, actorRef: {}, snapshot: {}, event: { type: 'x' } } as never);
    expect([hub.revision, hub.faults]).toEqual([revision, 0]);
    void manager.shutDown();
  });

  it('adds a manager for a root actor of the manager machine only, and counts a change only for what it keeps', () => {
    const hub = new InspectionHub(10, defaultSanitize);
    const actor = (logic: unknown, parent?: unknown) => ({ logic, _parent: parent }) as unknown as AnyActorRef;
    const event = (type: string, rootId: string, actorRef: AnyActorRef, snapshot: unknown = {}) =>
      ({ type, rootId, actorRef, snapshot, event: { type: 'x' } }) as never;
    hub.inspect(event('@xstate.actor', 'child', actor(managerMachine, {})));
    hub.inspect(event('@xstate.actor', 'task', actor(inspectedTaskLogic)));
    hub.inspect(event('@xstate.event', 'none', actor(managerMachine)));
    hub.inspect(event('@xstate.snapshot', 'unknown', actor(managerMachine), { value: 'processing' }));
    expect([hub.managers.length, hub.revision, hub.faults]).toEqual([0, 0, 0]);
    const root = actor(managerMachine);
    hub.inspect(event('@xstate.actor', 'root', root));
    expect([hub.revision, hub.managers.map((model) => [model.id, model.label, model.actor])]).toEqual([
      1,
      [['m1', 'manager 1', root]],
    ]);
    hub.inspect(event('@xstate.snapshot', 'root', root, { value: 'processing' }));
    expect([hub.revision, hub.managers[0]?.phase, hub.faults]).toEqual([2, 'processing', 0]);
  });
});

describe('inspectedTaskLogic', () => {
  it('ignores an event that does not apply', () => {
    const done = snapshot('done', { uid: 1 });
    expect(inspectedTaskLogic.transition(done, { type: 'START', at: 1, kwargs: {} }, {} as never)).toBe(done);
  });

  it('persists and restores its snapshot as is', () => {
    const state = snapshot('queued', { uid: 1 });
    expect(inspectedTaskLogic.getPersistedSnapshot(state)).toBe(state);
    expect(inspectedTaskLogic.restoreSnapshot?.(state, {} as never)).toBe(state);
  });
});

describe('ManagerModel of a task that is retried', () => {
  it('counts it as retrying while it waits, ends its failed run in the task stream, and shows its last failure', async () => {
    const clock = new FakeClock();
    const view = model();
    const values: string[] = [];
    const manager = new BackgroundTaskManager({
      startProcessing: true,
      clock,
      inspect: (event) => {
        if (event.type !== '@xstate.snapshot' || (event.actorRef as AnyActorRef).id !== 'task-0') return;
        const taskSnapshot = event.snapshot as InspectedTaskSnapshot;
        values.push(taskSnapshot.value);
        view.taskSnapshot(taskSnapshot);
      },
    });
    let calls = 0;
    const uid = manager.addTask(
      () => {
        calls++;
        if (calls === 1) throw new Error('first run failed');
        return 'second run';
      },
      { group: 'g', retry: { attempts: 2, delayMs: 5 } },
    );
    await new Promise((resolve) => manager.on('taskRetrying', resolve));
    expect(view.counts.retrying).toBe(1);
    expect(view.pending.get(uid)?.context).toMatchObject({ retries: 1, error: { message: 'first run failed' } });
    expect(view.slots.get('main-0')?.runs.toArray()).toMatchObject([{ uid, state: 'failed' }]);
    clock.advance(5);
    await manager.onIdle();
    expect(values).toEqual(['blocked', 'queued', 'running', 'retrying', 'queued', 'running', 'done']);
    expect(view.counts).toMatchObject({ retrying: 0, done: 1 });
    expect(
      view.slots
        .get('main-0')
        ?.runs.toArray()
        .map((run) => run.state),
    ).toEqual(['failed', 'done']);
    await manager.shutDown();
  });
});
