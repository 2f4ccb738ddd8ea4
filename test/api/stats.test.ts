import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';
import { GROUP_STATS_LIMIT } from '../../src/scheduling/task-stats.js';
import { controlled, settle } from '../helpers.js';

const zero = { blocked: 0, queued: 0, running: 0, retrying: 0, done: 0, failed: 0, stopped: 0 };
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

describe('manager.stats()', () => {
  it('adds up groups whose names print alike (1 and "1") in one entry, as the README says', () => {
    const manager = new BackgroundTaskManager();
    manager.addTask(() => 1, { group: 1 });
    manager.addTask(() => 1, { group: '1' });
    manager.addTask(() => 1, { group: '1' });
    expect(manager.stats().groups).toEqual({ 1: { ...zero, queued: 3 } });
    // Each is still a group of its own: stopping one leaves the other.
    manager.stopTaskGroup(1);
    expect(manager.stats().groups).toEqual({ 1: { ...zero, queued: 2, stopped: 1 } });
  });

  it('counts pending tasks now and finished ones since the start, overall and per group, without inspection', async () => {
    const manager = new BackgroundTaskManager({ maxThreads: 2 });
    expect(manager.stats()).toEqual({
      phase: 'paused',
      maxThreads: 2,
      busyThreads: 0,
      counts: zero,
      groups: {},
      waitMs: { p50: null, p95: null, p99: null },
      runMs: { p50: null, p95: null, p99: null },
    });
    const work = controlled();
    const a = manager.addTask(work.run, { group: 'a' });
    manager.addTask(work.run, { group: 'a', upstreamTaskIds: [a] });
    const b = manager.addTask(work.run, { group: 7 });
    manager.addTask(work.run);
    expect(manager.stats().counts).toEqual({ ...zero, blocked: 1, queued: 3 });
    expect(manager.stats().groups).toEqual({ a: { ...zero, blocked: 1, queued: 1 }, 7: { ...zero, queued: 1 } });
    manager.startProcessing();
    await settle();
    expect(manager.stats()).toMatchObject({
      phase: 'processing',
      busyThreads: 2,
      counts: { ...zero, blocked: 1, queued: 1, running: 2 },
    });
    work.reject(0, new Error('no')); // fails a, and its downstream task
    work.resolve(1, 'b');
    await settle();
    manager.stopAllTasks();
    await settle();
    const stats = manager.stats();
    expect(stats.counts).toEqual({ ...zero, done: 1, failed: 2, stopped: 1 });
    expect(stats.groups).toEqual({ a: { ...zero, failed: 2 }, 7: { ...zero, done: 1 } });
    expect(manager.getTaskState(b)).toBe('done');
    expect(stats.runMs.p50).toBeGreaterThanOrEqual(0);
    expect(stats.waitMs.p99).toBeGreaterThanOrEqual(stats.waitMs.p50 as number);
    // Only the one task that ran on its own counts in the run times: failing upstream is not running.
    await manager.shutDown();
    expect(manager.stats().phase).toBe('shutDown');
  });

  it('times only work that ran to its end: a task stopped while it ran is counted stopped, not timed', async () => {
    const manager = new BackgroundTaskManager({ startProcessing: true });
    const work = controlled();
    const uid = manager.addTask(work.run);
    await settle();
    manager.stopTask(uid);
    work.resolve(0);
    await settle();
    expect(manager.stats()).toMatchObject({ busyThreads: 0, counts: { ...zero, stopped: 1 } });
    expect(manager.stats().runMs.p50).toBeNull();
    expect(manager.stats().waitMs.p50).toEqual(expect.any(Number));
  });

  it('returns a copy: changing it changes nothing', () => {
    const manager = new BackgroundTaskManager();
    manager.addTask(() => 1, { group: 'g' });
    const stats = manager.stats();
    (stats.counts as { queued: number }).queued = 99;
    (stats.groups.g as { queued: number }).queued = 99;
    expect(manager.stats().counts.queued).toBe(1);
    expect(manager.stats().groups.g?.queued).toBe(1);
  });

  it(`keeps the counts of the last ${GROUP_STATS_LIMIT} groups that had a task added`, async () => {
    const manager = new BackgroundTaskManager({ startProcessing: true });
    for (let group = 0; group <= GROUP_STATS_LIMIT; group++) manager.addTask(() => group, { group });
    await manager.onIdle();
    const { groups, counts } = manager.stats();
    expect(Object.keys(groups)).toHaveLength(GROUP_STATS_LIMIT);
    expect(groups[0]).toBeUndefined();
    expect(groups[GROUP_STATS_LIMIT]).toEqual({ ...zero, done: 1 });
    expect(counts.done).toBe(GROUP_STATS_LIMIT + 1);
  });

  it('counts the same with inspection on, and a worker thread is busy while its task runs', async () => {
    const events: unknown[] = [];
    const manager = new BackgroundTaskManager({
      startProcessing: true,
      maxThreads: 2,
      workerScript,
      inspect: (event) => events.push(event),
    });
    manager.addTask(workerTask('add'), { taskArgs: [1, 2], group: 'w' });
    manager.addTask(workerTask('throws'), { taskArgs: ['x'], group: 'w' });
    await manager.onIdle();
    expect(manager.stats()).toMatchObject({
      busyThreads: 0,
      counts: { ...zero, done: 1, failed: 1 },
      groups: { w: { ...zero, done: 1, failed: 1 } },
    });
    const shutting = manager.shutDown();
    // Threads were started: the manager waits in shuttingDown until they have exited.
    expect(manager.phase).toBe('shuttingDown');
    expect(() => manager.addTask(() => 1)).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN' }));
    await shutting;
    expect(manager.phase).toBe('shutDown');
    expect(events.length).toBeGreaterThan(0);
  });
});
