import { BackgroundTaskManager, workerTask, type TaskGroup } from '../../src/index.js';

/** How each task of a run ended: its result as JSON, or `failed: message`, and how many times it ended. */
export interface RunRecord {
  readonly outcomes: Map<number, string>;
  readonly endings: Map<number, number>;
  readonly groupsFinished: TaskGroup[];
}

/** Records every task's ending and every finished group of `manager`. */
export function recordRun(manager: BackgroundTaskManager): RunRecord {
  const record: RunRecord = { outcomes: new Map(), endings: new Map(), groupsFinished: [] };
  const ended = (uid: number, outcome: string): void => {
    record.outcomes.set(uid, outcome);
    record.endings.set(uid, (record.endings.get(uid) ?? 0) + 1);
  };
  manager.on('taskCompleted', (uid, _group, result) => {
    ended(uid, JSON.stringify(result));
  });
  manager.on('taskFailed', (uid, _group, message) => {
    ended(uid, `failed: ${message}`);
  });
  manager.on('taskStopped', (uid) => {
    ended(uid, 'stopped');
  });
  manager.on('taskGroupFinished', (group) => record.groupsFinished.push(group));
  return record;
}

/**
 * Adds a DAG of `size` worker tasks in blocks of 50: each but a block's
 * first waits for one or two earlier ones of its block and adds up their
 * totals; every 199th throws, failing its downstream tasks (in its block)
 * by cascade. Ten groups, mixed priorities.
 */
export function addDag(manager: BackgroundTaskManager, size: number): number[] {
  const uids: number[] = [];
  for (let i = 0; i < size; i++) {
    const inBlock = i % 50;
    const upstream = inBlock === 0 ? [] : [...new Set([i - 1, i - 1 - ((i * 7) % inBlock)])];
    const fails = i % 199 === 37;
    uids.push(
      manager.addTask(workerTask(fails ? 'throws' : 'step'), {
        taskArgs: [fails ? `step ${i} fails` : i],
        upstreamTaskIds: upstream.map((index) => uids[index] ?? -1),
        group: i % 10,
        priority: (i * 31) % 5,
      }),
    );
  }
  return uids;
}
