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
   * `whenGroupFinished()` promises of the groups left empty, then emits
   * `taskStopped` for each task, in the order they were stopped. A group
   * for which `hasPending` holds was refilled during the stop (by a stopped
   * task's abort listener): it did not finish, and its waiters wait on.
   */
  announce(waiters: OutcomeWaiters | undefined, events: TypedEmitter, hasPending: (group: TaskGroup) => boolean): void {
    const { uids, groups } = this;
    if (waiters !== undefined) {
      for (const uid of uids) waiters.stopped(uid);
      for (let i = 0; i < this.#emptiedGroups.length; i++) {
        const group = this.#emptiedGroups[i] as TaskGroup;
        if (!hasPending(group)) waiters.groupStopped(group, this.#emptiedBy[i] as number);
      }
    }
    for (let i = 0; i < uids.length && events.listens('taskStopped'); i++) {
      events.emit('taskStopped', uids[i] as number, groups[i]);
    }
  }
}
