import { describe, expect, it } from 'vitest';
import { ReferenceModel } from './reference-model.js';

/** The reference model with taskStarted / taskStopped on, as the command-sequence test runs it. */
const createModel = (maxThreads = 8, startProcessing = true): ReferenceModel =>
  new ReferenceModel({ maxThreads, startProcessing, lifecycleEvents: true });

const types = (model: ReferenceModel): string[] =>
  model.events.map((event) => ('uid' in event ? `${event.type} ${event.uid}` : `${event.type} ${event.group}`));

describe('lifecycle events', () => {
  it('emits taskStarted before the callable is invoked; a listener that stops the task prevents the call', () => {
    const model = createModel(1);
    const a = model.addTask();
    const b = model.addTask();
    const invokedAtStart: number[] = [];
    model.on((event) => {
      if (event.type !== 'taskStarted') return;
      invokedAtStart.push(model.invocations.length);
      if (event.uid === a) model.stopTask(a);
    });
    model.flush();
    expect(invokedAtStart).toEqual([0, 0]);
    expect(model.invocations.map((invocation) => invocation.uid)).toEqual([b]);
    expect(types(model)).toEqual([`taskStarted ${a}`, `taskStopped ${a}`, `taskStarted ${b}`]);
  });

  it('emits taskStopped once per stopped task, in worklist order, once every one is stopped', () => {
    const model = createModel(8, false);
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    const c = model.addTask({ upstreamTaskIds: [b] });
    const d = model.addTask({ upstreamTaskIds: [a] });
    const seen: unknown[] = [];
    model.on(() => seen.push(model.getTaskState(d)));
    model.stopTask(c);
    expect(types(model)).toEqual([`taskStopped ${c}`, `taskStopped ${b}`, `taskStopped ${a}`, `taskStopped ${d}`]);
    expect(seen).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
  });

  it('shuts down before telling: a taskStopped listener of shutDown cannot add work', () => {
    const model = createModel();
    model.addTask();
    const codes: unknown[] = [];
    model.on(() => {
      try {
        model.addTask();
      } catch (error) {
        codes.push((error as { code?: unknown }).code);
      }
    });
    model.shutDown();
    expect([codes, model.phase]).toEqual([['ERR_MANAGER_SHUT_DOWN'], 'shutDown']);
  });
});

describe('result() and whenGroupFinished()', () => {
  it('settles result calls with the outcome: completed, failed by cascade with the root cause, stopped, not pending', () => {
    const model = createModel();
    const a = model.addTask();
    const b = model.addTask({ upstreamTaskIds: [a] });
    const c = model.addTask();
    const d = model.addTask();
    model.result(a);
    model.result(b);
    model.result(c);
    model.result(99);
    model.flush();
    model.complete(c, { ok: 1 });
    const error = new Error('root');
    model.fail(a, error);
    model.flush();
    model.result(a);
    model.result(d);
    model.stopTask(d);
    expect([...model.promiseOutcomes].sort((x, y) => x.call - y.call)).toEqual([
      { call: 0, settled: 'failed', uid: a, message: 'root', traceback: error.stack, cause: error },
      { call: 1, settled: 'failed', uid: b, message: 'root', traceback: error.stack, cause: error },
      { call: 2, settled: 'resolved', value: { ok: 1 } },
      { call: 3, settled: 'notPending', uid: 99, reason: 'unknown' },
      { call: 4, settled: 'notPending', uid: a, reason: 'finished' },
      { call: 5, settled: 'stopped', uid: d, group: undefined },
    ]);
  });

  it('resolves a group at once when empty, at its finish, and rejects when its last task is stopped', () => {
    const model = createModel();
    model.whenGroupFinished('empty');
    const a = model.addTask({ group: 'g' });
    const b = model.addTask({ group: 'h' });
    const c = model.addTask({ group: 'h' });
    model.whenGroupFinished('g');
    model.whenGroupFinished('h');
    model.flush();
    model.complete(a, 0);
    model.stopTask(b);
    model.flush();
    expect(model.promiseOutcomes).toEqual([
      { call: 0, settled: 'resolved', value: undefined },
      { call: 1, settled: 'resolved', value: undefined },
    ]);
    model.shutDown();
    expect(model.promiseOutcomes.at(-1)).toEqual({ call: 2, settled: 'stopped', uid: c, group: 'h' });
  });
});

describe('setPriority()', () => {
  it('changes the order of queued tasks, keeps ties in add order, and says whether anything changed', () => {
    const model = createModel(1, false);
    const a = model.addTask();
    const b = model.addTask();
    const c = model.addTask({ priority: 1 });
    expect([model.setPriority(b, 1), model.setPriority(b, 1), model.setPriority(42, 3)]).toEqual([true, false, false]);
    model.startProcessing();
    model.flush();
    for (const uid of [b, c]) {
      model.complete(uid, null);
      model.flush();
    }
    expect(model.invocations.map((invocation) => invocation.uid)).toEqual([b, c, a]);
    expect(model.setPriority(b, 7)).toBe(false);
  });
});
