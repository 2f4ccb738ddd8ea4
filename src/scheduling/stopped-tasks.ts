import type { TypedEmitter } from '../core/events.js';
import type { TaskGroup } from '../core/types.js';
import type { OutcomeWaiters } from './outcome-waiters.js';

/**
 * The tasks one stop moved to `stopped`, in the order it reached them, and
 * the groups it left empty, each with the task that emptied it. A stop
 * collects them while it walks and announces them once the walk is over
 * (contract C2): listeners then see the stop complete, and cannot change
 * which tasks it reaches.
 */
export class StoppedTasks {
  readonly uids: number[] = [];
  readonly groups: Array<TaskGroup | undefined> = [];
  readonly #emptiedGroups: TaskGroup[] = [];
  readonly #emptiedBy: number[] = [];

  /** Records that the stop moved task `uid`, of `group`, to `stopped`. */
  add(uid: number, group: TaskGroup | undefined): void {
    this.uids.push(uid);
    this.groups.push(group);
  }

  /** The stop left `group` with no pending task; `uid` was its last. */
  emptied(group: TaskGroup, uid: number): void {
    this.#emptiedGroups.push(group);
    this.#emptiedBy.push(uid);
  }

  /**
   * Rejects the `result()` promises of the stopped tasks and the
   * `whenGroupFinished()` promises of the emptied groups, then emits
   * `taskStopped` for each task, in the order they were stopped.
   */
  announce(waiters: OutcomeWaiters | undefined, events: TypedEmitter): void {
    const { uids, groups } = this;
    if (waiters !== undefined) {
      for (const uid of uids) waiters.stopped(uid);
      for (let i = 0; i < this.#emptiedGroups.length; i++) {
        waiters.groupStopped(this.#emptiedGroups[i] as TaskGroup, this.#emptiedBy[i] as number);
      }
    }
    for (let i = 0; i < uids.length && events.listens('taskStopped'); i++) {
      events.emit('taskStopped', uids[i] as number, groups[i]);
    }
  }
}
