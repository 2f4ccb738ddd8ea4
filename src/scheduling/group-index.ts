import type { TaskGroup } from '../core/types.js';
import type { StateCounts } from './task-stats.js';
import { NONE, type GroupEntry, type TaskStore } from './task-store.js';

/** Where a group's counters come from (`TaskStats`). */
export interface GroupCounters {
  countsOf(group: TaskGroup): StateCounts;
}

interface Members extends GroupEntry {
  head: number;
  size: number;
}

/**
 * The pending members of each group, as doubly linked lists threaded
 * through the store's `groupPrev` / `groupNext`: join and leave are O(1)
 * and allocate nothing per member; a group's entry is dropped as soon as
 * it empties.
 */
export class GroupIndex {
  readonly #store: TaskStore;
  readonly #groups = new Map<TaskGroup, Members>();
  readonly #counters: GroupCounters | undefined;

  /**
   * `counters` gives each group entry, as it is created, the counters its
   * tasks step: an object whose method is called, not a closure, so that
   * code V8 compiled for one manager's index still fits the next one's.
   */
  constructor(store: TaskStore, counters?: GroupCounters) {
    this.#store = store;
    this.#counters = counters;
  }

  /** Adds the task in `slot` to `group`, at the end of its list. */
  join(slot: number, group: TaskGroup): void {
    const store = this.#store;
    const members = this.#groups.get(group);
    if (members === undefined) {
      const entry: Members = { group, head: slot, size: 1, counts: this.#counters?.countsOf(group) };
      this.#groups.set(group, entry);
      store.setGroupEntry(slot, entry);
      return;
    }
    store.setGroupEntry(slot, members);
    store.setGroupNext(slot, members.head);
    store.setGroupPrev(members.head, slot);
    members.head = slot;
    members.size++;
  }

  /**
   * Unlinks `slot` from the group it joined (its entry, found without a
   * lookup); returns whether that left the group empty.
   */
  leave(slot: number): boolean {
    const store = this.#store;
    const members = store.groupEntry(slot) as Members | undefined;
    const isMember = members !== undefined && (members.head === slot || store.groupPrev(slot) !== NONE);
    // A member that left (or whose group emptied) is neither the head nor linked behind it.
    if (!isMember) return false;
    const prev = store.groupPrev(slot);
    const next = store.groupNext(slot);
    if (prev === NONE) members.head = next;
    else store.setGroupNext(prev, next);
    if (next !== NONE) store.setGroupPrev(next, prev);
    store.setGroupPrev(slot, NONE);
    store.setGroupNext(slot, NONE);
    if (--members.size > 0) return false;
    this.#groups.delete(members.group);
    return true;
  }

  /** The group's member slots, oldest first (the order they joined). */
  members(group: TaskGroup): number[] {
    const list: number[] = [];
    const store = this.#store;
    for (let slot = this.#groups.get(group)?.head ?? NONE; slot !== NONE; slot = store.groupNext(slot)) list.push(slot);
    return list.reverse();
  }

  /** Whether `group` has a pending member. */
  has(group: TaskGroup): boolean {
    return this.#groups.has(group);
  }

  /** Forgets every group. */
  clear(): void {
    this.#groups.clear();
  }
}
