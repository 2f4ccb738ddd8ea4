import { describe, expect, it } from 'vitest';
import {
  TaskFailedError,
  TaskStoppedError,
  workerTask,
  type BackgroundTaskManager,
  type Clock,
} from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { controlled, managersWith, record, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

/** Every taskRetrying and taskStarted, in order, as `retrying uid attempt message` / `started uid`. */
function lifecycle(manager: BackgroundTaskManager): string[] {
  const log: string[] = [];
  manager.on('taskStarted', (uid) => log.push(`started ${uid}`));
  manager.on('taskRetrying', (uid, group, attempt, message) =>
    log.push(`retrying ${uid} ${String(group)} ${attempt} ${message}`),
  );
  return log;
}

/** A callable that throws `failures` times, then returns 'ok'. */
function flaky(failures: number): () => string {
  let calls = 0;
  return () => {
    calls++;
    if (calls <= failures) throw new Error(`failure ${calls}`);
    return 'ok';
  };
}

describe('retry', () => {
  it('runs a failed task again after delayMs * factor^(n-1), emitting taskRetrying, until it succeeds', async () => {
    const clock = new FakeClock();
    const manager = create({ clock });
    const log = lifecycle(manager);
    const events = record(manager);
    const uid = manager.addTask(flaky(2), { group: 'g', retry: { attempts: 3, delayMs: 100 } });
    const result = manager.result(uid);
    await settle();
    expect(manager.getTaskState(uid)).toBe('retrying');
    expect(manager.stats().counts.retrying).toBe(1);
    clock.advance(99);
    await settle();
    expect(manager.getTaskState(uid)).toBe('retrying');
    clock.advance(1);
    await settle();
    clock.advance(199);
    await settle();
    expect(manager.getTaskState(uid)).toBe('retrying');
    clock.advance(1);
    await expect(result).resolves.toBe('ok');
    expect(log).toEqual([
      'started 0',
      'retrying 0 g 1 failure 1',
      'started 0',
      'retrying 0 g 2 failure 2',
      'started 0',
    ]);
    expect(events).toEqual([
      ['taskCompleted', uid, 'g', 'ok'],
      ['taskGroupFinished', 'g'],
    ]);
  });

  it('fails for good when the last attempt fails: that failure cascades, and a cascade is never retried', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, retry: { attempts: 2, delayMs: 0 } });
    const log = lifecycle(manager);
    const events = record(manager);
    const root = manager.addTask(flaky(5));
    const child = manager.addTask(() => 'never', { upstreamTaskIds: [root] });
    const failure = manager.result<never>(child).catch((error: unknown) => error as TaskFailedError);
    await settle();
    clock.advance(0);
    await settle();
    expect(log).toEqual(['started 0', 'retrying 0 undefined 1 failure 1', 'started 0']);
    expect(events).toEqual([
      ['taskFailed', root, undefined, 'failure 2'],
      ['taskFailed', child, undefined, 'failure 2'],
    ]);
    expect((await failure).message).toBe('failure 2');
  });

  it('holds no slot while it waits, and queues again by priority, ahead of later tasks of equal priority', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, maxThreads: 1 });
    const log = lifecycle(manager);
    const blocker = controlled();
    manager.addTask(() => 'low', { priority: -1 });
    manager.addTask(flaky(1), { retry: { delayMs: 10 } });
    manager.addTask(blocker.run);
    manager.addTask(() => 'c');
    await settle();
    // 1 failed and waits; 2 took the slot.
    expect(manager.stats().busyThreads).toBe(1);
    clock.advance(10);
    blocker.resolve(0, 'b');
    await manager.onIdle();
    expect(log).toEqual([
      'started 1',
      'retrying 1 undefined 1 failure 1',
      'started 2',
      'started 1',
      'started 3',
      'started 0',
    ]);
  });

  it('caps the delay at maxDelayMs', async () => {
    const clock = new FakeClock();
    const manager = create({ clock });
    const uid = manager.addTask(flaky(3), { retry: { attempts: 4, delayMs: 10, factor: 10, maxDelayMs: 50 } });
    const states: unknown[] = [];
    for (const step of [0, 10, 50, 50]) {
      clock.advance(step);
      await settle();
      states.push(manager.getTaskState(uid));
    }
    expect(states).toEqual(['retrying', 'retrying', 'retrying', 'done']);
  });

  it('waits 0 ms for every retry with delayMs 0, also once factor^(n-1) overflows to Infinity', async () => {
    const delays: number[] = [];
    // Fires each retry in a microtask, recording the delay asked for.
    const clock: Clock = {
      setTimeout: (callback, ms) => {
        delays.push(ms);
        queueMicrotask(callback);
        return delays.length;
      },
      clearTimeout: () => {},
    };
    const manager = create({ clock });
    // factor 2 by default: 2^1024 is Infinity, and 0 * Infinity NaN.
    const uid = manager.addTask(flaky(1100), { retry: { attempts: 1100, delayMs: 0 } });
    await expect(manager.result(uid)).rejects.toMatchObject({ message: 'failure 1100' });
    expect(delays).toHaveLength(1099);
    expect(delays.filter((ms) => ms !== 0)).toEqual([]);
  });

  it('retries a timed-out attempt and ignores what the abandoned run returns later', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, maxThreads: 2 });
    const log = lifecycle(manager);
    const events = record(manager);
    const work = controlled();
    const uid = manager.addTask(work.run, { timeoutMs: 10, retry: { attempts: 2, delayMs: 5 } });
    await settle();
    clock.advance(10);
    expect(manager.getTaskState(uid)).toBe('retrying');
    expect(manager.stats().busyThreads).toBe(1); // the abandoned run still holds its slot
    clock.advance(5);
    await settle();
    expect(manager.stats().busyThreads).toBe(2);
    work.resolve(0, 'late');
    await settle();
    expect([manager.getTaskState(uid), manager.stats().busyThreads]).toEqual(['running', 1]);
    work.resolve(1, 'second');
    await settle();
    expect(log).toEqual(['started 0', 'retrying 0 undefined 1 Task 0 timed out after 10 ms', 'started 0']);
    expect(events).toEqual([['taskCompleted', uid, undefined, 'second']]);
  });

  it("gives every run its whole time limit: a failed run's timer does not fire in the wait or the next run", async () => {
    const clock = new FakeClock();
    const manager = create({ clock, taskTimeoutMs: 10 });
    const work = controlled();
    const uid = manager.addTask(work.run, { retry: { attempts: 2, delayMs: 5 } });
    await settle();
    clock.advance(8);
    work.reject(0, new Error('first'));
    await settle();
    clock.advance(5);
    await settle();
    expect(manager.getTaskState(uid)).toBe('running');
    clock.advance(9);
    expect(manager.getTaskState(uid)).toBe('running');
    clock.advance(1);
    expect(manager.getTaskState(uid)).toBe('failed');
  });

  it('is cancelled by a stop or a shut-down during the wait: the timer is cleared and result() rejects', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, retry: { attempts: 5 } });
    const stopped = manager.addTask(flaky(1));
    const shut = manager.addTask(flaky(1));
    const outcomes = [stopped, shut].map((uid) => manager.result(uid).catch((error: unknown) => error));
    await settle();
    expect(clock.pending).toBe(2);
    manager.stopTask(stopped);
    expect([manager.getTaskState(stopped), clock.pending]).toEqual(['stopped', 1]);
    await manager.shutDown();
    expect(clock.pending).toBe(0);
    for (const error of await Promise.all(outcomes)) expect(error).toBeInstanceOf(TaskStoppedError);
  });

  it('retries a worker task that throws', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, workerScript });
    const log = lifecycle(manager);
    const uid = manager.addTask(workerTask('throws'), { taskArgs: ['bad'], retry: { attempts: 2, delayMs: 1 } });
    const failure = manager.result<never>(uid).catch((error: unknown) => error as TaskFailedError);
    await new Promise((resolve) => manager.on('taskRetrying', resolve));
    clock.advance(1);
    expect((await failure).message).toBe('bad');
    expect(log).toEqual(['started 0', 'retrying 0 undefined 1 bad', 'started 0']);
  });

  it('refuses a bad retry policy with a clear error', () => {
    const manager = create();
    const bad: Array<[unknown, ErrorConstructor]> = [
      [3, TypeError],
      [null, TypeError],
      [{ retries: 3 }, TypeError],
      [{ attempts: 0 }, RangeError],
      [{ attempts: 1.5 }, RangeError],
      [{ delayMs: -1 }, RangeError],
      [{ delayMs: 2 ** 31 }, RangeError],
      [{ factor: 0.5 }, RangeError],
      [{ factor: Infinity }, RangeError],
      [{ maxDelayMs: -1 }, RangeError],
      [{ maxDelayMs: Number.NaN }, RangeError],
    ];
    for (const [retry, type] of bad) {
      expect(() => manager.addTask(() => 1, { retry: retry as never })).toThrow(type);
      expect(() => create({ retry: retry as never })).toThrow(type);
    }
    expect(() => manager.addTask(() => 1, { retry: { retries: 3 } as never })).toThrow(
      "Unknown option of `retry`: 'retries'. Valid: 'attempts', 'delayMs', 'factor', 'maxDelayMs'.",
    );
    expect(() => manager.addPassThroughTask({ retry: {} } as never)).toThrow(TypeError);
    expect(manager.pendingCount).toBe(0);
  });
});
