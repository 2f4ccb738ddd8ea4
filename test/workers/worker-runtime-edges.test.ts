import { Worker } from 'node:worker_threads';
import { ThreadWorker } from 'poolifier';
import { describe, expect, it } from 'vitest';
import { workerTask } from '../../src/index.js';
import { defineWorkerTasks } from '../../src/worker.js';
import { workerTasksOf } from '../../src/workers/worker-runtime.js';
import { managersWith, nextEvent, resultOf } from '../helpers.js';

const create = managersWith({
  startProcessing: true,
  maxThreads: 2,
  workerScript: new URL('../fixtures/edge-cases.worker.mjs', import.meta.url),
});

/** The message and traceback of task `uid`'s `taskFailed` event. */
async function failureReport(
  manager: ReturnType<typeof create>,
  uid: number,
): Promise<{ message: string; traceback: string }> {
  const [, , message, traceback] = await nextEvent(manager, 'taskFailed', (id) => id === uid);
  return { message: message as string, traceback: traceback as string };
}

describe('defineWorkerTasks', () => {
  it('refuses what is not an object of functions, naming the entry that is not one', () => {
    for (const tasks of [null, undefined, 'echo', 42]) {
      expect(() => defineWorkerTasks(tasks as never)).toThrow(
        new TypeError('Expected `tasks` to be an object of worker task functions'),
      );
    }
    expect(() => defineWorkerTasks({ fine: () => 1, broken: 'not a function' } as never)).toThrow(
      new TypeError("Expected worker task 'broken' to be a function"),
    );
  });

  it('opens no channel in a worker thread the manager did not start', async () => {
    const thread = new Worker(new URL('../fixtures/chatty.worker.mjs', import.meta.url));
    const messages: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      thread.on('message', (message: unknown) => {
        messages.push(message);
        if ((message as { note?: string } | null)?.note === 'loaded') resolve();
      });
      thread.on('error', reject);
    });
    await thread.terminate();
    // The module's own messages only: no channel for a manager, from either defineWorkerTasks call.
    expect(messages).toEqual([null, { note: 'for no one' }, { note: 'loaded' }]);
  });

  it('finds no tasks in a module export it did not make, null included', () => {
    const made = defineWorkerTasks({ add: (a: number, b: number) => a + b });
    expect([...(workerTasksOf(made)?.keys() ?? [])]).toEqual(['add']);
    for (const other of [null, undefined, 42, 'tasks', {}, () => 1]) expect(workerTasksOf(other)).toBeUndefined();
  });

  it('returns the thread worker poolifier runs, also outside a worker thread', () => {
    expect(defineWorkerTasks({ add: (a: number, b: number) => a + b })).toBeInstanceOf(ThreadWorker);
  });
});

describe('the worker runtime', () => {
  it('waits for a returned thenable that is not a Promise, and sends its value', async () => {
    const manager = create();
    const uid = manager.addTask(workerTask('thenable'), { taskArgs: [{ answer: 42 }] });
    expect(await resultOf(manager, uid)).toEqual({ answer: 42 });
  });

  it('fails a task whose promise rejects, with its error', async () => {
    const manager = create();
    const uid = manager.addTask(workerTask('rejects'), { taskArgs: ['later'] });
    const { message, traceback } = await failureReport(manager, uid);
    expect(message).toBe('later');
    expect(traceback).toMatch(/^TypeError: later\n\s+at /);
  });

  it('ignores a cancel that comes after its task has ended: the thread runs on, and no abort listener runs', async () => {
    const manager = create({ maxThreads: 1 });
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const readAbortFlag = async (): Promise<unknown> =>
      manager.result(manager.addTask(workerTask('readFlag'), { taskArgs: [flags, 1] }));
    const [, thread] = (await readAbortFlag()) as [number, number];
    const uid = manager.addTask(workerTask('listensThenReturns'), { taskArgs: [flags] });
    const settled = manager.result(uid).catch(() => undefined); // stopped below: its result goes unread
    await nextEvent(manager, 'taskStarted', (id) => id === uid); // sent to the (idle) worker
    // Block this thread until the task has returned: its reply then waits here, unread, while the
    // stop sends the worker a cancel for the task it has ended.
    expect(Atomics.wait(flags, 0, 0, 10_000)).not.toBe('timed-out');
    manager.stopTask(uid);
    await settled;
    expect(await readAbortFlag()).toEqual([0, thread]);
  });

  it('fails a task whose promise resolves to what cannot be cloned, naming the task', async () => {
    const manager = create();
    const uid = manager.addTask(workerTask('resolvesUncloneable'));
    const { message } = await failureReport(manager, uid);
    expect(message).toMatch(
      /^The result of worker task 'resolvesUncloneable' cannot be sent back to the main thread: /,
    );
  });

  it('replaces an error that cannot be cloned by one that keeps its name, message and stack', async () => {
    const manager = create();
    const uid = manager.addTask(workerTask('throwsUncloneableTypeError'), { taskArgs: [true] });
    const { message, traceback } = await failureReport(manager, uid);
    expect(message).toBe('odd one');
    expect(traceback).toMatch(/^TypeError: odd one\n/);
    expect(traceback).toMatch(/edge-cases\.worker\.ts/); // the stack of the throw, in the worker module
  });

  it('still names the error class when the error that cannot be cloned has no stack', async () => {
    const manager = create();
    const uid = manager.addTask(workerTask('throwsUncloneableTypeError'), { taskArgs: [false] });
    const { message, traceback } = await failureReport(manager, uid);
    expect(message).toBe('odd one');
    expect(traceback).toMatch(/^TypeError: odd one\n/);
  });

  it("says 'none' when a worker module defines no task at all", async () => {
    const manager = create({ workerScript: new URL('../fixtures/no-tasks.worker.mjs', import.meta.url) });
    const uid = manager.addTask(workerTask('anything'));
    const [, , message] = await nextEvent(manager, 'taskFailed', (id) => id === uid);
    expect(message).toBe("The worker module defines no worker task 'anything' (it defines: none)");
  });
});
