/**
 * Stopping a running worker task aborts its signal inside its worker
 * thread; a task that does not end `killAfterMs` later has its thread
 * terminated and replaced. What the workers see comes back over a
 * broadcast channel; nothing here waits on a clock.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { workerTask } from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { CANCEL_CHANNEL, type CancelReport } from '../fixtures/cancel-channel.js';
import { managersWith, record, resultOf, type RecordedEvent, gates, inside, open, settle } from '../helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);
const create = managersWith({ startProcessing: true, workerScript });

/** The main thread's end of the cancel channel: resolves each report as it comes. */
function cancelReports() {
  const channel = new BroadcastChannel(CANCEL_CHANNEL);
  const waiters = new Map<string, (report: CancelReport) => void>();
  const early = new Map<string, CancelReport>();
  channel.onmessage = (event) => {
    const report = (event as { data: CancelReport }).data;
    const key = `${report.event} ${report.uid}`;
    const waiter = waiters.get(key);
    waiters.delete(key);
    if (waiter === undefined) early.set(key, report);
    else waiter(report);
  };
  afterEach(() => {
    // Task ids start again at 0 with each test's manager.
    waiters.clear();
    early.clear();
  });
  afterAll(() => {
    channel.close();
  });
  return (event: CancelReport['event'], uid: number): Promise<CancelReport> => {
    const key = `${event} ${uid}`;
    const report = early.get(key);
    if (report !== undefined) return Promise.resolve(report);
    return new Promise((resolve) => waiters.set(key, resolve));
  };
}

