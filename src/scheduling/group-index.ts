import type { TaskGroup } from '../api/types.js';

/** An item linked into its group's list: the links live on the item, no per-group Set. */
export interface GroupMember<T> {
  readonly group: TaskGroup | undefined;
  groupPrev: T | undefined;
  groupNext: T | undefined;
}

interface Members<T> {
  head: T | undefined;
  size: number;
}

/**
 * The pending members of each group, as intrusive doubly linked lists:
 * join and leave are O(1) and allocate nothing per member; a group's entry
 * is dropped as soon as it empties.
 */
export class GroupIndex<T extends GroupMember<T>> {
  readonly #groups = new Map<TaskGroup, Members<T>>();

  join(item: T, group: TaskGroup): void {
    const members = this.#groups.get(group);
    if (members === undefined) {
      this.#groups.set(group, { head: item, size: 1 });
      return;
    }
    const head = members.head as T;
    item.groupNext = head;
    head.groupPrev = item;
    members.head = item;
    members.size++;
  }

  /** Unlinks `item` from its group; returns whether that left the group empty. */
  leave(item: T): boolean {
    const group = item.group;
    const members = group === undefined ? undefined : this.#groups.get(group);
    if (members === undefined || (members.head !== item && item.groupPrev === undefined)) return false;
    const { groupPrev: prev, groupNext: next } = item;
    if (prev === undefined) members.head = next;
    else prev.groupNext = next;
    if (next !== undefined) next.groupPrev = prev;
    item.groupPrev = undefined;
    item.groupNext = undefined;
    if (--members.size > 0) return false;
    this.#groups.delete(group as TaskGroup);
    return true;
  }

  /** The group's members, oldest first (the order they joined). */
  members(group: TaskGroup): T[] {
    const list: T[] = [];
    for (let item = this.#groups.get(group)?.head; item !== undefined; item = item.groupNext) list.push(item);
    return list.reverse();
  }

  clear(): void {
    this.#groups.clear();
  }
}
