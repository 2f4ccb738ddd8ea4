import { describe, expect, it } from 'vitest';
import {
  ErrorCodes,
  TaskFailedError,
  TaskTimeoutError,
  workerTask,
  type BackgroundTaskManager,
  type TaskContext,
} from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { controlled, managersWith, record, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

/** A task that never settles by itself and keeps the signal it was given. */
function hangs(signals: AbortSignal[]) {
  return function (this: TaskContext): Promise<never> {
    signals.push(this.signal);
    return new Promise(() => {});
  };
}

async function failureOf(manager: BackgroundTaskManager, uid: number): Promise<TaskFailedError> {
  return manager.result(uid).then(
    () => {
      throw new Error(`task ${uid} completed`);
    },
    (error: unknown) => error as TaskFailedError,
  );
}

describe('timeoutMs', () => {
  it('fails a task still running when its time is up, aborts its signal and rejects result() with the timeout as cause', async () => {
    const clock = new FakeClock();
    const manager = create({ clock });
    const events = record(manager);
    const signals: AbortSignal[] = [];
    const uid = manager.addTask(hangs(signals), { timeoutMs: 100, group: 'g' });
    const failure = failureOf(manager, uid);
    await settle();
    clock.advance(99);
    await settle();
    expect(manager.getTaskState(uid)).toBe('running');
    expect(signals[0]?.aborted).toBe(false);
    clock.advance(1);
    expect(manager.getTaskState(uid)).toBe('failed');
    expect(events).toEqual([
      ['taskFailed', uid, 'g', 'Task 0 timed out after 100 ms'],
      ['taskGroupFinished', 'g'],
    ]);
    const reason = signals[0]?.reason as TaskTimeoutError;
    expect(signals[0]?.aborted).toBe(true);
    expect(reason).toBeInstanceOf(TaskTimeoutError);
    expect([reason.code, reason.uid, reason.timeoutMs]).toEqual([ErrorCodes.taskTimeout, uid, 100]);
    const error = await failure;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect([error.code, error.message, error.cause]).toEqual([ErrorCodes.taskFailed, reason.message, reason]);
    expect(error.traceback).toBe(reason.stack);
  });

  it('counts running time only: the time a task waits for a slot or for upstream tasks does not count', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, maxThreads: 1 });
    const first = controlled();
    const a = manager.addTask(first.run);
    const b = manager.addTask(() => new Promise(() => {}), { timeoutMs: 50 });
    const c = manager.addTask(() => 'c', { timeoutMs: 10, upstreamTaskIds: [b] });
    await settle();
    clock.advance(1000);
    expect([manager.getTaskState(b), manager.getTaskState(c)]).toEqual(['queued', 'blocked']);
    first.resolve(0, 'a');
    await settle();
    expect([manager.getTaskState(a), manager.getTaskState(b)]).toEqual(['done', 'running']);
    clock.advance(49);
    expect(manager.getTaskState(b)).toBe('running');
    clock.advance(1);
    expect([manager.getTaskState(b), manager.getTaskState(c)]).toEqual(['failed', 'failed']);
  });

  it('cascades like any failure: downstream tasks fail with the same message, their result() with the timeout as cause', async () => {
    const clock = new FakeClock();
    const manager = create({ clock });
    const events = record(manager);
    const root = manager.addTask(() => new Promise(() => {}), { timeoutMs: 5 });
    const child = manager.addTask(() => 'never', { upstreamTaskIds: [root], group: 'down' });
    const failures = [failureOf(manager, root), failureOf(manager, child)];
    await settle();
    clock.advance(5);
    const message = 'Task 0 timed out after 5 ms';
    expect(events).toEqual([
      ['taskFailed', root, undefined, message],
      ['taskFailed', child, 'down', message],
      ['taskGroupFinished', 'down'],
    ]);
    const [rootError, childError] = await Promise.all(failures);
    expect(childError?.cause).toBe(rootError?.cause);
    expect(childError?.cause).toBeInstanceOf(TaskTimeoutError);
  });

  it('keeps the slot until the timed-out work really ends, then ignores its outcome', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, maxThreads: 1 });
    const events = record(manager);
    const slow = controlled();
    const late = manager.addTask(slow.run, { timeoutMs: 10 });
    const next = manager.addTask(() => 'next');
    await settle();
    clock.advance(10);
    await settle();
    expect([manager.getTaskState(late), manager.getTaskState(next)]).toEqual(['failed', 'queued']);
    expect(manager.stats().busyThreads).toBe(1);
    slow.resolve(0, 'too late');
    await settle();
    expect(manager.getTaskState(next)).toBe('done');
    expect(events).toEqual([
      ['taskFailed', late, undefined, 'Task 0 timed out after 10 ms'],
      ['taskCompleted', next, undefined, 'next'],
    ]);
  });

  it('frees the slot as soon as a task that honours its signal ends', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, maxThreads: 1 });
    const events = record(manager);
    manager.addTask(
      function (this: TaskContext) {
        return new Promise((_resolve, reject) => {
          this.signal.addEventListener('abort', () => {
            reject(this.signal.reason as Error);
          });
        });
      },
      { timeoutMs: 10 },
    );
    const next = manager.addTask(() => 'next');
    await settle();
    clock.advance(10);
    await settle();
    expect(manager.getTaskState(next)).toBe('done');
    expect(events.map((event) => event[0])).toEqual(['taskFailed', 'taskCompleted']);
  });

  it('stops the timer of a task that ends in time, is stopped, or is shut down', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, taskTimeoutMs: 10 });
    const events = record(manager);
    const quick = manager.addTask(async () => 'in time');
    const stopped = manager.addTask(() => new Promise(() => {}));
    manager.addTask(() => new Promise(() => {}));
    await settle();
    expect(clock.pending).toBe(2);
    manager.stopTask(stopped);
    expect(clock.pending).toBe(1);
    await manager.shutDown();
    expect(clock.pending).toBe(0);
    clock.advance(10);
    expect(events).toEqual([['taskCompleted', quick, undefined, 'in time']]);
  });

  it('takes the manager-wide taskTimeoutMs unless a task has its own, Infinity for none', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, taskTimeoutMs: 20 });
    const byDefault = manager.addTask(() => new Promise(() => {}));
    const shorter = manager.addTask(() => new Promise(() => {}), { timeoutMs: 5 });
    const longer = manager.addTask(() => new Promise(() => {}), { timeoutMs: 30 });
    const unlimited = manager.addTask(() => new Promise(() => {}), { timeoutMs: Infinity });
    const gather = manager.addPassThroughTask({ upstreamTaskIds: [unlimited] });
    const states = () => [byDefault, shorter, longer, unlimited, gather].map((uid) => manager.getTaskState(uid));
    await settle();
    clock.advance(5);
    expect(states()).toEqual(['running', 'failed', 'running', 'running', 'blocked']);
    clock.advance(15);
    expect(states()).toEqual(['failed', 'failed', 'running', 'running', 'blocked']);
    clock.advance(10);
    expect(states()).toEqual(['failed', 'failed', 'failed', 'running', 'blocked']);
    clock.advance(1e9);
    expect(states()).toEqual(['failed', 'failed', 'failed', 'running', 'blocked']);
    expect(clock.pending).toBe(0);
  });

  it('times out a worker task too; result() has the timeout as cause, though the error was made on this thread', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, workerScript, maxThreads: 1 });
    const uid = manager.addTask(workerTask('never'), { timeoutMs: 1000 });
    const failure = failureOf(manager, uid);
    const started = new Promise((resolve) => manager.on('taskStarted', resolve));
    await started;
    clock.advance(1000);
    const error = await failure;
    expect(error.message).toBe('Task 0 timed out after 1000 ms');
    expect(error.cause).toBeInstanceOf(TaskTimeoutError);
  });

  it('cancels a timed-out worker task in its thread: one that honours its signal ends, and its thread runs on', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, workerScript, maxThreads: 1 });
    const before = manager.addTask(workerTask('threadId'));
    const slow = manager.addTask(workerTask('untilAborted'), { timeoutMs: 100 });
    const after = manager.addTask(workerTask('threadId'));
    const results = [manager.result(before), manager.result(after)];
    const failure = failureOf(manager, slow);
    await new Promise((resolve) => {
      manager.on('taskStarted', (uid) => {
        if (uid === slow) resolve(uid);
      });
    });
    clock.advance(100);
    expect((await failure).cause).toBeInstanceOf(TaskTimeoutError);
    const [first, second] = await Promise.all(results);
    expect(second).toBe(first); // the same thread: it was not killed and replaced
  });

  it('ignores the late end of a timed-out worker run: the slot it held is freed once, for one new task at a time', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, workerScript, maxThreads: 1 });
    const slow = manager.addTask(workerTask('untilAborted'), { timeoutMs: 100 });
    const next = manager.addTask(workerTask('echo'), { taskArgs: ['next'] });
    const failure = failureOf(manager, slow);
    await new Promise((resolve) => manager.on('taskStarted', resolve));
    clock.advance(100);
    await failure;
    // `next` starts only once the abandoned run has ended in its thread.
    await expect(manager.result(next)).resolves.toEqual(['next', {}]); // kwargs come last
    const names = ['a', 'b', 'c', 'd'];
    const uids = names.map((name) => manager.addTask(workerTask('echo'), { taskArgs: [name] }));
    const results = await Promise.all(uids.map(async (uid) => manager.result(uid)));
    expect(results).toEqual(names.map((name) => [name, {}]));
    expect(manager.pendingCount).toBe(0);
  });

  it('retries a timed-out worker task whose first run ends late, in its thread, while the retry waits', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, workerScript, maxThreads: 1 });
    const events = record(manager);
    const slow = manager.addTask(workerTask('untilAborted'), {
      timeoutMs: 100,
      retry: { attempts: 2, delayMs: 50 },
    });
    const next = manager.addTask(workerTask('echo'), { taskArgs: ['next'] });
    const failure = failureOf(manager, slow);
    const starts: number[] = [];
    let started: () => void = () => {};
    manager.on('taskStarted', (uid) => {
      starts.push(uid);
      if (uid === slow) started();
    });
    await new Promise<void>((resolve) => (started = resolve));
    clock.advance(100);
    expect(manager.getTaskState(slow)).toBe('retrying');
    await manager.result(next); // the first run has ended: its slot went to `next`
    const retried = new Promise<void>((resolve) => (started = resolve));
    clock.advance(50);
    await retried;
    clock.advance(100);
    expect((await failure).cause).toBeInstanceOf(TaskTimeoutError);
    expect(starts).toEqual([slow, next, slow]);
    expect(events.filter(([name]) => name === 'taskFailed')).toEqual([
      ['taskFailed', slow, undefined, 'Task 0 timed out after 100 ms'],
    ]);
    expect(events.filter(([name]) => name === 'taskCompleted')).toEqual([
      ['taskCompleted', next, undefined, ['next', {}]],
    ]);
  });

  it('arms no timer for a task a taskStarted listener stopped: the next task in its place is not timed out by it', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, taskTimeoutMs: 100, maxThreads: 1 });
    const work = controlled();
    const stopped = manager.addTask(() => 'never runs');
    manager.on('taskStarted', (uid) => {
      if (uid === stopped) manager.stopTask(uid);
    });
    await settle();
    const next = manager.addTask(work.run, { timeoutMs: 1000 }); // takes the stopped task's place
    await settle();
    clock.advance(100);
    await settle();
    expect(manager.getTaskState(next)).toBe('running');
    work.resolve(0, 'in time');
    expect(await manager.result(next)).toBe('in time');
  });

  it('refuses a time limit that is not above 0, is past the longest timer, or is not a number', () => {
    const bad: unknown[] = [0, -1, Number.NaN, -Infinity, 2 ** 31, '5', null];
    const manager = create();
    for (const value of bad) {
      expect(() => manager.addTask(() => 1, { timeoutMs: value as number })).toThrow(RangeError);
      expect(() => create({ taskTimeoutMs: value as number })).toThrow(RangeError);
    }
    expect(() => manager.addTask(() => 1, { timeoutMs: 0 })).toThrow(
      'Expected `timeoutMs` to be a number of milliseconds above 0, at most 2147483647, or Infinity, got 0 (number)',
    );
    expect(() => manager.addPassThroughTask({ timeoutMs: 5 } as never)).toThrow(TypeError);
    expect(() => create({ clock: { setTimeout: () => 0 } as never })).toThrow(
      new TypeError(
        'Expected `clock` to be an object with setTimeout and clearTimeout methods, got [object Object] (object)',
      ),
    );
    expect(manager.pendingCount).toBe(0);
  });
});
