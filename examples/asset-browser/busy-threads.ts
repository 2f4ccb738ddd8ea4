import type { BackgroundTaskManager } from 'background-task-manager';

/**
 * How many of the manager's `maxThreads` slots run a task now. The manager has no counter of its
 * own for it in this build, so this asks for the state of each task not yet finished.
 */
export function busyThreads(manager: BackgroundTaskManager, unfinished: Iterable<Iterable<number>>): number {
  let running = 0;
  for (const uids of unfinished) {
    for (const uid of uids) if (manager.getTaskState(uid) === 'running') running++;
  }
  return running;
}
