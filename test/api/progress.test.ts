/** `this.reportProgress(value)` of a main-thread task, as `taskProgress` events. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BackgroundTaskManagerEvents, TaskContext, TaskGroup } from '../../src/index.js';
import { deferred, managersWith, resultOf, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true, maxThreads: 2 });

/** Every taskProgress, taskCompleted and taskStopped event, as lines, in order. */
function lines(manager: ReturnType<typeof create>): string[] {
  const log: string[] = [];
  manager.on('taskProgress', (uid, group, value) =>
    log.push(`progress ${uid} ${String(group)} ${JSON.stringify(value)}`),
  );
  manager.on('taskCompleted', (uid) => log.push(`completed ${uid}`));
  manager.on('taskStopped', (uid) => log.push(`stopped ${uid}`));
  return log;
}

describe('taskProgress from a main-thread task', () => {
  it('is emitted at once for each report, with the value as given, before the task completes', async () => {
    const manager = create();
    const log = lines(manager);
    const value = { done: 1, of: 2 };
    const seen: unknown[] = [];
    manager.on('taskProgress', (_uid, _group, reported) => seen.push(reported));
    const uid = manager.addTask(
      async function (this: TaskContext) {
        this.reportProgress(0.5);
        await Promise.resolve();
        this.reportProgress(value);
        return 'ok';
      },
      { group: 'g' },
    );
    await resultOf(manager, uid);
    expect(log).toEqual([`progress ${uid} g 0.5`, `progress ${uid} g {"done":1,"of":2}`, `completed ${uid}`]);
    expect(seen[1]).toBe(value); // not cloned on the main thread
  });

  it('is dropped once the task has ended or was stopped', async () => {
    const manager = create();
    const log = lines(manager);
    let kept: TaskContext | undefined;
    const keep = (context: TaskContext): void => {
      kept = context;
    };
    const ended = manager.addTask(function (this: TaskContext) {
      keep(this);
      return 'ended';
    });
    await resultOf(manager, ended);
    kept?.reportProgress('after the end');
    const gate = deferred();
    const stopped = manager.addTask(async function (this: TaskContext) {
      await gate.promise;
      this.reportProgress('after the stop');
    });
    while (manager.getTaskState(stopped) !== 'running') await settle();
    manager.stopTask(stopped);
    gate.resolve(undefined);
    await settle();
    expect(log).toEqual([`completed ${ended}`, `stopped ${stopped}`]);
  });

  it('lets a listener stop the task that reported: later reports are dropped', async () => {
    const manager = create();
    const log = lines(manager);
    manager.on('taskProgress', (uid, _group, value) => {
      if (value === 1) manager.stopTask(uid);
    });
    const uid = manager.addTask(function (this: TaskContext) {
      this.reportProgress(1);
      this.reportProgress(2);
      return this.signal.aborted;
    });
    await settle();
    expect(log).toEqual([`progress ${uid} undefined 1`, `stopped ${uid}`]);
  });

  it('is typed in the event map and the context', () => {
    expectTypeOf<Parameters<BackgroundTaskManagerEvents['taskProgress']>>().toEqualTypeOf<
      [uid: number, group: TaskGroup | undefined, value: unknown]
    >();
    expectTypeOf<TaskContext['reportProgress']>().toEqualTypeOf<(value: unknown) => void>();
  });
});
