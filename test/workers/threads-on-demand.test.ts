/**
 * Threads start one at a time, as worker tasks need them, up to
 * `maxThreads`: counted by `threadCount` and by the distinct thread ids
 * the tasks report.
 */
import { describe, expect, it } from 'vitest';
import { workerTask } from '../../src/index.js';
import { failureOf, managersWith, resultOf, inside, open } from '../helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);
const create = managersWith({ startProcessing: true, workerScript });

function openAll(shared: Int32Array): void {
  for (let cell = 2; cell < shared.length; cell++) open(shared, cell);
}

describe('worker threads', () => {
  it('start none for main-thread tasks, and one for one worker task at a time, with maxThreads 8', async () => {
    const manager = create({ maxThreads: 8 });
    await resultOf(
      manager,
      manager.addTask(() => 'main'),
    );
    expect([manager.threadsStarted, manager.threadCount]).toEqual([false, 0]);
    const threads: unknown[] = [];
    for (let i = 0; i < 5; i++) threads.push(await resultOf(manager, manager.addTask(workerTask('threadId'))));
    expect(manager.threadCount).toBe(1);
    expect(manager.threadsStarted).toBe(true);
    expect(new Set(threads).size).toBe(1);
  });

  it('start as many as worker tasks run at once, and no more than maxThreads', async () => {
    const manager = create({ maxThreads: 3 });
    const shared = new Int32Array(new SharedArrayBuffer(4 * (2 + 5)));
    const uids = [0, 1, 2, 3, 4].map((i) => manager.addTask(workerTask('gate'), { taskArgs: [shared, 2 + i] }));
    await inside(shared, 3);
    expect(manager.threadCount).toBe(3);
    const results = Promise.all(uids.map((uid) => resultOf(manager, uid)));
    openAll(shared);
    const threads = await results;
    expect(new Set(threads).size).toBe(3);
    expect(Atomics.load(shared, 1)).toBe(3);
    expect(manager.threadCount).toBe(3);
  });

  it('start two for two worker tasks added together, while the first thread is still starting', async () => {
    const manager = create({ maxThreads: 8 });
    const shared = new Int32Array(new SharedArrayBuffer(4 * (2 + 2)));
    const uids = [2, 3].map((cell) => manager.addTask(workerTask('gate'), { taskArgs: [shared, cell] }));
    await inside(shared, 2);
    const results = Promise.all(uids.map((uid) => resultOf(manager, uid)));
    openAll(shared);
    expect(new Set(await results).size).toBe(2);
    expect(manager.threadCount).toBe(2);
  });

  it('count a replacement as the thread it replaces', async () => {
    const manager = create({ maxThreads: 4 });
    const first = await resultOf(manager, manager.addTask(workerTask('threadId')));
    await failureOf(manager, manager.addTask(workerTask('exits'), { taskArgs: [3] }));
    const second = await resultOf(manager, manager.addTask(workerTask('threadId')));
    expect(second).not.toBe(first);
    expect(manager.threadCount).toBe(1);
  });
});
