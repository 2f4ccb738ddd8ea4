import type { InspectionEvent } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';
import { inspectedTaskLogic } from '../../src/machines/inspected-task-logic.js';
import type { MachinesView, StateMessage, TaskDetail, TasksPage } from '../../src/inspector/protocol.js';
import type { InspectorParts } from '../../src/inspector/start-inspector.js';
import { controlled, deferred, nextEvent, settle } from '../helpers.js';
import { request, startTestInspector, streamClient } from './server-helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function setUp(options: Parameters<typeof startTestInspector>[0] = {}) {
  const inspector = await startTestInspector(options);
  open.push(inspector);
  const manager = (extra: ConstructorParameters<typeof BackgroundTaskManager>[0] = {}) => {
    const created = new BackgroundTaskManager({ inspect: inspector.inspect, startProcessing: true, ...extra });
    open.push({ close: () => created.shutDown() });
    return created;
  };
  return { inspector, manager, get: <T>(path: string) => getJson<T>(inspector, path) };
}

async function getJson<T>(inspector: InspectorParts, path: string): Promise<T> {
  const join = path.includes('?') ? '&' : '?';
  const reply = await request(inspector.server.port, `${path}${join}token=${inspector.token}`);
  expect(reply.status, `${path}: ${reply.body}`).toBe(200);
  return JSON.parse(reply.body) as T;
}

