import type { TaskGroup, TaskKwargs, TaskRunnable } from '../api/types.js';
import { BLOCKED, FIRST_FINAL } from '../machines/task-logic.js';
import type { RunningTaskContext } from './task-context.js';

/** Marks a pass-through task: it runs nothing and returns its kwargs. */
export const PASS_THROUGH = Symbol('passThrough');

/** What a task runs. */
export type TaskWork = TaskRunnable | typeof PASS_THROUGH;

/** What a task's group is to the store: the group's entry in the group index, which names the group. */
export interface GroupEntry {
  readonly group: TaskGroup;
}

/** No slot, no edge. */
export const NONE = -1;

/** Slots a store starts with, and returns to when it empties after growing past {@link SHRINK_ABOVE}. */
const INITIAL_SLOTS = 256;
const SHRINK_ABOVE = 4096;
const INITIAL_EDGES = 64;

// A slot is 64 bytes of one buffer (one cache line): two float fields (a uid can pass 2^31, a
// priority need not be an integer) in its first 16 bytes, then its integer fields.
const SLOT_BYTES = 64;
const FLOATS = SLOT_BYTES / 8;
const UID = 0;
const PRIORITY = 1;
const INTS = SLOT_BYTES / 4;
const STATE = 4;
const PENDING_UPSTREAM = 5;
const READY_INDEX = 6;
const GROUP_PREV = 7;
const GROUP_NEXT = 8;
// Then its two lists of edges, downstream and upstream: for each, its first edge, its last
// edge and its length (a finished task's lists go back to the pool in O(1), without walks).
const DOWN = 0;
const UP = 1;
const LISTS = 9;
const HEAD = 0;
const TAIL = 1;
const LENGTH = 2;
const LIST_FIELDS = 3;
const DOWN_HEAD = LISTS + DOWN * LIST_FIELDS + HEAD;
const DOWN_TAIL = LISTS + DOWN * LIST_FIELDS + TAIL;
const UP_HEAD = LISTS + UP * LIST_FIELDS + HEAD;
// Its references, `REFS` per slot in `#refs`.
const WORK = 0;
const ARGS = 1;
const KWARGS = 2;
const GROUP = 3;
const CONTEXT = 4;
const REFS = 5;
// An edge is 16 bytes: the uid it points at, then the slot, then the next edge of its list.
const EDGE_BYTES = 16;
const EDGE_FLOATS = EDGE_BYTES / 8;
const EDGE_INTS = EDGE_BYTES / 4;
const EDGE_SLOT = 2;
const EDGE_NEXT = 3;

/**
 * The tasks the scheduler holds. A task's numbers (uid, priority, state,
 * counters, list heads) are one 64-byte slot of a buffer, read through an
 * `Int32Array` and a `Float64Array` view; the references it carries (its
 * callable, args, kwargs, group, running context) are five entries of one
 * plain array. A task takes a slot from `add` until it has finished and its
 * work (if any ran) has ended; freed slots are reused. The store grows by
 * doubling and, once empty, returns to its initial size.
 *
 * Why not one object per task: a million queued tasks were a million
 * objects for the garbage collector to copy and then promote (35 % of the
 * run at 1M), and every dependency link two more arrays. Here a task's
 * numbers sit outside the collected heap, next to each other, and its links
 * in a pool of edges.
 *
 * Links: each task has two lists of edges in the order they were made, its
 * upstream and its downstream tasks. An edge names the other task by slot
 * and uid, so an edge to a task that has since finished, and whose slot may
 * hold another task now, is recognised as stale: see {@link isPending}.
 */
export class TaskStore {
  /** Slots taken. */
  live = 0;
  #capacity = 0;
  /** The slots: two views of one buffer. */
  #ints = new Int32Array(0);
  #floats = new Float64Array(0);
  #refs: unknown[] = [];
  /** Slots ever handed out since the last reset; the ones above are untouched. */
  #used = 0;
  #freeSlots: number[] = [];
  #edgeCapacity = 0;
  /** Free edges of each kind of list (see {@link #growEdges}): their first one, and how many. */
  readonly #freeEdge = new Int32Array(2);
  readonly #freeEdges = new Int32Array(2);
  /** The edges: two views of one buffer. */
  #edges = new Int32Array(0);
  #edgeUids = new Float64Array(0);

