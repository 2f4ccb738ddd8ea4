import { describe, expect, it } from 'vitest';
import { ReferenceModel, type ModelEvent } from './reference-model.js';

const createModel = (maxThreads = 8, startProcessing = true): ReferenceModel =>
  new ReferenceModel({ maxThreads, startProcessing });

const eventUids = (model: ReferenceModel, type: ModelEvent['type']): number[] =>
  model.events.flatMap((event) => (event.type === type && 'uid' in event ? [event.uid] : []));

const states = (model: ReferenceModel, uids: number[]): unknown[] => uids.map((uid) => model.getTaskState(uid));

const invokedUids = (model: ReferenceModel): number[] => model.invocations.map((invocation) => invocation.uid);

describe('scheduling', () => {
  it('§1 starts nothing until processing is on', () => {
    const model = createModel(8, false);
    const a = model.addTask();
    model.flush();
    expect(model.getTaskState(a)).toBe('queued');
    model.startProcessing();
    model.flush();
    expect(model.running()).toEqual([a]);
  });

  it('§1 §21 runs at most maxThreads tasks at once', () => {
    const model = createModel(2);
    const [a, b, c] = [model.addTask(), model.addTask(), model.addTask()];
    model.flush();
    expect(model.running()).toEqual([a, b]);
    model.complete(a, 1);
    model.flush();
    expect(model.running()).toEqual([b, c]);
  });

  it('§1 §3 starts a task only after its pending upstream tasks finished', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    model.flush();
    expect(model.getTaskState(b)).toBe('blocked');
    model.complete(a, null);
    model.flush();
    expect(model.running()).toEqual([b]);
  });

  it('§2 runs the original priority test in order 10, 2, 1, none, -1, -100', () => {
    const model = createModel(1, false);
    const priorities = [undefined, 2, 10, 1, -1, -100];
    for (const priority of priorities) {
      model.addTask(priority === undefined ? {} : { priority });
    }
    model.startProcessing();
    model.flush();
    for (let step = 0; step < priorities.length; step += 1) {
      const [uid] = model.running();
      expect(uid).toBeDefined();
      model.complete(uid as number, step);
      model.flush();
    }
    const order = eventUids(model, 'taskCompleted').map((uid) => priorities[uid] ?? 0);
    expect(order).toEqual([10, 2, 1, 0, -1, -100]);
  });

  it('§2 starts equal priorities in the order they were added', () => {
    const model = createModel(1);
    const uids = [model.addTask({ priority: 3 }), model.addTask({ priority: 3 }), model.addTask({ priority: 3 })];
    for (const uid of uids) {
      model.flush();
      model.complete(uid, uid);
    }
    model.flush();
    expect(invokedUids(model)).toEqual(uids);
  });

  it('§2 a blocked high-priority task never holds back a startable lower one', () => {
    const model = createModel(2);
    const x = model.addTask();
    const high = model.addTask({ priority: 10, upstreamTaskIds: [x] });
    const low = model.addTask({ priority: -5 });
    model.flush();
    expect(model.running()).toEqual([x, low]);
    expect(model.getTaskState(high)).toBe('blocked');
  });

  it('§3 unknown, finished and stopped upstream ids count as satisfied', () => {
    const model = createModel();
    const done = model.addTask();
    const stopped = model.addTask();
    model.flush();
    model.complete(done, 'x');
    model.stopTask(stopped);
    model.flush();
    const waiting = model.addTask({ upstreamTaskIds: [999, done, stopped] });
    model.flush();
    expect(model.getTaskState(waiting)).toBe('running');
  });

  it('§3 resolves upstream ids when the task is added (I1): a later id or a self-reference is satisfied', () => {
    const model = createModel();
    const early = model.addTask({ upstreamTaskIds: [1] });
    model.addTask();
    const self = model.addTask({ upstreamTaskIds: [2] });
    model.flush();
    expect([model.getTaskState(early), model.getTaskState(self)]).toEqual(['running', 'running']);
  });

  it('§4 never starts inside addTask; a batch is ordered by priority', () => {
    const model = createModel(1);
    const low = model.addTask({ priority: 1 });
    const high = model.addTask({ priority: 5 });
    expect(model.invocations).toEqual([]);
    expect(model.getTaskState(low)).toBe('queued');
    model.flush();
    expect(model.running()).toEqual([high]);
  });
});