describe('inspector server: what the routes show', () => {
  it('shows a known DAG: counts, groups, edges, a failure’s traceback, the log and each task’s detail', async () => {
    const { manager: create, get } = await setUp();
    const manager = create();
    const a = manager.addTask(
      function load(_n: number, kwargs: { url: string }) {
        return { size: kwargs.url.length };
      },
      {
        group: 'g',
        priority: 3,
        taskKwargs: { url: 'abc' },
        taskArgs: [1],
      },
    );
    const b = manager.addTask(
      function left() {
        return { left: true };
      },
      { group: 'g', upstreamTaskIds: [a] },
    );
    const c = manager.addTask(
      function right() {
        return { right: true };
      },
      { group: 'g', upstreamTaskIds: [a] },
    );
    const d = manager.addPassThroughTask({ group: 'g', upstreamTaskIds: [b, c] });
    const e = manager.addTask(
      function broken() {
        throw new Error('connection refused');
      },
      { group: 'h' },
    );
    const f = manager.addTask(
      function never() {
        return 1;
      },
      { group: 'h', upstreamTaskIds: [e] },
    );
    await manager.onIdle();

    const state = await get<StateMessage>('/api/state');
    expect(state).toMatchObject({ version: 1, controls: false });
    const [view] = state.managers;
    expect(view).toMatchObject({
      id: 'm1',
      phase: 'processing',
      maxThreads: 8,
      busyThreads: 0,
      counts: { blocked: 0, queued: 0, running: 0, retrying: 0, done: 4, failed: 2, stopped: 0 },
      groups: {
        g: { blocked: 0, queued: 0, running: 0, retrying: 0, done: 4, failed: 0, stopped: 0 },
        h: { blocked: 0, queued: 0, running: 0, retrying: 0, done: 0, failed: 2, stopped: 0 },
      },
    });
    expect(view?.runMs.p50).toEqual(expect.any(Number));
    expect(view?.waitMs.p99).toEqual(expect.any(Number));
    expect(view?.graph.edges).toEqual(
      expect.arrayContaining([
        [a, b],
        [a, c],
        [b, d],
        [c, d],
        [e, f],
      ]),
    );
    expect(view?.graph.edges).toHaveLength(5);
    expect(view?.graph.nodes.map((node) => node.uid).sort()).toEqual([a, b, c, d, e, f]);
    expect(view?.graph.truncated).toBe(false);
    const failed = view?.events.filter((entry) => entry.kind === 'failed');
    expect(failed?.map((entry) => [entry.uid, entry.message])).toEqual([
      [e, 'connection refused'],
      [f, 'connection refused'],
    ]);
    expect(failed?.[0]?.traceback).toMatch(/^Error: connection refused\n\s+at /);
    expect(failed?.[0]?.traceback).toContain('server-data.test.ts');
    expect(view?.events.filter((entry) => entry.kind === 'groupFinished').map((entry) => entry.group)).toEqual([
      'h',
      'g',
    ]);
    expect(view?.slots.find((slot) => slot.id === 'main-0')?.runs.map((run) => run.uid)).toContain(a);

    const detail = await get<TaskDetail>(`/api/task?manager=m1&uid=${a}`);
    expect(detail).toMatchObject({
      uid: a,
      name: 'load',
      kind: 'main',
      priority: 3,
      group: 'g',
      state: 'done',
      upstream: [],
      downstream: [b, c],
      args: [1],
      kwargs: { url: 'abc' },
      result: { size: 3 },
      slot: 'main-0',
    });
    expect(detail.startedAt).toBeGreaterThanOrEqual(detail.addedAt);
    expect(detail.finishedAt).toBeGreaterThanOrEqual(detail.startedAt as number);
    const gather = await get<TaskDetail>(`/api/task?manager=m1&uid=${d}`);
    expect(gather).toMatchObject({
      name: 'pass-through',
      kind: 'passThrough',
      upstream: [b, c],
      result: { left: true, right: true },
    });
    const failure = await get<TaskDetail>(`/api/task?manager=m1&uid=${f}`);
    expect(failure.error?.message).toBe('connection refused');
    expect(failure.error?.traceback).toContain('server-data.test.ts');
    expect(failure.startedAt).toBeUndefined();

    const failedOnly = await get<TasksPage>('/api/tasks?manager=m1&state=failed');
    expect(failedOnly.tasks.map((row) => row.uid)).toEqual([f, e]);
    expect((await get<TasksPage>('/api/tasks?manager=m1&q=LEF')).tasks.map((row) => row.name)).toEqual(['left']);
    expect((await get<TasksPage>('/api/tasks?manager=m1&q=BRO')).tasks.map((row) => row.uid)).toEqual([e]);
    expect((await get<TasksPage>('/api/tasks?manager=m1&group=h')).total).toBe(2);
    expect((await get<TasksPage>(`/api/tasks?manager=m1&q=${c}`)).tasks.map((row) => row.uid)).toEqual([c]);
    const page = await get<TasksPage>('/api/tasks?manager=m1&group=g&offset=1&limit=2');
    expect(page).toMatchObject({ total: 4, offset: 1, limit: 2 });
    expect(page.tasks.map((row) => row.uid)).toEqual([c, b]);
  });

  it('answers 400 or 404 to bad queries', async () => {
    const { inspector, manager } = await setUp();
    const created = manager();
    created.addTask(() => 1);
    await created.onIdle();
    const port = inspector.server.port;
    const token = inspector.token;
    for (const [path, status] of [
      ['/api/tasks?manager=m9', 404],
      ['/api/tasks?manager=m1&state=bogus', 400],
      ['/api/tasks?manager=m1&limit=0', 400],
      ['/api/tasks?manager=m1&offset=-1', 400],
      ['/api/task?manager=m1&uid=99', 404],
      ['/api/task?manager=m1&uid=x', 404],
      ['/assets/../package.json', 404],
      ['/assets/%2e%2e%2fpackage.json', 404],
      ['/assets/nothing.js', 404],
    ] as const) {
      expect((await request(port, `${path}&token=${token}`.replace(/^([^?&]*)&/, '$1?'))).status, path).toBe(status);
    }
  });

  it('serves the page with its token and its assets from the page folder, and 503 when it is not built', async () => {
    const folder = new URL('../fixtures/inspector-page/', import.meta.url);
    const { inspector } = await setUp();
    const built = await startTestInspector({}, { pageFolder: folder });
    open.push(built);
    const page = await request(built.server.port, `/?token=${built.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`/assets/app.js?token=${built.token}`);
    expect(page.body).not.toContain('__TOKEN__');
    const script = await request(built.server.port, `/assets/app.js?token=${built.token}`);
    expect([script.status, script.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    const style = await request(built.server.port, `/assets/style.css?token=${built.token}`);
    expect([style.status, style.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    const missing = await startTestInspector(
      {},
      { pageFolder: new URL('../fixtures/no-such-folder/', import.meta.url) },
    );
    open.push(missing);
    expect((await request(missing.server.port, `/?token=${missing.token}`)).status).toBe(503);
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('draws both machines from their definitions', async () => {
    const { get } = await setUp();
    const machines = await get<MachinesView>('/api/machines');
    expect(machines.task).toMatchObject({ id: 'task', initial: 'blocked', finals: ['done', 'failed', 'stopped'] });
    expect(machines.task.transitions).toContainEqual({ from: 'running', event: 'COMPLETE', to: 'done' });
    expect(machines.task.transitions).toHaveLength(11);
    expect(machines.manager.states).toEqual(['paused', 'processing', 'shuttingDown', 'shutDown']);
    expect(machines.manager.transitions).toContainEqual({
      from: 'shuttingDown',
      event: 'THREADS_EXITED',
      to: 'shutDown',
    });
  });

  it('shows which worker thread ran which task, and a lane per main-thread task running at once', async () => {
    const { manager, get } = await setUp();
    const workers = manager({ maxThreads: 4, workerScript });
    const threads = [workers.addTask(workerTask('threadId')), workers.addTask(workerTask('threadId'))];
    const results = new Map<number, unknown>();
    workers.on('taskCompleted', (uid, _group, result) => results.set(uid, result));
    const work = controlled();
    const main = [workers.addTask(work.run), workers.addTask(work.run)];
    await settle();
    expect((await get<StateMessage>('/api/state')).managers[0]?.busyThreads).toBeGreaterThanOrEqual(2);
    work.resolve(0);
    work.resolve(1);
    await workers.onIdle();
    const view = (await get<StateMessage>('/api/state')).managers[0];
    for (const uid of threads) {
      const slot = view?.slots.find((candidate) => candidate.runs.some((run) => run.uid === uid));
      expect(slot?.id).toBe(`worker-${String(results.get(uid))}`);
      expect(slot?.kind).toBe('worker');
      const detail = await get<TaskDetail>(`/api/task?manager=m1&uid=${uid}`);
      expect(detail).toMatchObject({ name: 'threadId', kind: 'worker', slot: slot?.id });
    }
    const lanes = main.map((uid) => view?.slots.find((slot) => slot.runs.some((run) => run.uid === uid))?.id);
    expect(lanes.sort()).toEqual(['main-0', 'main-1']);
    await workers.shutDown();
    expect((await get<StateMessage>('/api/state')).managers[0]?.phase).toBe('shutDown');
  });

  it('watches several managers, each its own entry', async () => {
    const { manager, get } = await setUp();
    const first = manager();
    const second = manager({ maxThreads: 3 });
    first.addTask(() => 1);
    second.addTask(() => 2);
    second.addTask(() => 3);
    await Promise.all([first.onIdle(), second.onIdle()]);
    const state = await get<StateMessage>('/api/state');
    expect(state.managers.map((view) => [view.id, view.maxThreads, view.counts.done])).toEqual([
      ['m1', 8, 1],
      ['m2', 3, 2],
    ]);
  });

  it('streams state only when it changed, and sends what changed', async () => {
    const { inspector, manager } = await setUp();
    const revisions: number[] = [];
    const done = deferred();
    let latest: StateMessage | undefined;
    const response = await streamClient(inspector.server.port, inspector.token, (state) => {
      revisions.push(state.revision);
      latest = state;
      if (state.managers[0]?.counts.done === 3) done.resolve(undefined);
    });
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
    const first = manager();
    for (let i = 0; i < 3; i++) first.addTask(() => i);
    await done.promise;
    response.destroy();
    expect(latest?.managers[0]?.counts.done).toBe(3);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1] as number);
  });

  it('keeps only `historyLimit` finished tasks, and passes values through `sanitize`', async () => {
    const kinds: string[] = [];
    const { manager, get } = await setUp({
      historyLimit: 5,
      sanitize: (value, kind) => {
        kinds.push(kind);
        if (kind === 'kwargs') return '[redacted]';
        if (kind === 'result') throw new Error('sanitizer bug');
        return value;
      },
    });
    const first = manager();
    const held = controlled();
    const waiting = first.addTask(held.run, { group: 'held' });
    const lastDone = nextEvent(first, 'taskCompleted', (uid) => uid === 20);
    // A chain: each task waits for the one before, so the graph meets upstream tasks the ring has let go.
    for (let i = 0; i < 20; i++) {
      first.addTask((kwargs: { secret: string }) => kwargs.secret.length, {
        taskKwargs: { secret: 'hunter2' },
        upstreamTaskIds: i === 0 ? [] : [i],
      });
    }
    await lastDone;
    const graph = (await get<StateMessage>('/api/state')).managers[0]?.graph;
    expect(graph?.edges).toEqual([
      [19, 20],
      [18, 19],
      [17, 18],
      [16, 17],
    ]);
    const all = await get<TasksPage>('/api/tasks?manager=m1');
    // The five most recent finished tasks, and the one still running.
    expect(all.tasks.map((row) => row.uid)).toEqual([20, 19, 18, 17, 16, waiting]);
    expect(all.tasks.at(-1)).toMatchObject({ state: 'running', slot: 'main-0' });
    expect(all.tasks.at(-1)?.finishedAt).toBeUndefined();
    expect((await get<TasksPage>('/api/tasks?manager=m1&group=held')).total).toBe(1);
    held.resolve(0);
    await first.onIdle();
    const detail = await get<TaskDetail>('/api/task?manager=m1&uid=20');
    expect(detail).toMatchObject({ kwargs: '[redacted]', result: '[sanitize failed]', args: [] });
    expect(JSON.stringify(detail)).not.toContain('hunter2');
    expect(kinds.sort()).toEqual(['args', 'kwargs', 'result']);
  });
});

describe('inspector: nothing it does can throw into a manager', () => {
  it('counts a malformed event as a fault and carries on', async () => {
    const inspector = await startTestInspector();
    open.push(inspector);
    const manager = new BackgroundTaskManager({ inspect: inspector.inspect, startProcessing: true });
    open.push({ close: () => manager.shutDown() });
    const rootId = inspector.hub.managers[0]?.actor.sessionId;
    // A task actor's snapshot without a context: handling it throws inside the inspector.
    const actorRef = { logic: inspectedTaskLogic };
    const bad = { type: '@xstate.snapshot', rootId, actorRef, snapshot: null } as unknown as InspectionEvent;
    expect(() => {
      inspector.inspect(bad);
    }).not.toThrow();
    expect(inspector.hub.faults).toBe(1);
    manager.addTask(() => 'still fine');
    await manager.onIdle();
    expect(manager.stats().counts.done).toBe(1);
    expect(inspector.hub.managers[0]?.counts.done).toBe(1);
    await inspector.close();
    // It lets go of what it held (the manager keeps its inspect function for life), and hears nothing more.
    expect(inspector.hub.managers).toEqual([]);
    expect(() => manager.addTask(() => 'after close')).not.toThrow();
    await manager.onIdle();
    const later = new BackgroundTaskManager({ inspect: inspector.inspect, startProcessing: true });
    open.push({ close: () => later.shutDown() });
    await later.result(later.addTask(() => 'unseen'));
    expect(inspector.hub.managers).toEqual([]);
  });
});
