/**
 * The pool's own bookkeeping of idle workers. On a pool of ONE thread, no second thread can hide a
 * lost or dead worker; on two, tasks that block their threads until both have started need both
 * workers at once. A task sent to a dead worker, or a worker nobody gives work to, would leave the
 * next task waiting for good: each test bounds that hang with its own timeout.
 */
import { BroadcastChannel, MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { workerTask } from '../../src/index.js';
import { HELD_CHANNEL } from '../fixtures/held-channel.js';
import { failureOf, managersWith, resultOf, waitWhileEqual } from '../helpers.js';

const create = managersWith({ startProcessing: true, maxThreads: 1 });
const HANG_BOUND_MS = 20_000;

/** The main thread's end of the held workers' broadcast channel. */
function heldWorkers() {
  const channel = new BroadcastChannel(HELD_CHANNEL);
  const loaded: number[] = [];
  let wake: (() => void) | undefined;
  channel.onmessage = (event) => {
    const message = (event as { data: { loaded?: number } }).data;
    if (message.loaded === undefined) return;
    loaded.push(message.loaded);
    wake?.();
  };
  afterEach(() => {
    channel.close();
  });
  return {
    /** The thread id of the next worker whose module has loaded (it waits for `go`). */
    async nextLoaded(): Promise<number> {
      while (loaded.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return loaded.shift() as number;
    },
    go(threadId: number): void {
      channel.postMessage({ go: threadId });
    },
    exit(threadId: number): void {
      channel.postMessage({ exit: threadId });
    },
  };
}

describe('the worker pool', () => {
  it(
    'never sends a task to a worker that died while idle: the task waits for the replacement',
    { timeout: HANG_BOUND_MS },
    async () => {
      const held = heldWorkers();
      const manager = create({ workerScript: new URL('../fixtures/held.worker.mjs', import.meta.url) });
      const first = manager.addTask(workerTask('threadId'));
      const worker = await held.nextLoaded();
      const firstDone = resultOf(manager, first);
      held.go(worker);
      expect(await firstDone).toBe(worker);
      // The worker is idle; it exits. poolifier starts the replacement after the pool has heard of the
      // exit, so once the replacement has loaded the dead worker is known to be gone.
      held.exit(worker);
      const replacement = await held.nextLoaded();
      expect(replacement).not.toBe(worker);
      const next = manager.addTask(workerTask('threadId'));
      const nextDone = resultOf(manager, next);
      held.go(replacement);
      expect(await nextDone).toBe(replacement);
      expect(manager.getTaskState(next)).toBe('done');
    },
  );

  it(
    'keeps the other idle worker when one dies: two tasks then run at once, on it and on the replacement',
    { timeout: HANG_BOUND_MS },
    async () => {
      const held = heldWorkers();
      const manager = create({ maxThreads: 2, workerScript: new URL('../fixtures/held.worker.mjs', import.meta.url) });
      // Two tasks that block their threads until both have started: each needs a worker of its own.
      const meetOnTwo = (): Promise<unknown[]> => {
        const meeting = new Int32Array(new SharedArrayBuffer(4));
        const uids = [1, 2].map(() => manager.addTask(workerTask('meet'), { taskArgs: [meeting, 2] }));
        return Promise.all(uids.map((uid) => manager.result(uid)));
      };
      const first = meetOnTwo();
      const workers = [await held.nextLoaded(), await held.nextLoaded()];
      for (const worker of workers) held.go(worker);
      expect(new Set(await first)).toEqual(new Set(workers));
      // Both are idle; one exits. Once its replacement has loaded, the pool knows it is gone.
      const [dying, survivor] = workers as [number, number];
      held.exit(dying);
      const replacement = await held.nextLoaded();
      const next = meetOnTwo();
      held.go(replacement);
      expect(new Set(await next)).toEqual(new Set([survivor, replacement]));
    },
  );

  it(
    'replaces a thread that dies while its module loads when another has loaded: the task on that one runs on',
    { timeout: HANG_BOUND_MS },
    async () => {
      const held = heldWorkers();
      const manager = create({ maxThreads: 2, workerScript: new URL('../fixtures/held.worker.mjs', import.meta.url) });
      // `meet` with a count of 2 blocks its thread until meeting[0] reaches 2: the test lets it go.
      const meeting = new Int32Array(new SharedArrayBuffer(4));
      const running = manager.addTask(workerTask('meet'), { taskArgs: [meeting, 2] });
      const healthy = await held.nextLoaded();
      held.go(healthy);
      await waitWhileEqual(meeting, 0, 0); // it runs on the healthy thread
      const second = manager.addTask(workerTask('threadId'));
      const dying = await held.nextLoaded();
      held.exit(dying); // the second thread exits before its module has defined its tasks
      // The module loads (it did on the first thread): the second task waits for the replacement.
      const replacement = await held.nextLoaded();
      held.go(replacement);
      expect(await resultOf(manager, second)).toBe(replacement);
      const done = resultOf(manager, running);
      Atomics.add(meeting, 0, 1);
      Atomics.notify(meeting, 0);
      expect(await done).toBe(healthy);
    },
  );

  it(
    'keeps the worker whose task arguments could not be cloned: the next task runs on it',
    { timeout: HANG_BOUND_MS },
    async () => {
      const manager = create({ workerScript: new URL('../fixtures/tasks.worker.mjs', import.meta.url) });
      const first = manager.addTask(workerTask('threadId'));
      const worker = await resultOf(manager, first);
      const uncloneable = manager.addTask(workerTask('echo'), { taskArgs: [() => 1] });
      expect(await failureOf(manager, uncloneable)).toMatch(/^The arguments of worker task 'echo' cannot be sent/);
      // A MessagePort could only be transferred, which a task's arguments are not: the same error, Node's as its cause.
      const { port1, port2 } = new MessageChannel();
      const transferable = manager.addTask(workerTask('echo'), { taskArgs: [port1] });
      await expect(manager.result(transferable)).rejects.toMatchObject({
        message: expect.stringMatching(/^The arguments of worker task 'echo' cannot be sent/) as unknown,
        cause: { code: 'ERR_WORKER_DATA_CLONE', cause: { code: 'ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST' } },
      });
      port1.close();
      port2.close();
      // An argument whose getter throws while it is sent: that error, as it is (not a clone error).
      const throwing = {
        get value(): never {
          throw new RangeError('no value today');
        },
      };
      const refused = manager.addTask(workerTask('echo'), { taskArgs: [throwing] });
      expect(await failureOf(manager, refused)).toBe('no value today');
      expect(await resultOf(manager, manager.addTask(workerTask('threadId')))).toBe(worker);
    },
  );

  it(
    'takes one channel from each thread, and ignores what a worker module posts on its parent port',
    { timeout: HANG_BOUND_MS },
    async () => {
      // The module posts null and an object of its own on its parent port, and calls
      // defineWorkerTasks twice. Two tasks that block their threads until both have started run
      // only if each has a thread of its own: a second channel from the first thread would get the
      // second task, which could then never start.
      const manager = create({
        maxThreads: 2,
        workerScript: new URL('../fixtures/chatty.worker.mjs', import.meta.url),
      });
      const meeting = new Int32Array(new SharedArrayBuffer(4));
      const uids = [1, 2].map(() => manager.addTask(workerTask('meet'), { taskArgs: [meeting, 2] }));
      const threads = await Promise.all(uids.map((uid) => manager.result(uid)));
      expect(new Set(threads).size).toBe(2);
      expect(manager.threadCount).toBe(2);
    },
  );
});
