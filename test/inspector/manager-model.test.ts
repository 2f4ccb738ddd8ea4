import type { AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { InspectionHub } from '../../src/inspector/hub.js';
import { ManagerModel } from '../../src/inspector/manager-model.js';
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

describe('Ring', () => {
  it('answers nothing outside its items', () => {
    const ring = new Ring<number>(2);
    expect(ring.fromNewest(0)).toBeUndefined();
    ring.push(1);
    expect([ring.fromNewest(-1), ring.fromNewest(1), ring.fromNewest(0)]).toEqual([undefined, undefined, 1]);
    expect([ring.push(2), ring.push(3), ring.toArray()]).toEqual([undefined, 1, [2, 3]]);
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