describe('results and upstream data', () => {
  it('§5 emits taskCompleted with uid, group and result', () => {
    const model = createModel();
    const a = model.addTask({ group: 'g' });
    model.flush();
    model.complete(a, [1, 2]);
    model.flush();
    expect(model.events[0]).toEqual({ type: 'taskCompleted', uid: a, group: 'g', result: [1, 2] });
  });

  it('§6 merges plain-object results in completion order, over the own taskKwargs', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask();
    const c = model.addTask({ upstreamTaskIds: [a, b], taskKwargs: { own: 0, key: 'own' } });
    model.flush();
    model.complete(b, { key: 'b', fromB: 1 });
    model.complete(a, { key: 'a' });
    model.flush();
    expect(model.invocations.find((inv) => inv.uid === c)?.kwargs).toEqual({ own: 0, key: 'a', fromB: 1 });
  });

  it('§6 passes on nothing for arrays, null and primitives', () => {
    const model = createModel();
    const ups = [model.addTask(), model.addTask(), model.addTask()];
    const down = model.addTask({ upstreamTaskIds: ups });
    model.flush();
    model.complete(ups[0] as number, [1]);
    model.complete(ups[1] as number, null);
    model.complete(ups[2] as number, 'text');
    model.flush();
    expect(model.invocations.find((inv) => inv.uid === down)?.kwargs).toEqual({});
  });

  it('§7 invokes with copies of taskArgs and an always-present kwargs object', () => {
    const model = createModel();
    const args = [1, 'two'];
    const a = model.addTask({ taskArgs: args });
    args.push(3);
    model.flush();
    expect(model.invocations).toEqual([{ uid: a, args: [1, 'two'], kwargs: {} }]);
  });

  it('§8 a pass-through task is not invoked and returns its kwargs plus upstream data', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask();
    const gather = model.addPassThroughTask({ upstreamTaskIds: [a, b], taskKwargs: { tag: 't' } });
    model.flush();
    model.complete(a, { x: 1 });
    model.complete(b, { y: 2 });
    model.flush();
    expect(invokedUids(model)).toEqual([a, b]);
    expect(model.events.at(-1)).toEqual({
      type: 'taskCompleted',
      uid: gather,
      group: undefined,
      result: { tag: 't', x: 1, y: 2 },
    });
    expect(() => {
      model.complete(gather, 0);
    }).toThrow();
  });
});

describe('failure', () => {
  it('§9 F2 reports error.message, or String(value) for a non-Error', () => {
    const model = createModel();
    const a = model.addTask({ group: 1 });
    const b = model.addTask();
    model.flush();
    const boom = new TypeError('boom');
    model.fail(a, boom);
    model.fail(b, 42);
    model.flush();
    expect(model.events).toEqual([
      { type: 'taskFailed', uid: a, group: 1, message: 'boom', traceback: boom.stack },
      { type: 'taskGroupFinished', group: 1 },
      { type: 'taskFailed', uid: b, group: undefined, message: '42', traceback: '42' },
    ]);
  });

  it('§10 F1 cascades breadth first, nearest first, siblings by uid; none of them runs', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    const c = model.addTask({ upstreamTaskIds: [b] });
    const d = model.addTask({ upstreamTaskIds: [a] });
    model.flush();
    model.fail(a, new Error('root'));
    model.flush();
    expect(eventUids(model, 'taskFailed')).toEqual([a, b, d, c]);
    expect(model.events.every((event) => event.type !== 'taskFailed' || event.message === 'root')).toBe(true);
    expect(invokedUids(model)).toEqual([a]);
    expect(model.getTaskState(c)).toBe('failed');
  });

  it('F1 skips a cascade task a listener stopped before its turn', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    const c = model.addTask({ upstreamTaskIds: [b] });
    model.on((event) => {
      if (event.type === 'taskFailed' && event.uid === a) model.stopTask(b, { stopDownstream: false });
    });
    model.flush();
    model.fail(a, 'x');
    model.flush();
    expect(eventUids(model, 'taskFailed')).toEqual([a]);
    expect(model.getTaskState(b)).toBe('stopped');
    expect(model.running()).toEqual([c]);
  });
});

