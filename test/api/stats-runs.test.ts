/** stats().runMs times runs that ended as the task's own: not one a taskStarted listener stopped, nor one that timed out. */
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { controlled, settle } from '../helpers.js';

describe('stats().runMs', () => {
  it('does not time a task that a taskStarted listener stopped: its work never ran', async () => {
    const manager = new BackgroundTaskManager({ startProcessing: true });
    manager.on('taskStarted', (uid) => {
      manager.stopTask(uid);
    });
    let ran = false;
    manager.addTask(() => (ran = true));
    await settle();
    expect([ran, manager.stats().counts.stopped, manager.stats().runMs.p50]).toEqual([false, 1, null]);
  });

  it('does not time a run that timed out, when its work ends later', async () => {
    const clock = new FakeClock();
    const manager = new BackgroundTaskManager({ startProcessing: true, clock });
    const work = controlled();
    const uid = manager.addTask(work.run, { timeoutMs: 10 });
    await settle();
    clock.advance(10);
    expect(manager.getTaskState(uid)).toBe('failed');
    work.resolve(0, 'late');
    await settle();
    expect([manager.stats().busyThreads, manager.stats().runMs.p50]).toEqual([0, null]);
  });

  it('times the retry of a timed-out task, though the abandoned run ends after the retry was queued', async () => {
    const clock = new FakeClock();
    const manager = new BackgroundTaskManager({ startProcessing: true, clock, maxThreads: 1 });
    const work = controlled();
    const uid = manager.addTask(work.run, { timeoutMs: 10, retry: { attempts: 2, delayMs: 5 } });
    await settle();
    clock.advance(10); // the first run times out; it keeps its slot until its work ends
    clock.advance(5); // the retry is queued, behind the abandoned run
    expect(manager.getTaskState(uid)).toBe('queued');
    work.resolve(0, 'late');
    await settle(); // the slot is free: the retry runs
    work.resolve(1, 'retried');
    expect(await manager.result(uid)).toBe('retried');
    const { waitMs, runMs } = manager.stats();
    expect([waitMs.p50 !== null, runMs.p50 !== null]).toEqual([true, true]);
  });
});

describe('stats() over time', () => {
  it('times each of the first tasks, not one in 32: the second task alone gives run and wait times', async () => {
    const manager = new BackgroundTaskManager();
    const never = manager.addTask(() => 'never runs');
    manager.stopTask(never);
    const second = manager.addTask(() => 'runs');
    manager.startProcessing();
    await manager.result(second);
    expect(manager.stats().runMs.p50).toEqual(expect.any(Number));
    expect(manager.stats().waitMs.p50).toEqual(expect.any(Number));
  });

  it("keeps a group's counts when the group empties and fills again", async () => {
    const manager = new BackgroundTaskManager({ startProcessing: true });
    await manager.result(manager.addTask(() => 'first', { group: 'g' }));
    await manager.result(manager.addTask(() => 'second', { group: 'g' }));
    expect(manager.stats().groups.g?.done).toBe(2);
  });

  it('reports waits and runs no longer than the test saw pass around them', async () => {
    const manager = new BackgroundTaskManager();
    const work = controlled();
    const before = performance.now();
    const uid = manager.addTask(work.run);
    manager.startProcessing();
    await settle();
    work.resolve(0);
    await settle();
    const elapsed = performance.now() - before;
    const { waitMs, runMs } = manager.stats();
    for (const ms of [waitMs.p50, waitMs.p99, runMs.p50, runMs.p99]) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(elapsed + 0.001); // percentiles are rounded to a microsecond
    }
    expect(manager.getTaskState(uid)).toBe('done');
  });
});
