/** stopAllTasks() and the groups awaited with whenGroupFinished(): a group that a listener refills is not finished. */
import { describe, expect, it } from 'vitest';
import { TaskStoppedError, type TaskContext } from '../../src/index.js';
import { controlled, managersWith, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });

describe('stopAllTasks() with awaited groups', () => {
  it('rejects the wait of a group it empties, but not of one an abort handler refills meanwhile', async () => {
    const manager = create();
    const work = controlled();
    let late = -1;
    const completed: unknown[] = [];
    manager.on('taskCompleted', (uid, _group, result) => completed.push([uid, result]));
    const refill = (): void => {
      late = manager.addTask(() => 'late', { group: 'refilled' });
    };
    manager.addTask(
      function (this: TaskContext) {
        this.signal.addEventListener('abort', () => {
          refill();
        });
        return work.run();
      },
      { group: 'refilled' },
    );
    manager.addTask(work.run, { group: 'emptied' });
    const refilled = manager.whenGroupFinished('refilled');
    const emptied = manager.whenGroupFinished('emptied').catch((error: unknown) => error);
    await settle();
    manager.stopAllTasks();
    expect(await emptied).toBeInstanceOf(TaskStoppedError);
    expect(manager.getTaskState(late)).not.toBe('stopped');
    await expect(refilled).resolves.toBeUndefined();
    expect(completed).toEqual([[late, 'late']]);
  });
});
