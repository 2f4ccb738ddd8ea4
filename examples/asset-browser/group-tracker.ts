import type { BackgroundTaskManager } from 'background-task-manager';

/** Per-image counts of one retriever, for the progress display and the summary. */
export interface GroupProgress {
  label: string;
  total: number;
  done: number;
  failed: number;
  stopped: number;
  /** `performance.now()` when its first task was added, and when its last image was accounted for. */
  startedAt: number;
  finishedAt: number | undefined;
}

/**
 * The task ids of one group that have not finished yet, kept from the manager's events, so that
 * the display can ask which of them are running.
 */
export class GroupTracker {
  readonly #unfinished = new Set<number>();

  constructor(
    manager: BackgroundTaskManager,
    readonly group: number,
  ) {
    const finish = (uid: number, taskGroup: unknown): void => {
      if (taskGroup === group) this.#unfinished.delete(uid);
    };
    manager.on('taskCompleted', finish);
    manager.on('taskFailed', finish);
  }

  /** Remembers a task just added to the group; returns its id. */
  track(uid: number): number {
    this.#unfinished.add(uid);
    return uid;
  }

  /** Forgets every task: the group was stopped, none of them will report. */
  forgetAll(): void {
    this.#unfinished.clear();
  }

  /** Ids of the group's tasks that have not reported yet (blocked, queued, running). */
  unfinished(): Iterable<number> {
    return this.#unfinished;
  }
}
