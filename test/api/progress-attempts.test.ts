/** Progress belongs to the run that is the task's current attempt: a timed-out run's late reports are dropped. */
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { deferred, managersWith, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true, maxThreads: 2 });

/** A manager on a fake clock, the progress values it emits, and where a test's callable keeps each run's context. */
function setUp() {
  const clock = new FakeClock();
  const manager = create({ clock });
  const progress: unknown[] = [];
  manager.on('taskProgress', (_uid, _group, value) => progress.push(value));
  const runs: TaskContext[] = [];
  return { clock, manager, progress, runs };
}

describe('progress and attempts', () => {
  it('drops what a timed-out main-thread run reports once the next attempt runs, and passes the new run on', async () => {
    const { clock, manager, progress, runs } = setUp();
    const ends = [deferred(), deferred()];
    const uid = manager.addTask(
      function (this: TaskContext) {
        runs.push(this);
        return (ends[runs.length - 1] as (typeof ends)[number]).promise;
      },
      { timeoutMs: 10, retry: { attempts: 2, delayMs: 1 } },
    );
    await settle();
    clock.advance(10);
    clock.advance(1);
    await settle();
    expect([manager.getTaskState(uid), runs.length]).toEqual(['running', 2]);
    const [abandoned, current] = runs as [TaskContext, TaskContext];
    abandoned.reportProgress('from the abandoned run');
    current.reportProgress('from the current run');
    expect(progress).toEqual(['from the current run']);
    ends[1]?.resolve('done');
    ends[0]?.resolve('late');
    await manager.result(uid);
  });
});

describe('progress between attempts', () => {
  it('drops what a failed run reports while the task waits to run again', async () => {
    const { clock, manager, progress, runs } = setUp();
    const uid = manager.addTask(
      function (this: TaskContext) {
        runs.push(this);
        if (runs.length > 1) return 'second';
        throw new Error('first');
      },
      { retry: { attempts: 2, delayMs: 5 } },
    );
    await settle();
    expect(manager.getTaskState(uid)).toBe('retrying');
    runs[0]?.reportProgress('after its failure');
    expect(progress).toEqual([]);
    clock.advance(5);
    await expect(manager.result(uid)).resolves.toBe('second');
    expect(progress).toEqual([]);
  });
});

describe('progress of a failed run', () => {
  it('drops what a failed run reports once the next attempt runs: only the current run speaks for the task', async () => {
    const { clock, manager, progress, runs } = setUp();
    const second = deferred();
    const uid = manager.addTask(
      function (this: TaskContext) {
        runs.push(this);
        // The first run fails while work it started (a sibling in a Promise.all, a timer) goes on reporting.
        if (runs.length === 1) throw new Error('first run');
        return second.promise;
      },
      { retry: { attempts: 2, delayMs: 5 } },
    );
    await settle();
    clock.advance(5);
    await settle();
    expect([manager.getTaskState(uid), runs.length]).toEqual(['running', 2]);
    const [failed, current] = runs as [TaskContext, TaskContext];
    failed.reportProgress('from the failed run');
    current.reportProgress('from the current run');
    second.resolve('done');
    await expect(manager.result(uid)).resolves.toBe('done');
    expect(progress).toEqual(['from the current run']);
  });
});
