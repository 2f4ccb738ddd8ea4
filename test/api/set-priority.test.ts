import { describe, expect, it } from 'vitest';
import { startInspector } from '../../src/inspector.js';
import type { TaskDetail, TasksPage } from '../../src/inspector/protocol.js';
import { controlled, managersWith, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true, maxThreads: 1 });

/** A manager with one running task holding its only slot, and a way to release it. */
async function busyManager() {
  const manager = create();
  const gate = controlled();
  const started: number[] = [];
  manager.on('taskStarted', (uid) => started.push(uid));
  const blocker = manager.addTask(gate.run);
  await settle();
  return {
    manager,
    blocker,
    started,
    release: () => {
      gate.resolve(0);
    },
  };
}

describe('setPriority(uid, priority)', () => {
  it('moves a queued task to its new place: ahead of lower priorities, behind equal ones added before it', async () => {
    const { manager, started, release } = await busyManager();
    const run = (): number => 0;
    const a = manager.addTask(run, { priority: 1 });
    const b = manager.addTask(run);
    const c = manager.addTask(run, { priority: 1 });
    const d = manager.addTask(run);
    await settle();
    expect(manager.setPriority(d, 1)).toBe(true); // behind a and c, added before it
    expect(manager.setPriority(b, 2)).toBe(true); // ahead of everything
    expect(manager.setPriority(a, -1)).toBe(true); // last
    release();
    await manager.onIdle();
    expect(started.slice(1)).toEqual([b, c, d, a]);
  });

  it('stores the new priority of a blocked task and uses it once the task is queued', async () => {
    const { manager, started, release } = await busyManager();
    const up = manager.addTask(() => 'up', { priority: 10 });
    const blocked = manager.addTask(() => 'blocked', { upstreamTaskIds: [up] });
    const other = manager.addTask(() => 'other', { priority: 3 });
    expect(manager.getTaskState(blocked)).toBe('blocked');
    expect(manager.setPriority(blocked, 5)).toBe(true);
    expect(manager.getTaskState(blocked)).toBe('blocked');
    release();
    await manager.onIdle();
    expect(started.slice(1)).toEqual([up, blocked, other]);
  });

  it('stores the priority of a running task and changes nothing else', async () => {
    const { manager, blocker, started, release } = await busyManager();
    const queued = manager.addTask(() => 'queued');
    expect(manager.setPriority(blocker, 7)).toBe(true);
    await settle();
    expect([manager.getTaskState(blocker), manager.getTaskState(queued), started]).toEqual([
      'running',
      'queued',
      [blocker],
    ]);
    release();
    await manager.onIdle();
    expect(started).toEqual([blocker, queued]);
  });

  it('returns false, changing nothing, for an unknown, finished or stopped task and for the priority it has', async () => {
    const { manager, blocker, release } = await busyManager();
    const stopped = manager.addTask(() => 'stopped');
    const same = manager.addTask(() => 'same', { priority: 4 });
    const zero = manager.addTask(() => 'zero');
    manager.stopTask(stopped);
    expect(manager.setPriority(stopped, 1)).toBe(false);
    expect(manager.setPriority(99, 1)).toBe(false);
    expect(manager.setPriority(-1, 1)).toBe(false);
    expect(manager.setPriority(same, 4)).toBe(false);
    expect(manager.setPriority(zero, -0)).toBe(false); // -0 is 0, as priorities compare
    release();
    await manager.onIdle();
    expect(manager.setPriority(blocker, 1)).toBe(false);
    expect(manager.setPriority(same, 1)).toBe(false);
  });

  it('refuses a bad priority with the same TypeError as addTask, and a non-integer id, leaving the queue as it was', async () => {
    const { manager, started, release } = await busyManager();
    const loose = manager as unknown as { setPriority(id: unknown, priority?: unknown): boolean };
    const a = manager.addTask(() => 'a');
    const b = manager.addTask(() => 'b');
    let addTaskMessage = '';
    try {
      manager.addTask(() => 'x', { priority: Number.NaN });
    } catch (error) {
      addTaskMessage = (error as Error).message;
    }
    expect(() => loose.setPriority(b, Number.NaN)).toThrow(new TypeError(addTaskMessage));
    for (const bad of [undefined, Infinity, '5', null]) expect(() => loose.setPriority(b, bad)).toThrow(TypeError);
    expect(() => loose.setPriority(b)).toThrow('Expected `priority` to be a finite number, got undefined');
    expect(() => loose.setPriority('1', 3)).toThrow(TypeError);
    expect(() => loose.setPriority(1.5, 3)).toThrow(TypeError);
    release();
    await manager.onIdle();
    expect(started.slice(1)).toEqual([a, b]);
  });

  it("updates an inspected task's priority, which the inspector's table and detail show", async () => {
    const inspector = await startInspector();
    try {
      const manager = create({ startProcessing: false, inspect: inspector.inspect });
      const uid = manager.addTask(
        function later() {
          return 'later';
        },
        { priority: 2 },
      );
      expect(manager.setPriority(uid, 9)).toBe(true);
      const url = new URL(inspector.url);
      const get = async <T>(path: string): Promise<T> =>
        (await (await fetch(new URL(`${path}&token=${url.searchParams.get('token') ?? ''}`, url))).json()) as T;
      const page = await get<TasksPage>('/api/tasks?manager=m1');
      const detail = await get<TaskDetail>(`/api/task?manager=m1&uid=${uid}`);
      expect(page.tasks.map((row) => [row.uid, row.state, row.priority])).toEqual([[uid, 'queued', 9]]);
      expect([detail.state, detail.priority]).toEqual(['queued', 9]);
    } finally {
      await inspector.close();
    }
  });
});