describe('groups', () => {
  it('§11 R1 finishes a group after the last task event, and again after refilling', () => {
    const model = createModel();
    const a = model.addTask({ group: 'g' });
    const b = model.addTask({ group: 'g' });
    model.flush();
    model.complete(a, 1);
    model.flush();
    expect(model.events.map((event) => event.type)).toEqual(['taskCompleted']);
    model.complete(b, 2);
    model.flush();
    expect(model.events.slice(1)).toEqual([
      { type: 'taskCompleted', uid: b, group: 'g', result: 2 },
      { type: 'taskGroupFinished', group: 'g' },
    ]);
    const c = model.addTask({ group: 'g' });
    model.flush();
    model.complete(c, 3);
    model.flush();
    expect(model.events.filter((event) => event.type === 'taskGroupFinished')).toHaveLength(2);
  });

  it('§11 F1 a cascade finishes a group after its last member failed, at most once', () => {
    const model = createModel();
    const a = model.addTask({ group: 'g' });
    const b = model.addTask({ upstreamTaskIds: [a] });
    model.on((event) => {
      // refills g with a task downstream of b, so g empties twice in this cascade
      if (event.type === 'taskFailed' && event.uid === a) model.addTask({ group: 'g', upstreamTaskIds: [b] });
    });
    model.flush();
    model.fail(a, 'no');
    model.flush();
    expect(model.events.map((event) => event.type)).toEqual([
      'taskFailed',
      'taskGroupFinished',
      'taskFailed',
      'taskFailed',
    ]);
  });

  it('§12 S4 stopping never finishes a group; tasks without a group emit no group event', () => {
    const model = createModel();
    model.addTask({ group: 'g' });
    model.addTask({ group: 'g' });
    const lone = model.addTask();
    model.flush();
    model.stopTaskGroup('g');
    model.complete(lone, 'done');
    model.flush();
    expect(model.events).toEqual([{ type: 'taskCompleted', uid: lone, group: undefined, result: 'done' }]);
  });

  it('§13 nextGroupId counts from 0; any string or number is a group', () => {
    const model = createModel();
    expect([model.nextGroupId(), model.nextGroupId(), model.nextGroupId()]).toEqual([0, 1, 2]);
    const a = model.addTask({ group: 7 });
    model.flush();
    model.complete(a, 0);
    model.flush();
    expect(model.events.at(-1)).toEqual({ type: 'taskGroupFinished', group: 7 });
  });
});