  constructor() {
    this.#reset();
  }

  /** Edges taken (each link takes two): the pool less its free edges of both kinds. */
  get edgesInUse(): number {
    return this.#edgeCapacity - (this.#freeEdges[DOWN] as number) - (this.#freeEdges[UP] as number);
  }

  /**
   * Makes room for one more task and `links` more links, so that the
   * `allocate` and `append*` calls of one add cannot fail halfway (growing
   * is the only step that can throw: a RangeError when memory runs out).
   */
  reserve(links: number): void {
    if (this.#freeSlots.length === 0 && this.#used === this.#capacity) this.#growSlots();
    while ((this.#freeEdges[DOWN] as number) < links || (this.#freeEdges[UP] as number) < links) this.#growEdges();
  }

  /** Takes a slot for a new blocked task. Amortised O(1). */
  allocate(
    uid: number,
    work: TaskWork,
    priority: number,
    args: readonly unknown[] | undefined,
    kwargs: TaskKwargs | undefined,
  ): number {
    let slot: number;
    if (this.#freeSlots.length > 0) slot = this.#freeSlots.pop() as number;
    else {
      if (this.#used === this.#capacity) this.#growSlots();
      slot = this.#used++;
    }
    this.live++;
    const ints = this.#ints;
    const i = slot * INTS;
    ints[i + STATE] = BLOCKED;
    ints[i + PENDING_UPSTREAM] = 0;
    ints[i + READY_INDEX] = NONE;
    ints[i + GROUP_PREV] = NONE;
    ints[i + GROUP_NEXT] = NONE;
    for (let list = LISTS; list < LISTS + 2 * LIST_FIELDS; list += LIST_FIELDS) {
      ints[i + list + HEAD] = NONE;
      ints[i + list + TAIL] = NONE;
      ints[i + list + LENGTH] = 0;
    }
    this.#floats[slot * FLOATS + UID] = uid;
    this.#floats[slot * FLOATS + PRIORITY] = priority;
    const refs = this.#refs;
    const r = slot * REFS;
    refs[r + WORK] = work;
    refs[r + ARGS] = args;
    refs[r + KWARGS] = kwargs;
    refs[r + GROUP] = undefined;
    return slot;
  }

  uid(slot: number): number {
    return this.#floats[slot * FLOATS + UID] as number;
  }

  priority(slot: number): number {
    return this.#floats[slot * FLOATS + PRIORITY] as number;
  }

  /** The task actor's persisted snapshot: its state code (`task-logic.ts`). */
  state(slot: number): number {
    return this.#ints[slot * INTS + STATE] as number;
  }

  setState(slot: number, state: number): void {
    this.#ints[slot * INTS + STATE] = state;
  }

  /** Whether `slot` still holds the task `uid` and it has not finished. */
  isPending(slot: number, uid: number): boolean {
    return this.#floats[slot * FLOATS + UID] === uid && (this.#ints[slot * INTS + STATE] as number) < FIRST_FINAL;
  }

  /** Upstream tasks still pending; the task is blocked while this is above 0. */
  pendingUpstream(slot: number): number {
    return this.#ints[slot * INTS + PENDING_UPSTREAM] as number;
  }

  /** Decrements {@link pendingUpstream} and returns the new count. */
  upstreamFinished(slot: number): number {
    return --(this.#ints[slot * INTS + PENDING_UPSTREAM] as number);
  }

  /** The ready queue's bookkeeping: -1 when not queued (see `ready-queue.ts`). */
  readyIndex(slot: number): number {
    return this.#ints[slot * INTS + READY_INDEX] as number;
  }

  setReadyIndex(slot: number, index: number): void {
    this.#ints[slot * INTS + READY_INDEX] = index;
  }

  groupPrev(slot: number): number {
    return this.#ints[slot * INTS + GROUP_PREV] as number;
  }

  setGroupPrev(slot: number, prev: number): void {
    this.#ints[slot * INTS + GROUP_PREV] = prev;
  }

  groupNext(slot: number): number {
    return this.#ints[slot * INTS + GROUP_NEXT] as number;
  }

  setGroupNext(slot: number, next: number): void {
    this.#ints[slot * INTS + GROUP_NEXT] = next;
  }

  work(slot: number): TaskWork | undefined {
    return this.#refs[slot * REFS + WORK] as TaskWork | undefined;
  }

  args(slot: number): readonly unknown[] | undefined {
    return this.#refs[slot * REFS + ARGS] as readonly unknown[] | undefined;
  }

  /** An owned copy: the caller's `taskKwargs` is never mutated. */
  kwargs(slot: number): TaskKwargs | undefined {
    return this.#refs[slot * REFS + KWARGS] as TaskKwargs | undefined;
  }

  setKwargs(slot: number, kwargs: TaskKwargs): void {
    this.#refs[slot * REFS + KWARGS] = kwargs;
  }

  group(slot: number): TaskGroup | undefined {
    return (this.#refs[slot * REFS + GROUP] as GroupEntry | undefined)?.group;
  }

  /** The entry of the task's group in the group index (set when the task joins it). */
  groupEntry(slot: number): GroupEntry | undefined {
    return this.#refs[slot * REFS + GROUP] as GroupEntry | undefined;
  }

  setGroupEntry(slot: number, entry: GroupEntry): void {
    this.#refs[slot * REFS + GROUP] = entry;
  }

  /** The `this` of a running main-thread task. */
  context(slot: number): RunningTaskContext | undefined {
    return this.#refs[slot * REFS + CONTEXT] as RunningTaskContext | undefined;
  }

  setContext(slot: number, context: RunningTaskContext | undefined): void {
    this.#refs[slot * REFS + CONTEXT] = context;
  }

  /** The first edge of the task's upstream list. */
  upHead(slot: number): number {
    return this.#ints[slot * INTS + UP_HEAD] as number;
  }

  /** The first edge of the task's downstream list. */
  downHead(slot: number): number {
    return this.#ints[slot * INTS + DOWN_HEAD] as number;
  }

  /** The slot an edge points at. */
  edgeSlot(edge: number): number {
    return this.#edges[edge * EDGE_INTS + EDGE_SLOT] as number;
  }

  /** The uid of the task an edge points at. */
  edgeUid(edge: number): number {
    return this.#edgeUids[edge * EDGE_FLOATS] as number;
  }

  /** The next edge of the same list, or {@link NONE}. */
  edgeNext(edge: number): number {
    return this.#edges[edge * EDGE_INTS + EDGE_NEXT] as number;
  }

  /** Whether `from`'s most recent downstream link is to `to` (a repeated upstream id). */
  lastDownstreamIs(from: number, to: number, toUid: number): boolean {
    const last = this.#ints[from * INTS + DOWN_TAIL] as number;
    return last !== NONE && this.edgeSlot(last) === to && this.#edgeUids[last * EDGE_FLOATS] === toUid;
  }

  /** Appends `to` (slot and uid) to `from`'s downstream list. */
  appendDownstream(from: number, to: number, toUid: number): void {
    this.#append(from, DOWN, to, toUid);
  }

  /** Appends `to` (slot and uid) to `from`'s upstream list. */
  appendUpstream(from: number, to: number, toUid: number): void {
    this.#append(from, UP, to, toUid);
  }

  /** One more pending upstream task. */
  upstreamAdded(slot: number): void {
    (this.#ints[slot * INTS + PENDING_UPSTREAM] as number)++;
  }

  /**
   * Drops what a finished task carries (its work, arguments, group and
   * links) but keeps its slot, uid and state: a stopped task whose work is
   * still running keeps its slot until that work ends.
   */
  release(slot: number): void {
    const r = slot * REFS;
    const refs = this.#refs;
    refs[r + WORK] = undefined;
    refs[r + ARGS] = undefined;
    refs[r + KWARGS] = undefined;
    refs[r + GROUP] = undefined;
    const ints = this.#ints;
    const i = slot * INTS;
    ints[i + GROUP_PREV] = NONE;
    ints[i + GROUP_NEXT] = NONE;
    this.#freeList(slot, DOWN);
    this.#freeList(slot, UP);
  }

  /** Releases the slot for reuse; when the store empties after growing large, it returns to its initial size. */
  free(slot: number): void {
    this.release(slot);
    this.#refs[slot * REFS + CONTEXT] = undefined;
    this.#floats[slot * FLOATS + UID] = -1;
    this.#ints[slot * INTS + READY_INDEX] = NONE;
    this.#freeSlots.push(slot);
    if (--this.live === 0 && this.#capacity > SHRINK_ABOVE) this.#reset();
  }

  /** Appends an edge to `to` at the end of one of `from`'s lists. */
  #append(from: number, list: number, to: number, toUid: number): void {
    if (this.#freeEdge[list] === NONE) this.#growEdges();
    const edge = this.#freeEdge[list] as number;
    const edges = this.#edges;
    const e = edge * EDGE_INTS;
    this.#freeEdge[list] = edges[e + EDGE_NEXT] as number;
    (this.#freeEdges[list] as number)--;
    edges[e + EDGE_SLOT] = to;
    edges[e + EDGE_NEXT] = NONE;
    this.#edgeUids[edge * EDGE_FLOATS] = toUid;
    const ints = this.#ints;
    const fields = from * INTS + LISTS + list * LIST_FIELDS;
    const tail = ints[fields + TAIL] as number;
    if (tail === NONE) ints[fields + HEAD] = edge;
    else edges[tail * EDGE_INTS + EDGE_NEXT] = edge;
    ints[fields + TAIL] = edge;
    (ints[fields + LENGTH] as number)++;
  }

  /** Returns one of the slot's lists, whole, to the free edges of its kind: O(1). */
  #freeList(slot: number, list: number): void {
    const ints = this.#ints;
    const fields = slot * INTS + LISTS + list * LIST_FIELDS;
    const head = ints[fields + HEAD] as number;
    if (head === NONE) return;
    const length = ints[fields + LENGTH] as number;
    this.#edges[(ints[fields + TAIL] as number) * EDGE_INTS + EDGE_NEXT] = this.#freeEdge[list] as number;
    this.#freeEdge[list] = head;
    (this.#freeEdges[list] as number) += length;
    ints[fields + HEAD] = NONE;
    ints[fields + TAIL] = NONE;
    ints[fields + LENGTH] = 0;
  }

  #reset(): void {
    this.#capacity = 0;
    this.#used = 0;
    this.#ints = new Int32Array(0);
    this.#floats = new Float64Array(0);
    this.#refs = [];
    this.#freeSlots = [];
    this.#edgeCapacity = 0;
    this.#edges = new Int32Array(0);
    this.#edgeUids = new Float64Array(0);
    this.#freeEdge.fill(NONE);
    this.#freeEdges.fill(0);
    this.#growSlots();
    this.#growEdges();
  }

  #growSlots(): void {
    const capacity = Math.max(INITIAL_SLOTS, this.#capacity * 2);
    const buffer = grown(this.#ints, capacity * SLOT_BYTES);
    this.#ints = new Int32Array(buffer);
    this.#floats = new Float64Array(buffer);
    this.#refs.length = capacity * REFS;
    for (let slot = this.#capacity; slot < capacity; slot++) this.#floats[slot * FLOATS + UID] = -1;
    this.#capacity = capacity;
  }

  /**
   * Doubles the edge pool: the first half of the new edges goes to the free
   * edges of downstream lists, the second to those of upstream lists. A
   * finished task walks its downstream list, never its upstream one; kept
   * apart, its downstream edges share their cache lines with other
   * downstream edges only (mixed, half of every line read was idle).
   */
  #growEdges(): void {
    const from = this.#edgeCapacity;
    const to = Math.max(INITIAL_EDGES, from * 2);
    const buffer = grown(this.#edges, to * EDGE_BYTES);
    this.#edges = new Int32Array(buffer);
    this.#edgeUids = new Float64Array(buffer);
    const middle = from + (to - from) / 2;
    this.#chainFree(DOWN, from, middle);
    this.#chainFree(UP, middle, to);
    this.#edgeCapacity = to;
  }

  /** Puts the new edges `start` to `end` (excluded) in front of the free edges of `list`. */
  #chainFree(list: number, start: number, end: number): void {
    const edges = this.#edges;
    for (let edge = start; edge < end - 1; edge++) edges[edge * EDGE_INTS + EDGE_NEXT] = edge + 1;
    edges[(end - 1) * EDGE_INTS + EDGE_NEXT] = this.#freeEdge[list] as number;
    this.#freeEdge[list] = start;
    (this.#freeEdges[list] as number) += end - start;
  }
}

/** A zeroed buffer of `bytes` bytes that starts with a copy of `view`'s bytes. */
function grown(view: Int32Array, bytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  new Uint8Array(buffer).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return buffer;
}
