import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';

// The task store lets its chunks go when its last task is freed after it grew past 4,096 slots. A walk
// that still holds slots from before (a stop of every task, a failure's cascade) must find those tasks
// finished, not read a chunk that is gone.
describe('A walk over tasks while the store empties and resets', () => {
  it('stopAllTasks() passes over a finished task listed after the last pending one', async () => {
    const manager = new BackgroundTaskManager({ finishedTaskHistory: 0 });
    const count = 4101; // the store grows to 5,120 slots
    for (let i = 0; i < count; i++) manager.addTask(() => undefined);
    let stopped = 0;
    manager.on('taskStopped', () => stopped++);
    // Its uid stays in the pending table's page (deletion is lazy), after every pending task.
    manager.stopTask(count - 1);
    manager.stopAllTasks();
    expect([manager.pendingCount, stopped]).toEqual([0, count]);
    await manager.shutDown();
  });

  it('shutDown() of a paused manager whose last-added task was stopped', async () => {
    const manager = new BackgroundTaskManager({ finishedTaskHistory: 0 });
    for (let i = 0; i < 5000; i++) manager.addTask(() => undefined);
    manager.stopTask(4999);
    await expect(manager.shutDown()).resolves.toBeUndefined();
    expect(manager.pendingCount).toBe(0);
  });

  it('a failure whose taskFailed listener stops every task goes on with its cascade', async () => {
    const manager = new BackgroundTaskManager({ finishedTaskHistory: 0 });
    const failing = manager.addTask(() => {
      throw new Error('boom');
    });
    // Tasks stopped at once: the store grows past 4,096 slots and the downstream tasks sit in its fifth chunk.
    const fillers = Array.from({ length: 4200 }, () => manager.addTask(() => undefined));
    const downstream = [0, 1].map(() => manager.addTask(() => undefined, { upstreamTaskIds: [failing] }));
    for (const uid of fillers) manager.stopTask(uid, { stopUpstream: false, stopDownstream: false });
    const failed: number[] = [];
    const stopped: number[] = [];
    manager.on('taskFailed', (uid) => {
      failed.push(uid);
      if (uid === failing) manager.stopAllTasks(); // fail fast
    });
    manager.on('taskStopped', (uid) => stopped.push(uid));
    // What the cascade throws, it throws from a microtask: it reaches the process, not a promise of ours.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    const idle = manager.onIdle();
    try {
      manager.startProcessing();
      await idle;
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(failed).toEqual([failing]);
    expect(stopped).toEqual(downstream);
    // The manager goes on: a task added now runs.
    await expect(manager.result(manager.addTask(() => 'after'))).resolves.toBe('after');
    await manager.shutDown();
  });
});
