// Fault injection: listeners that throw, main-thread tasks that throw what is not an Error or return
// misbehaving thenables, and worker tasks whose worker dies, hangs or answers with what cannot be cloned.
// Each test is named after what it guards. Synchronisation is by events, deferreds and Atomics only.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask, type BackgroundTaskManagerOptions } from '../../src/index.js';
import {
  controlled,
  deferred,
  nextEvent,
  record,
  settle,
  type RecordedEvent,
  failureOf,
  managersWith,
  resultOf,
  gates,
  inside,
  open,
} from '../helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);
const create = managersWith({ startProcessing: true, maxThreads: 2, workerScript });
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
type Outcome = ['completed', unknown] | ['failed', string];
/** Resolves with the task's outcome, whichever event comes. */
function outcomeOf(manager: BackgroundTaskManager, uid: number): Promise<Outcome> {
  return Promise.race([
    resultOf(manager, uid).then((result): Outcome => ['completed', result]),
    failureOf(manager, uid).then((message): Outcome => ['failed', message]),
  ]);
}
function runChild(
  script: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: repositoryRoot,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('a listener that throws', () => {
  const throwingEvents = ['taskCompleted', 'taskFailed', 'taskGroupFinished'] as const;

  it.each(throwingEvents)(
    'in %s goes to the error listeners with the event name; later listeners, events and tasks go on in order',
    async (throwingEvent) => {
      const manager = create({ maxThreads: 1, workerScript: undefined });
      const errors: Array<[unknown, string]> = [];
      manager.on('error', (error, event) => errors.push([error, event]));
      const thrown: Error[] = [];
      manager.on(throwingEvent, () => {
        const error = new Error(`listener error ${thrown.length}`);
        thrown.push(error);
        throw error;
      });
      const events = record(manager); // registered after the throwing listener: still called every time
      const zero = manager.addTask(() => 'zero', { group: 'g' });
      const one = manager.addTask(
        () => {
          throw new Error('one failed');
        },
        { group: 'g' },
      );
      const two = manager.addTask(() => 'never runs', { group: 'g', upstreamTaskIds: [one] });
      const three = manager.addTask(() => 'three', { group: 'h' });
      await nextEvent(manager, 'taskGroupFinished', (group) => group === 'h');
      const four = manager.addTask(() => 'four', { group: 'g' });
      await nextEvent(manager, 'taskGroupFinished', (group) => group === 'g');
      expect(events).toEqual<RecordedEvent[]>([
        ['taskCompleted', zero, 'g', 'zero'],
        ['taskFailed', one, 'g', 'one failed'],
        ['taskFailed', two, 'g', 'one failed'],
        ['taskGroupFinished', 'g'],
        ['taskCompleted', three, 'h', 'three'],
        ['taskGroupFinished', 'h'],
        ['taskCompleted', four, 'g', 'four'],
        ['taskGroupFinished', 'g'],
      ]);
      const emissions = events.filter(([name]) => name === throwingEvent).length;
      expect(thrown).toHaveLength(emissions);
      expect(errors).toEqual(thrown.map((error) => [error, throwingEvent]));
      expect(errors.every(([error], i) => error === thrown[i])).toBe(true);
      expect(manager.pendingCount).toBe(0);
    },
  );

  it('with no error listener is rethrown as an uncaught exception, and the manager keeps running (child process)', async () => {
    const { code, stdout, stderr } = await runChild('../fixtures/listener-throws.ts', ['handled']);
    expect(stderr).not.toContain('listener threw');
    expect(stdout.trim().split('\n')).toEqual([
      'completed 0 g0 ok0',
      'failed 1 g0 boom0',
      'failed 2 g0 boom0',
      'group finished g0',
      'uncaught taskCompleted listener threw for 0',
      'uncaught taskFailed listener threw for 1',
      'uncaught taskFailed listener threw for 2',
      'uncaught taskGroupFinished listener threw for g0',
      // Added from the uncaughtException handler: the manager still schedules, emits and rethrows.
      'completed 3 g1 ok1',
      'failed 4 g1 boom1',
      'failed 5 g1 boom1',
      'group finished g1',
      'uncaught taskCompleted listener threw for 3',
      'uncaught taskFailed listener threw for 4',
      'uncaught taskFailed listener threw for 5',
      'uncaught taskGroupFinished listener threw for g1',
      'shut down',
    ]);
    expect(code).toBe(0);
  });

  it('with no error listener and no uncaughtException handler ends the process, but only after every event was emitted (child process)', async () => {
    const { code, stdout, stderr } = await runChild('../fixtures/listener-throws.ts', ['unhandled']);
    // The first listener error is thrown asynchronously: the emission and the rest of the batch were not cut short.
    expect(stdout.trim().split('\n')).toEqual([
      'completed 0 g0 ok0',
      'failed 1 g0 boom0',
      'failed 2 g0 boom0',
      'group finished g0',
    ]);
    expect(stderr).toContain('Error: taskCompleted listener threw for 0');
    expect(code).toBe(1);
  });

  it('in an error listener is rethrown as an uncaught exception, and the manager keeps running (child process)', async () => {
    const { code, stdout, stderr } = await runChild('../fixtures/listener-throws.ts', ['error-throws']);
    expect(stderr).not.toContain('listener threw');
    const lines = stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('uncaught'))).toEqual([
      'uncaught error listener threw on taskCompleted: taskCompleted listener threw for 0',
      'uncaught error listener threw on taskFailed: taskFailed listener threw for 1',
      'uncaught error listener threw on taskFailed: taskFailed listener threw for 2',
      'uncaught error listener threw on taskGroupFinished: taskGroupFinished listener threw for g0',
      'uncaught error listener threw on taskCompleted: taskCompleted listener threw for 3',
      'uncaught error listener threw on taskFailed: taskFailed listener threw for 4',
      'uncaught error listener threw on taskFailed: taskFailed listener threw for 5',
      'uncaught error listener threw on taskGroupFinished: taskGroupFinished listener threw for g1',
    ]);
    expect(lines.at(-1)).toBe('shut down');
    expect(code).toBe(0);
  });
});

