/**
 * shutDown() ends the worker threads in this process: their channels close
 * and nothing of the pool keeps the event loop alive. (A child process
 * checks that Node then exits by itself: worker-tasks.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';
import { open, waitWhileEqual } from '../helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

/** How many message ports are open in this process: each worker thread holds two here while it runs. */
function openPorts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;
}

describe('shutDown() and the worker threads', () => {
  it('closes every channel of every thread it started, whether it ran a task or not', async () => {
    const before = openPorts();
    const manager = new BackgroundTaskManager({ workerScript, maxThreads: 2, startProcessing: true });
    const uids = [manager.addTask(workerTask('add'), { taskArgs: [1, 2] }), manager.addTask(workerTask('threadId'))];
    await Promise.all(uids.map((uid) => manager.result(uid)));
    expect(manager.threadCount).toBe(2);
    expect(openPorts()).toBeGreaterThan(before);
    await manager.shutDown();
    expect(openPorts()).toBe(before);
  });

  it('has nothing to close when no worker task ever ran', async () => {
    const before = openPorts();
    const manager = new BackgroundTaskManager({ workerScript, startProcessing: true });
    await manager.result(manager.addTask(() => 'main thread'));
    await manager.shutDown();
    expect([manager.threadCount, openPorts()]).toEqual([0, before]);
  });

  it("waits for a running task's abort listeners to end before it terminates the thread", async () => {
    const manager = new BackgroundTaskManager({ workerScript, startProcessing: true, killAfterMs: 60_000 });
    const shared = new Int32Array(new SharedArrayBuffer(16));
    manager.addTask(workerTask('blocksInAbortListener'), { taskArgs: [shared] });
    await waitWhileEqual(shared, 0, 0); // running
    const shutDown = manager.shutDown();
    await waitWhileEqual(shared, 1, 0); // its abort listener runs, and blocks its thread
    open(shared, 2);
    await shutDown;
    expect(Atomics.load(shared, 3)).toBe(1); // the listener ran to its end: the thread was not cut short
  });

  it('lets a task whose thread was busy at shut-down see its abort before the thread is terminated', async () => {
    const manager = new BackgroundTaskManager({ workerScript, startProcessing: true, killAfterMs: 60_000 });
    const shared = new Int32Array(new SharedArrayBuffer(16));
    manager.addTask(workerTask('blocksThenWaits'), { taskArgs: [shared] });
    await waitWhileEqual(shared, 0, 0); // running, and its thread blocked
    const shutDown = manager.shutDown();
    // The cancel waits in the thread's channel while shutDown() goes as far as it can without an answer.
    await new Promise(setImmediate);
    open(shared, 2);
    await shutDown;
    expect(Atomics.load(shared, 3)).toBe(1); // its abort listener ran
  });

  it(
    'does not wait out killAfterMs for a task stopped earlier whose worker has already seen the cancel',
    { timeout: 20_000 },
    async () => {
      const manager = new BackgroundTaskManager({ workerScript, startProcessing: true, killAfterMs: 600_000 });
      const shared = new Int32Array(new SharedArrayBuffer(8));
      const ignoring = manager.addTask(workerTask('ignoresAbort'), { taskArgs: [shared] });
      await waitWhileEqual(shared, 0, 0); // running in its thread
      manager.stopTask(ignoring);
      await waitWhileEqual(shared, 1, 0); // its abort listener ran, and its worker said so
      await new Promise(setImmediate); // the main thread reads what the worker said
      // Terminated at once: waiting for this task to see its cancel would last the 600 s of killAfterMs.
      await manager.shutDown();
      expect(manager.phase).toBe('shutDown');
    },
  );

  it('clears the kill timer of a stopped task that ignores its signal: nothing is left to fire after shut-down', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const clearTimer = vi.spyOn(globalThis, 'clearTimeout');
    try {
      const manager = new BackgroundTaskManager({ workerScript, startProcessing: true, killAfterMs: 60_000 });
      const shared = new Int32Array(new SharedArrayBuffer(8));
      const uid = manager.addTask(workerTask('neverSettles'), { taskArgs: [shared] });
      await waitWhileEqual(shared, 0, 0); // running in its thread
      manager.stopTask(uid); // its thread is killed 60 s from now, unless it ends first
      const armed = setTimer.mock.calls.findIndex(([, ms]) => ms === 60_000);
      expect(armed).toBeGreaterThanOrEqual(0);
      await manager.shutDown();
      expect(clearTimer).toHaveBeenCalledWith(setTimer.mock.results[armed]?.value);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
