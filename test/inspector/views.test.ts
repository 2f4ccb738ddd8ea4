import type { AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { InspectionHub } from '../../src/inspector/hub.js';
import { ManagerModel } from '../../src/inspector/manager-model.js';
import { defaultSanitize, type Sanitizer } from '../../src/inspector/sanitize.js';
import { GRAPH_CAP, stateMessage, taskDetail, tasksPage } from '../../src/inspector/views.js';
import type { InspectedTaskContext, InspectedTaskSnapshot } from '../../src/machines/inspected-task-logic.js';
import type { TaskState } from '../../src/machines/task-logic.js';

// The views the routes send, on a model fed by hand; server-data.test.ts reads them through HTTP.

function feed(model: ManagerModel, uid: number, states: TaskState[], context: Partial<InspectedTaskContext> = {}) {
  for (const value of states) {
    const snapshot = {
      status: 'active',
      value,
      output: undefined,
      error: undefined,
      context: {
        name: `t${uid}`,
        kind: 'main',
        priority: 0,
        group: undefined,
        upstream: [],
        addedAt: 0,
        uid,
        ...context,
      },
    };
    model.taskSnapshot(snapshot as InspectedTaskSnapshot);
  }
}

const all = { state: undefined, group: undefined, q: undefined, offset: 0, limit: 50 };
const uids = (page: { tasks: Array<{ uid: number }> }): number[] => page.tasks.map((task) => task.uid);

describe('inspector views', () => {
  it('filters pending and finished tasks alike, by state, group and a search that ignores case', () => {
    const model = new ManagerModel('m1', 'manager 1', {} as AnyActorRef, 10, defaultSanitize);
    feed(model, 1, ['blocked'], { name: 'resize', group: 'Thumbs' });
    feed(model, 2, ['blocked', 'queued'], { name: 'upload' });
    feed(model, 12, ['blocked', 'running', 'done'], { name: 'Resize' });
    feed(model, 3, ['blocked', 'stopped'], { name: 'index', group: 7 });
    expect(uids(tasksPage(model, all))).toEqual([12, 3, 2, 1]);
    expect(uids(tasksPage(model, { ...all, q: '' }))).toEqual([12, 3, 2, 1]);
    expect(uids(tasksPage(model, { ...all, state: 'blocked' }))).toEqual([1]);
    expect(uids(tasksPage(model, { ...all, state: 'done' }))).toEqual([12]);
    expect(uids(tasksPage(model, { ...all, group: '7' }))).toEqual([3]);
    expect(uids(tasksPage(model, { ...all, q: 'thumbs' }))).toEqual([1]);
    expect(uids(tasksPage(model, { ...all, q: 'resize' }))).toEqual([12, 1]);
    expect(uids(tasksPage(model, { ...all, q: '1' }))).toEqual([1]); // an id matches whole
    expect(tasksPage(model, { ...all, offset: 1, limit: 2 })).toMatchObject({ total: 4, offset: 1, limit: 2 });
    expect(uids(tasksPage(model, { ...all, offset: 1, limit: 2 }))).toEqual([3, 2]);
  });

  it('lists groups as stats() does: 1 and "1" added up in one entry, "__proto__" as an own entry', async () => {
    const hub = new InspectionHub(10, defaultSanitize);
    const manager = new BackgroundTaskManager({ inspect: hub.inspect });
    manager.addTask(() => 1, { group: 1 });
    manager.addTask(() => 1, { group: '1' });
    manager.addTask(() => 1, { group: '__proto__' });
    const groups = stateMessage(hub, false).managers[0]?.groups ?? {};
    expect(Object.keys(groups)).toEqual(['1', '__proto__']);
    expect(groups['1']?.queued).toBe(2);
    expect(JSON.parse(JSON.stringify(groups)) as unknown).toEqual(manager.stats().groups);
    await manager.shutDown();
  });

  it('sanitizes a result only for a task that is done', () => {
    const kinds: string[] = [];
    const sanitize: Sanitizer = (value, kind) => {
      kinds.push(kind);
      return value;
    };
    const model = new ManagerModel('m1', 'manager 1', {} as AnyActorRef, 10, sanitize);
    feed(model, 1, ['blocked', 'running']);
    feed(model, 2, ['blocked', 'running', 'done'], { result: 'r' });
    expect(taskDetail(model, 1)).not.toHaveProperty('result');
    expect(kinds).toEqual(['args', 'kwargs']);
    expect(taskDetail(model, 2)).toMatchObject({ result: 'r' });
  });

  it('shows the first 300 pending tasks in the graph, and says it is truncated only past them', async () => {
    const hub = new InspectionHub(10, defaultSanitize);
    const manager = new BackgroundTaskManager({ inspect: hub.inspect });
    const graph = () => stateMessage(hub, false).managers[0]?.graph;
    for (let i = 0; i < GRAPH_CAP; i++) manager.addTask(() => i);
    expect(graph()).toMatchObject({ truncated: false, cap: 300 });
    manager.addTask(() => 'one more');
    expect(graph()?.truncated).toBe(true);
    expect(graph()?.nodes.map((node) => node.uid)).toEqual(Array.from({ length: GRAPH_CAP }, (_, i) => i));
    await manager.shutDown();
  });
});