// A stop that never reaches the worker leaves a test waiting: fail it well before the suite's timeout.
describe('stopping a running worker task', { timeout: 15_000 }, () => {
  const report = cancelReports();

  it('aborts its signal inside the worker with a TaskStoppedError; a task that honours it ends, and its thread runs the next task; the other thread is untouched', async () => {
    // killAfterMs far above anything this test waits for: the task ends by itself, not by a kill.
    const manager = create({ maxThreads: 2, killAfterMs: 60_000 });
    const events = record(manager);
    const shared = gates(1);
    const other = manager.addTask(workerTask('gate'), { taskArgs: [shared, 2] });
    await inside(shared, 1);
    const abortable = manager.addTask(workerTask('abortable'), { group: 'g' });
    const running = await report('running', abortable);
    const next = manager.addTask(workerTask('threadId'));
    expect(manager.getTaskState(next)).toBe('queued'); // both slots are busy

    const nextDone = resultOf(manager, next);
    manager.stopTask(abortable);
    const aborted = await report('aborted', abortable);
    expect(aborted).toEqual({
      uid: abortable,
      threadId: running.threadId,
      event: 'aborted',
      reason: `TaskStoppedError ERR_TASK_STOPPED Task ${abortable} was stopped`,
    });
    // The stopped task ended, which freed its slot: the next task ran on the same thread.
    expect(await nextDone).toBe(running.threadId);
    expect(manager.getTaskState(other)).toBe('running');
    const otherDone = resultOf(manager, other);
    open(shared, 2);
    const otherThread = await otherDone;
    expect(otherThread).not.toBe(running.threadId);
    expect(manager.threadCount).toBe(2);
    expect(events).toEqual<RecordedEvent[]>([
      ['taskCompleted', next, undefined, running.threadId],
      ['taskCompleted', other, undefined, otherThread],
    ]);
  });

  it('that ignores its signal has its thread terminated killAfterMs later and replaced; the pool goes on', async () => {
    const manager = create({ maxThreads: 2, killAfterMs: 20 });
    const shared = gates(1);
    const other = manager.addTask(workerTask('gate'), { taskArgs: [shared, 2] });
    await inside(shared, 1);
    // The gate holds one thread: this task, and the one after it, run on the other.
    const doomedThread = await resultOf(manager, manager.addTask(workerTask('threadId')));
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const ignoring = manager.addTask(workerTask('neverSettles'), { taskArgs: [counter] });
    await inside(counter, 1);
    const probe = manager.addTask(workerTask('threadId'));
    const probeDone = resultOf(manager, probe);
    manager.stopTask(ignoring);
    const replacement = await probeDone;
    // The stopped task never ended: only the kill freed its slot, and the probe ran on the replacement.
    const otherDone = resultOf(manager, other);
    open(shared, 2);
    const otherThread = await otherDone;
    expect(replacement).not.toBe(otherThread);
    expect(replacement).not.toBe(doomedThread);
    expect(manager.getTaskState(ignoring)).toBe('stopped');
    expect(manager.threadCount).toBe(2);
    // Every later task runs on one of the two live threads.
    const later = [1, 2, 3, 4].map(() => manager.addTask(workerTask('threadId')));
    const threads = await Promise.all(later.map((uid) => resultOf(manager, uid)));
    expect(new Set([...threads, replacement, otherThread]).size).toBe(2);
  });

  it('kills a thread that blocks for good: the cancel message can never be read there', async () => {
    const manager = create({ maxThreads: 1, killAfterMs: 0 });
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const first = manager.addTask(workerTask('threadId'));
    const firstThread = await resultOf(manager, first);
    const blocking = manager.addTask(workerTask('blocksForever'), { taskArgs: [counter] });
    await inside(counter, 1);
    const after = manager.addTask(workerTask('add'), { taskArgs: [2, 3] });
    const afterThread = manager.addTask(workerTask('threadId'), { upstreamTaskIds: [after] });
    const done = Promise.all([resultOf(manager, after), resultOf(manager, afterThread)]);
    manager.stopTask(blocking, { stopDownstream: false });
    const [sum, thread] = await done;
    expect(sum).toBe(5);
    expect(thread).not.toBe(firstThread);
    expect(manager.threadCount).toBe(1);
  });

  it('never hands the next task to a thread it is terminating, though the killed task answers as the kill begins', async () => {
    const manager = create({ maxThreads: 1, killAfterMs: 0 });
    const failed: string[] = [];
    manager.on('taskFailed', (uid, _group, message) => failed.push(`${uid} ${message}`));
    const killedThread = await resultOf(manager, manager.addTask(workerTask('threadId')));
    // Out of the port's message handling: it reads every message already come before timers run.
    await settle();
    const shared = gates(1);
    const stopped = manager.addTask(workerTask('answersOnCue'), { taskArgs: [shared] });
    const next = manager.addTask(workerTask('threadId'));
    manager.on('taskStarted', (uid) => {
      if (uid !== stopped) return;
      queueMicrotask(() => {
        manager.stopTask(stopped, { stopDownstream: false }); // its kill timer starts: 0 ms
        open(shared, 1);
        // Blocked until the task has answered: when this thread next turns, the kill timer is due and the
        // answer has come, and timers run first. The thread is being terminated when its answer is read.
        Atomics.wait(shared, 0, 0);
      });
    });
    // Sent to the dying thread, it would fail with it, or run there if quick enough.
    const outcome = await manager.result(next).catch((error: unknown) => (error as Error).message);
    expect(failed).toEqual([]);
    expect(typeof outcome).toBe('number');
    expect(outcome).not.toBe(killedThread);
  });

  it('by a timeout aborts its signal in the worker with a TaskTimeoutError, as on the main thread', async () => {
    const clock = new FakeClock();
    const manager = create({ clock, killAfterMs: 60_000 });
    const uid = manager.addTask(workerTask('abortable'), { timeoutMs: 100 });
    await report('running', uid);
    const aborted = report('aborted', uid);
    clock.advance(100);
    expect((await aborted).reason).toBe(`TaskTimeoutError ERR_TASK_TIMEOUT Task ${uid} timed out after 100 ms`);
  });

  it('by shutDown() aborts its signal in the worker too, before its thread is terminated', async () => {
    const manager = create({ maxThreads: 2 });
    const uids = [manager.addTask(workerTask('abortable')), manager.addTask(workerTask('abortable'))];
    await Promise.all(uids.map((uid) => report('running', uid)));
    const aborted = Promise.all(uids.map((uid) => report('aborted', uid)));
    await manager.shutDown();
    expect((await aborted).map(({ reason }) => reason)).toEqual(
      uids.map((uid) => `TaskStoppedError ERR_TASK_STOPPED Task ${uid} was stopped`),
    );
  });

  it('with killAfterMs Infinity: a task that honours its stop ends as usual, and shutDown() still ends a thread that blocks for good', async () => {
    const manager = create({ maxThreads: 2, killAfterMs: Number.POSITIVE_INFINITY });
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const blocking = manager.addTask(workerTask('blocksForever'), { taskArgs: [counter] });
    const abortable = manager.addTask(workerTask('abortable'));
    await Promise.all([inside(counter, 1), report('running', abortable)]);
    manager.stopTask(blocking);
    // The next task waits for a slot; the abortable task's thread frees one when the task ends.
    const after = manager.addTask(workerTask('threadId'));
    manager.stopTask(abortable);
    expect(await resultOf(manager, after)).toBe((await report('aborted', abortable)).threadId);
    // Shut-down gives the blocked thread a bounded grace to see its abort, then terminates it.
    await manager.shutDown();
    expect(manager.phase).toBe('shutDown');
  });

  it(
    'drops a stopped worker task that waits for a thread: it is never sent, and frees its slot at once',
    { timeout: 10_000 },
    async () => {
      // Had the dropped task been sent, it would hold the only thread for good (no kill within the test).
      const manager = create({ maxThreads: 1, killAfterMs: 60_000 });
      const counter = new Int32Array(new SharedArrayBuffer(8));
      const started: number[] = [];
      manager.on('taskStarted', (uid) => started.push(uid));
      const waiting = manager.addTask(workerTask('neverSettles'), { taskArgs: [counter] });
      // Sent to the pool while the first thread is still starting: stop it while it waits there.
      manager.on('taskStarted', (uid) => {
        if (uid === waiting)
          queueMicrotask(() => {
            manager.stopTask(waiting);
          });
      });
      const next = manager.addTask(workerTask('context'), { group: 'n' });
      expect(await resultOf(manager, next)).toEqual({ uid: next, group: 'n', aborted: false });
      expect(started).toEqual([waiting, next]);
      expect(manager.getTaskState(waiting)).toBe('stopped');
      expect(Atomics.load(counter, 0)).toBe(0);
      expect(manager.threadCount).toBe(1);
    },
  );
});