describe('stopping', () => {
  const chain = (model: ReferenceModel): number[] => {
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    const c = model.addTask({ upstreamTaskIds: [b] });
    const d = model.addTask({ upstreamTaskIds: [a] });
    return [a, b, c, d];
  };

  it('§14 S1 stops every connected pending task by default; unknown ids are ignored', () => {
    const model = createModel();
    const uids = chain(model);
    model.stopTask(42);
    model.stopTask(uids[2] as number);
    expect(states(model, uids)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
  });

  it('§14 S1 walks only the enabled directions', () => {
    const model = createModel();
    const uids = chain(model);
    model.stopTask(uids[2] as number, { stopDownstream: false });
    expect(states(model, uids)).toEqual(['stopped', 'stopped', 'stopped', 'queued']);
    const other = createModel();
    const others = chain(other);
    other.stopTask(others[1] as number, { stopUpstream: false });
    expect(states(other, others)).toEqual(['queued', 'stopped', 'stopped', 'blocked']);
  });

  it('§15 stopTaskGroup stops the group and connected tasks; stopAllTasks stops everything', () => {
    const model = createModel();
    const a = model.addTask({ group: 'g' });
    const b = model.addTask({ upstreamTaskIds: [a] });
    const c = model.addTask();
    model.stopTaskGroup('g');
    expect(states(model, [a, b, c])).toEqual(['stopped', 'stopped', 'queued']);
    model.stopAllTasks();
    expect(model.getTaskState(c)).toBe('stopped');
  });

  it('§16 S2 T3 a stopped running task keeps its slot; its completion is ignored and passes no data', () => {
    const model = createModel(1);
    const a = model.addTask();
    const down = model.addTask({ upstreamTaskIds: [a] });
    model.flush();
    model.stopTask(a, { stopDownstream: false });
    model.flush();
    expect([model.running(), model.unsettled(), model.getTaskState(down)]).toEqual([[], [a], 'queued']);
    expect(invokedUids(model)).toEqual([a]);
    model.complete(a, { data: 1 });
    model.flush();
    expect(model.events).toEqual([]);
    expect(model.invocations.at(-1)).toEqual({ uid: down, args: [], kwargs: {} });
  });

  it('§17 S3 a stopped task fails silently, without cascade; its downstream starts', () => {
    const model = createModel();
    const a = model.addTask({ group: 'g' });
    const b = model.addTask({ upstreamTaskIds: [a] });
    model.flush();
    model.stopTask(a, { stopDownstream: false });
    model.fail(a, new Error('late'));
    model.flush();
    expect(model.events).toEqual([]);
    expect(model.running()).toEqual([b]);
  });
});

describe('processing and shutdown', () => {
  it('§18 pauseProcessing starts nothing new; running tasks still report', () => {
    const model = createModel(1);
    const a = model.addTask();
    const b = model.addTask();
    model.flush();
    model.pauseProcessing();
    model.complete(a, 'ok');
    model.flush();
    expect(eventUids(model, 'taskCompleted')).toEqual([a]);
    expect(model.getTaskState(b)).toBe('queued');
    model.startProcessing();
    model.flush();
    expect(model.running()).toEqual([b]);
  });

  it('§19 shutDown stops everything, ignores running tasks and refuses new work', () => {
    const model = createModel(1);
    const a = model.addTask();
    const b = model.addTask();
    model.flush();
    model.shutDown();
    expect(states(model, [a, b])).toEqual(['stopped', 'stopped']);
    model.complete(a, 1);
    model.flush();
    expect(model.events).toEqual([]);
    expect(invokedUids(model)).toEqual([a]);
    expect(() => model.addTask()).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN' }));
    expect(() => model.addPassThroughTask()).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN' }));
    expect(() => {
      model.startProcessing();
    }).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN' }));
    expect(() => {
      model.stopAllTasks();
      model.pauseProcessing();
      model.shutDown();
    }).not.toThrow();
  });

  it('§20 T4 listeners may add, stop and shut down reentrantly; added tasks start in a later dispatch', () => {
    const model = createModel(1);
    const a = model.addTask({ group: 'g' });
    const b = model.addTask({ group: 'g' });
    const seen: unknown[] = [];
    model.on((event) => {
      if (event.type === 'taskCompleted' && event.uid === a) {
        const added = model.addTask({ priority: 9 });
        seen.push(model.getTaskState(added));
      }
      if (event.type === 'taskFailed') model.stopTaskGroup('g');
      if (event.type === 'taskCompleted' && event.uid === 3) model.shutDown();
    });
    model.flush();
    model.complete(a, 0);
    model.flush();
    expect(seen).toEqual(['queued']);
    expect(model.running()).toEqual([2]);
    model.fail(2, 'x');
    model.flush();
    expect(model.getTaskState(b)).toBe('stopped');
    model.addTask();
    model.flush();
    model.complete(3, 'last');
    model.flush();
    expect(() => model.addTask()).toThrow();
  });

  it('§21 never exceeds maxThreads, counting pass-through tasks until they settle', () => {
    const model = createModel(1);
    const p = model.addPassThroughTask({ priority: 1 });
    const n = model.addTask();
    const invokedAt: number[] = [];
    model.on(() => invokedAt.push(model.invocations.length));
    model.flush();
    expect(invokedAt).toEqual([0]);
    expect(eventUids(model, 'taskCompleted')).toEqual([p]);
    expect(model.running()).toEqual([n]);
  });

  it('§22 a worker failure (e.g. an uncloneable result) is an ordinary failure in the model', () => {
    const model = createModel();
    const a = model.addTask({ taskArgs: ['worker-task'] });
    model.flush();
    const error = new Error('result could not be cloned');
    model.fail(a, error);
    model.flush();
    expect(model.events).toEqual([
      { type: 'taskFailed', uid: a, group: undefined, message: 'result could not be cloned', traceback: error.stack },
    ]);
  });
});

describe('contract details', () => {
  it('T1 coalesces dispatch: a dispatch already queued keeps its place in the queue', () => {
    const model = createModel(2);
    const a = model.addTask();
    model.flush();
    model.pauseProcessing();
    const b = model.addTask({ priority: 0 }); // queues dispatch before a settles
    const d = model.addTask({ priority: 10, upstreamTaskIds: [a] });
    model.complete(a, null);
    model.startProcessing(); // coalesced into the queued dispatch
    model.flush();
    expect(invokedUids(model)).toEqual([a, b, d]);
  });

  it('T3 a settle job dispatches at once: the freed slot goes to what is startable at that moment', () => {
    const model = createModel(2);
    const x = model.addTask();
    const y = model.addTask();
    const high = model.addTask({ priority: 10, upstreamTaskIds: [y] });
    model.flush();
    const low = model.addTask(); // a dispatch job is queued; no slot is free when it runs
    model.complete(x, null); // settles first: its dispatch starts `low` (`high` still waits for y)
    model.complete(y, null);
    model.flush();
    expect(invokedUids(model)).toEqual([x, y, low, high]);
  });

  it('R1 the completed task is done and its downstream startable when taskCompleted is emitted', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    const seen: unknown[] = [];
    model.on(() => seen.push(model.getTaskState(a), model.getTaskState(b)));
    model.flush();
    model.complete(a, 1);
    model.flush();
    expect(seen).toEqual(['done', 'queued']);
  });

  it('I1 I2 duplicate upstream ids count once; states run blocked → queued → running → done', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a, a] });
    expect([model.getTaskState(b), model.getTaskState(99)]).toEqual(['blocked', undefined]);
    model.flush();
    model.complete(a, { k: 1 });
    model.flush();
    expect(model.getTaskState(b)).toBe('running');
    model.complete(b, 2);
    model.flush();
    expect([model.getTaskState(a), model.getTaskState(b)]).toEqual(['done', 'done']);
  });

  it('complete/fail throw for a uid without an unsettled invocation (test bug)', () => {
    const model = createModel(1);
    const a = model.addTask();
    const b = model.addTask();
    model.flush();
    expect(() => {
      model.complete(b, 0);
    }).toThrow();
    model.complete(a, 0);
    expect(() => {
      model.fail(a, 'again');
    }).toThrow();
    expect(model.unsettled()).toEqual([]);
  });
});