describe('a main-thread task that fails with something that is not an Error', () => {
  const values: Array<[string, unknown, string]> = [
    ['a string', 'a plain string', 'a plain string'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object', { code: 'E_THROWN' }, '[object Object]'],
    ['an object with its own toString', { toString: () => 'custom text' }, 'custom text'],
    ['a symbol', Symbol('thrown'), 'Symbol(thrown)'],
    // String() itself throws on an object without a prototype: the manager must not.
    ['an object without a prototype', Object.create(null) as unknown, '[object Object]'],
  ];
  const ways = [
    [
      'throws',
      (value: unknown) => () => {
        throw value;
      },
    ],
    ['rejects with', (value: unknown) => () => Promise.reject(value)],
  ] as const;

  describe.each(ways)('%s', (way, makeTask) => {
    const name = `${way} %s: taskFailed's message and traceback are String(value), for it and its downstream cascade`;
    it.each(values)(name, async (_label, value, expected) => {
      const manager = create({ workerScript: undefined });
      const failures: Array<[number, string, string]> = [];
      manager.on('taskFailed', (uid, _group, message, traceback) => failures.push([uid, message, traceback]));
      const failing = manager.addTask(makeTask(value), { group: 'g' });
      const downstream = manager.addTask(() => 'never runs', { upstreamTaskIds: [failing], group: 'g' });
      const unrelated = manager.addTask(() => 'unrelated');
      const finished = nextEvent(manager, 'taskGroupFinished');
      expect(await resultOf(manager, unrelated)).toBe('unrelated');
      expect(await finished).toEqual(['g']);
      expect(failures).toEqual([
        [failing, expected, expected],
        [downstream, expected, expected],
      ]);
    });
  });
});

describe('a main-thread task that returns a misbehaving thenable', () => {
  it('whose then() throws fails that task with the error, and the slot is freed for the next task', async () => {
    const manager = create({ maxThreads: 1, workerScript: undefined });
    const events = record(manager);
    const bad = manager.addTask(() => ({
      then() {
        throw new Error('then() threw');
      },
    }));
    const next = manager.addTask(() => 'next');
    await settle();
    expect([manager.getTaskState(bad), manager.getTaskState(next)]).toEqual(['failed', 'done']);
    expect(events).toEqual([
      ['taskFailed', bad, undefined, 'then() threw'],
      ['taskCompleted', next, undefined, 'next'],
    ]);
  });

  it('that settles twice settles the task once and frees its slot once: maxThreads still holds', async () => {
    const manager = create({ maxThreads: 1, workerScript: undefined });
    const events = record(manager);
    const twice = manager.addTask(() => ({
      then(onFulfilled: (value: unknown) => void, onRejected: (error: unknown) => void) {
        onFulfilled('first');
        onFulfilled('second');
        onRejected(new Error('third'));
      },
    }));
    const held = controlled();
    const b = manager.addTask(held.run);
    const c = manager.addTask(held.run);
    await settle();
    expect(events).toEqual([['taskCompleted', twice, undefined, 'first']]);
    expect([manager.getTaskState(b), manager.getTaskState(c)]).toEqual(['running', 'queued']);
    expect(held.calls).toHaveLength(1);
  });
});

describe('a worker task that fails on a real pool', () => {
  const faults: Array<{
    fault: string;
    task: string;
    args: unknown[];
    options?: BackgroundTaskManagerOptions;
    message: RegExp;
  }> = [
    {
      fault: 'process.exit inside the task',
      task: 'exits',
      args: [9],
      message: /^Worker thread exited with code 9 while running worker task 'exits'$/,
    },
    {
      fault: 'an uncaught asynchronous throw',
      task: 'throwsUncaught',
      args: [],
      message: /^Worker thread exited with code 1 while running worker task 'throwsUncaught': uncaught in a worker$/,
    },
    {
      fault: 'exceeding the resourceLimits heap cap',
      task: 'exhaustsHeap',
      args: [],
      options: { workerOptions: { resourceLimits: { maxOldGenerationSizeMb: 24 } } },
      message: /^Worker thread exited with code 1 while running worker task 'exhaustsHeap': .*memory limit/,
    },
    {
      fault: 'a result that cannot be cloned',
      task: 'returnsFunction',
      args: [],
      message:
        /^The result of worker task 'returnsFunction' cannot be sent back to the main thread: .*could not be cloned/,
    },
  ];

  it.each(faults)(
    '$fault fails exactly that task and its downstream cascade; a worker task and a main-thread task in flight complete; the pool goes on',
    async ({ task, args, options, message }) => {
      const manager = create({ maxThreads: 3, ...options });
      const events = record(manager);
      const shared = gates(1);
      const healthy = manager.addTask(workerTask('gate'), { taskArgs: [shared, 2], group: 'healthy' });
      const afterHealthy = manager.addTask(() => 'after healthy', { upstreamTaskIds: [healthy], group: 'healthy' });
      await inside(shared, 1);
      const main = controlled();
      const onMain = manager.addTask(main.run, { group: 'main' });
      const faulty = manager.addTask(workerTask(task), { taskArgs: args, group: 'faulty' });
      const next = manager.addTask(workerTask('add'), { taskArgs: [1, 1], upstreamTaskIds: [faulty], group: 'faulty' });
      const nextButOne = manager.addTask(() => 'never runs', { upstreamTaskIds: [next], group: 'faulty' });
      const fanIn = manager.addPassThroughTask({ upstreamTaskIds: [faulty, healthy], group: 'faulty' });
      const waiting = manager.addTask(() => 'ran in the freed slot', { group: 'main' });
      const waitingDone = resultOf(manager, waiting);

      await nextEvent(manager, 'taskGroupFinished', (group) => group === 'faulty');
      const cause = (events[0] as RecordedEvent & { 3: unknown })[3] as string;
      expect(cause).toMatch(message);
      expect(events.slice(0, 5)).toEqual<RecordedEvent[]>([
        ['taskFailed', faulty, 'faulty', cause],
        ['taskFailed', next, 'faulty', cause],
        ['taskFailed', fanIn, 'faulty', cause],
        ['taskFailed', nextButOne, 'faulty', cause],
        ['taskGroupFinished', 'faulty'],
      ]);
      expect([manager.getTaskState(healthy), manager.getTaskState(onMain)]).toEqual(['running', 'running']);
      expect(await waitingDone).toBe('ran in the freed slot');

      const healthyFinished = nextEvent(manager, 'taskGroupFinished', (group) => group === 'healthy');
      open(shared, 2);
      await healthyFinished;
      const mainDone = resultOf(manager, onMain);
      main.resolve(0, 'main done');
      expect(await mainDone).toBe('main done');
      expect(events.slice(5)).toEqual<RecordedEvent[]>([
        ['taskCompleted', waiting, 'main', 'ran in the freed slot'],
        ['taskCompleted', healthy, 'healthy', expect.any(Number) as number],
        ['taskCompleted', afterHealthy, 'healthy', 'after healthy'],
        ['taskGroupFinished', 'healthy'],
        ['taskCompleted', onMain, 'main', 'main done'],
        ['taskGroupFinished', 'main'],
      ]);

      const sums = [
        manager.addTask(workerTask('add'), { taskArgs: [20, 22] }),
        manager.addTask(workerTask('add'), { taskArgs: [1, 2] }),
      ];
      expect(await Promise.all(sums.map((uid) => resultOf(manager, uid)))).toEqual([42, 3]);
      expect(events.filter(([name]) => name === 'taskFailed')).toHaveLength(4);
    },
  );

  it.each([
    ['never settles (its thread stays free)', 'neverSettles'],
    ['blocks its thread for good', 'blocksForever'],
  ])(
    'that %s, stopped with its downstream, emits nothing; a task in flight on the other worker completes; shutDown resolves',
    async (_label, name) => {
      const manager = create({ maxThreads: 2 });
      const events = record(manager);
      const shared = gates(1);
      const healthy = manager.addTask(workerTask('gate'), { taskArgs: [shared, 2], group: 'g' });
      await inside(shared, 1);
      const forever = gates(0);
      const hang = manager.addTask(workerTask(name), { taskArgs: [forever], group: 'g' });
      const next = manager.addTask(workerTask('add'), { taskArgs: [1, 2], upstreamTaskIds: [hang], group: 'g' });
      const nextButOne = manager.addTask(() => 'never runs', { upstreamTaskIds: [next] });
      const fanIn = manager.addPassThroughTask({ upstreamTaskIds: [hang, healthy] });
      await inside(forever, 1);
      expect(manager.getTaskState(hang)).toBe('running');
      manager.stopTask(hang, { stopUpstream: false });
      const stopped = [hang, next, nextButOne, fanIn];
      expect(stopped.map((uid) => manager.getTaskState(uid))).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
      expect(manager.getTaskState(healthy)).toBe('running');

      const healthyDone = resultOf(manager, healthy);
      open(shared, 2);
      await healthyDone;
      // The stopped task still holds its slot and its worker; the other worker takes the next task.
      const sum = manager.addTask(workerTask('add'), { taskArgs: [2, 3] });
      expect(await resultOf(manager, sum)).toBe(5);
      await manager.shutDown();
      expect(stopped.map((uid) => manager.getTaskState(uid))).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
      expect(events).toEqual<RecordedEvent[]>([
        ['taskCompleted', healthy, 'g', expect.any(Number) as number],
        ['taskGroupFinished', 'g'],
        ['taskCompleted', sum, undefined, 5],
      ]);
    },
  );

  it('that was stopped while running and then crashes its worker emits nothing; the crash frees its slot; its downstream runs', async () => {
    const manager = create({ maxThreads: 2 });
    const events = record(manager);
    const shared = gates(1);
    const main = controlled();
    const busy = manager.addTask(main.run);
    const doomed = manager.addTask(workerTask('exitsWhenReleased'), { taskArgs: [shared, 2, 5], group: 'doomed' });
    const downstream = manager.addTask(() => 'downstream ran', { upstreamTaskIds: [doomed], group: 'doomed' });
    await inside(shared, 1);
    manager.stopTask(doomed, { stopDownstream: false });
    const waiting = manager.addTask(() => 'waited for the slot');
    await settle();
    // A stopped task keeps its slot until its work ends (contract S2): nothing else can start yet.
    expect([doomed, downstream, waiting].map((uid) => manager.getTaskState(uid))).toEqual([
      'stopped',
      'queued',
      'queued',
    ]);
    const downstreamDone = resultOf(manager, downstream);
    const waitingDone = resultOf(manager, waiting);
    open(shared, 2);
    expect(await downstreamDone).toBe('downstream ran');
    expect(await waitingDone).toBe('waited for the slot');
    const busyDone = resultOf(manager, busy);
    main.resolve(0, 'busy done');
    await busyDone;
    expect(events).toEqual<RecordedEvent[]>([
      ['taskCompleted', downstream, 'doomed', 'downstream ran'],
      ['taskGroupFinished', 'doomed'],
      ['taskCompleted', waiting, undefined, 'waited for the slot'],
      ['taskCompleted', busy, undefined, 'busy done'],
    ]);
    expect(await resultOf(manager, manager.addTask(workerTask('add'), { taskArgs: [3, 4] }))).toBe(7);
    expect(manager.getTaskState(doomed)).toBe('stopped');
  });

  it('two crashes in a row each fail only their own task and its downstream; a task in flight on a third worker survives both; the pool goes on', async () => {
    const manager = create({ maxThreads: 3 });
    const events = record(manager);
    const shared = gates(1);
    const healthy = manager.addTask(workerTask('gate'), { taskArgs: [shared, 2] });
    await inside(shared, 1);
    const first = manager.addTask(workerTask('exits'), { taskArgs: [3] });
    const afterFirst = manager.addTask(() => 'never runs', { upstreamTaskIds: [first] });
    await failureOf(manager, afterFirst);
    const second = manager.addTask(workerTask('exits'), { taskArgs: [4] });
    const afterSecond = manager.addTask(() => 'never runs', { upstreamTaskIds: [second] });
    await failureOf(manager, afterSecond);
    expect(manager.getTaskState(healthy)).toBe('running');
    const sum = manager.addTask(workerTask('add'), { taskArgs: [20, 22] });
    const done = Promise.all([resultOf(manager, healthy), resultOf(manager, sum)]);
    open(shared, 2);
    const [threadId, total] = await done;
    expect(typeof threadId).toBe('number');
    expect(total).toBe(42);
    const exited = (code: number) => `Worker thread exited with code ${code} while running worker task 'exits'`;
    expect(events.filter(([name]) => name === 'taskFailed')).toEqual<RecordedEvent[]>([
      ['taskFailed', first, undefined, exited(3)],
      ['taskFailed', afterFirst, undefined, exited(3)],
      ['taskFailed', second, undefined, exited(4)],
      ['taskFailed', afterSecond, undefined, exited(4)],
    ]);
  });

  it('throwing a number or a plain object fails with String(value)', async () => {
    const manager = create();
    const number = manager.addTask(workerTask('throwsValue'), { taskArgs: ['number'] });
    const object = manager.addTask(workerTask('throwsValue'), { taskArgs: ['object'] });
    expect(await Promise.all([failureOf(manager, number), failureOf(manager, object)])).toEqual([
      '42',
      '[object Object]',
    ]);
  });

  it(
    'throwing undefined, null, a symbol or a value that cannot be cloned fails with String(value) instead of hanging',
    { timeout: 20_000 },
    async () => {
      const kinds: Array<[string, string]> = [
        ['undefined', 'undefined'],
        ['null', 'null'],
        ['symbol', 'Symbol(thrown)'],
        ['uncloneable object', '[object Object]'],
        ['Error with an uncloneable cause', 'with an uncloneable cause'],
      ];
      const manager = create({ maxThreads: kinds.length });
      const uids = kinds.map(([kind]) => manager.addTask(workerTask('throwsValue'), { taskArgs: [kind] }));
      expect(await Promise.all(uids.map((uid) => outcomeOf(manager, uid)))).toEqual(
        kinds.map(([, message]) => ['failed', message]),
      );
    },
  );

  it('two crashes back to back, then a worker task added at once runs on a replacement worker', async () => {
    const manager = create({ maxThreads: 2 });
    const shared = gates(2);
    const first = manager.addTask(workerTask('exitsWhenReleased'), { taskArgs: [shared, 2, 3] });
    const second = manager.addTask(workerTask('exitsWhenReleased'), { taskArgs: [shared, 3, 4] });
    await inside(shared, 2); // two tasks blocked at once: one on each worker
    const failures: number[] = [];
    const afterOutcome = deferred<Promise<Outcome>>();
    manager.on('taskFailed', (uid) => {
      failures.push(uid);
      if (failures.length === 2)
        afterOutcome.resolve(outcomeOf(manager, manager.addTask(workerTask('add'), { taskArgs: [40, 2] })));
    });
    open(shared, 2);
    open(shared, 3);
    expect(await afterOutcome.promise).toEqual(['completed', 42]);
    expect(failures.sort()).toEqual([first, second].sort());
  });

  it('a worker task added while the only worker is being replaced runs on the replacement', async () => {
    const manager = create({ maxThreads: 1 });
    const crash = manager.addTask(workerTask('exits'), { taskArgs: [2] });
    const afterOutcome = deferred<Promise<Outcome>>();
    manager.on('taskFailed', (uid) => {
      if (uid === crash)
        afterOutcome.resolve(outcomeOf(manager, manager.addTask(workerTask('add'), { taskArgs: [5, 5] })));
    });
    expect(await afterOutcome.promise).toEqual(['completed', 10]);
  });

  it('a worker task sent to a worker behind a task that crashes it still settles', { timeout: 20_000 }, async () => {
    const manager = create({ maxThreads: 2 });
    const shared = gates(2);
    // Both workers proven up: two blocking tasks inside their gates at once.
    const warm = [
      manager.addTask(workerTask('gate'), { taskArgs: [shared, 2] }),
      manager.addTask(workerTask('gate'), { taskArgs: [shared, 3] }),
    ];
    await inside(shared, 2);
    const warmed = Promise.all(warm.map((uid) => resultOf(manager, uid)));
    open(shared, 2);
    open(shared, 3);
    await warmed;
    const first = manager.addTask(workerTask('exits'), { taskArgs: [3] });
    const outcomes = deferred<Promise<Outcome[]>>();
    manager.on('taskFailed', (uid) => {
      if (uid !== first) return;
      // Dispatched together while the crashed worker's replacement starts: both go to the surviving worker.
      const second = manager.addTask(workerTask('exits'), { taskArgs: [4], priority: 1 });
      const healthy = manager.addTask(workerTask('add'), { taskArgs: [1, 2] });
      outcomes.resolve(Promise.all([outcomeOf(manager, second), outcomeOf(manager, healthy)]));
    });
    const [secondOutcome, healthyOutcome] = await outcomes.promise;
    expect(secondOutcome).toEqual(['failed', "Worker thread exited with code 4 while running worker task 'exits'"]);
    // A worker runs one task at a time: the healthy task waited for a free worker, never shared the
    // crashing one, so the crash cannot take it down.
    expect(healthyOutcome).toEqual(['completed', 3]);
  });
});
