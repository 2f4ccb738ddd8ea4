import type { TaskGroup, TaskKwargs, TaskRunnable } from '../core/types.js';
import { BLOCKED, FIRST_FINAL } from '../machines/task-logic.js';
import type { RunningWork } from '../core/worker-runner.js';
import type { StateCounts } from './task-stats.js';

/** Marks a pass-through task: it runs nothing and returns its kwargs. */
export const PASS_THROUGH = Symbol('passThrough');

/** What a task runs. */
export type TaskWork = TaskRunnable | typeof PASS_THROUGH;

/** What a task's group is to the store: the group's entry in the group index, which names the group. */
export interface GroupEntry {
  readonly group: TaskGroup;
  /** The group's counts by state, which the scheduler keeps as its tasks step. */
  readonly counts?: StateCounts;
}

/** No slot, no edge. */
export const NONE = -1;

/** Slots a store starts with, and starts again from when it empties after growing past {@link SHRINK_ABOVE}. */
const INITIAL_SLOTS = 256;
const SHRINK_ABOVE = 4096;
const INITIAL_EDGES = 64;
// Slots and edges are kept in chunks of 64 KB, each a buffer of its own, which are added and never
// copied. Chunks that size come from the allocator's heap and are reused once a store lets them go;
// one growing buffer of the whole store went to fresh pages from the kernel on every growth, and
// their page faults were most of a large graph's run (see bench/README.md). The first chunk starts
// small and doubles up to its full size, so that a small queue stays small.
const CHUNK_SHIFT = 10;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SLOTS - 1;
const EDGE_CHUNK_SHIFT = 12;
const EDGE_CHUNK = 1 << EDGE_CHUNK_SHIFT;
const EDGE_CHUNK_MASK = EDGE_CHUNK - 1;

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
// Then its list of downstream edges: its first edge, its last edge and its length (a finished
// task's list goes back to the pool in O(1), without a walk).
const DOWN_HEAD = 9;
const DOWN_TAIL = 10;
const DOWN_LENGTH = 11;
// Then its upstream tasks, up to four, each as its uid's distance below the task's own (an upstream
// task is always an earlier one); 0 ends the list. A task with more, or one further away than an
// int32 reaches, has OVERFLOW in the first cell and its upstream uids in `#upstreamOverflow`.
const UPSTREAM = 12;
const UPSTREAM_CELLS = 4;
const OVERFLOW = -1;
const MAX_DISTANCE = 0x7fffffff;
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
 * counters, list heads) are one 64-byte slot of a chunk's buffer, read
 * through an `Int32Array` and a `Float64Array` view; the references it
 * carries (its callable, args, kwargs, group, running context) are five
 * entries of the chunk's plain array. A task takes a slot from `add` until
 * it has finished and its work (if any ran) has ended; freed slots are
 * reused. The store grows a chunk at a time and, once empty after growing
 * large, lets its chunks go and starts again from its initial size.
 *
 * Why not one object per task: a million queued tasks were a million
 * objects for the garbage collector to copy and then promote (35 % of the
 * run at 1M), and every dependency link two more arrays. Here a task's
 * numbers sit outside the collected heap, next to each other, and its links
 * in a pool of edges.
 *
 * Links: each task has a list of edges to its downstream tasks, in the
 * order they were linked. An edge names the other task by slot and uid, so
 * an edge to a task that has since finished, and whose slot may hold another
 * task now, is recognised as stale: see {@link isPending}. Its upstream
 * tasks are only ever needed by a stop walk, which looks them up by uid:
 * up to four of those sit in the slot, so the usual link writes one edge.
 */
export class TaskStore {
  /** Slots taken. */
  live = 0;
  #capacity = 0;
  /** The slots, by chunk (`slot >>> CHUNK_SHIFT`): two views of each chunk's buffer, and its references. */
  #ints: Int32Array[] = [];
  #floats: Float64Array[] = [];
  #refs: unknown[][] = [];
  /** Slots ever handed out since the last reset; the ones above are untouched. */
  #used = 0;
  /**
   * The freed slots, a stack chained through their {@link PENDING_UPSTREAM} cell (which only a pending
   * task's slot uses): a slot freed is the next one taken. A chain, not an array: an array of a
   * hundred thousand freed slots grew, copy after copy, on fresh pages at every large run's end.
   */
  #freeSlot = NONE;
  #edgeCapacity = 0;
  /** Edges ever handed out since the last reset; the ones above are untouched. */
  #edgesUsed = 0;
  /** Edges given back by finished tasks: the first of their list, and how many. */
  #freeEdge = NONE;
  #freeEdges = 0;
  /** The edges, by chunk (`edge >>> EDGE_CHUNK_SHIFT`): two views of each chunk's buffer. */
  #edges: Int32Array[] = [];
  #edgeUids: Float64Array[] = [];
  /** The upstream uids of the tasks that have more than fit in their slot, by slot. */
  readonly #upstreamOverflow = new Map<number, number[]>();

  constructor() {
    this.#growSlots();
    this.#growEdges();
  }

  /** Edges taken (one a link): those handed out less those given back. */
  get edgesInUse(): number {
    return this.#edgesUsed - this.#freeEdges;
  }

  /**
   * Makes room for one more task and `links` more links, so that the
   * `allocate` and `append*` calls of one add cannot fail halfway (growing
   * is the only step that can throw: a RangeError when memory runs out).
   */
  reserve(links: number): void {
    if (this.#freeSlot === NONE && this.#used === this.#capacity) this.#growSlots();
    while (this.#freeEdges + this.#edgeCapacity - this.#edgesUsed < links) this.#growEdges();
  }

  /** Takes a slot for a new blocked task. Amortised O(1). */
  allocate(
    uid: number,
    work: TaskWork,
    priority: number,
    args: readonly unknown[] | undefined,
    kwargs: TaskKwargs | undefined,
  ): number {
    let slot = this.#freeSlot;
    if (slot !== NONE) this.#freeSlot = this.#int(slot, PENDING_UPSTREAM);
    else {
      if (this.#used === this.#capacity) this.#growSlots();
      slot = this.#used++;
    }
    this.live++;
    const chunk = slot >>> CHUNK_SHIFT;
    const ints = this.#ints[chunk] as Int32Array;
    const i = (slot & CHUNK_MASK) * INTS;
    ints[i + STATE] = BLOCKED;
    ints[i + PENDING_UPSTREAM] = 0;
    ints[i + READY_INDEX] = NONE;
    ints[i + GROUP_PREV] = NONE;
    ints[i + GROUP_NEXT] = NONE;
    ints[i + DOWN_HEAD] = NONE;
    ints[i + DOWN_TAIL] = NONE;
    ints[i + DOWN_LENGTH] = 0;
    for (let cell = UPSTREAM; cell < UPSTREAM + UPSTREAM_CELLS; cell++) ints[i + cell] = 0;
    const floats = this.#floats[chunk] as Float64Array;
    const f = (slot & CHUNK_MASK) * FLOATS;
    floats[f + UID] = uid;
    floats[f + PRIORITY] = priority;
    const refs = this.#refs[chunk] as unknown[];
    const r = (slot & CHUNK_MASK) * REFS;
    refs[r + WORK] = work;
    refs[r + ARGS] = args;
    refs[r + KWARGS] = kwargs;
    refs[r + GROUP] = undefined;
    return slot;
  }

  /** The uid of the task in `slot`. */
  uid(slot: number): number {
    return this.#float(slot, UID);
  }

  /** The priority of the task in `slot`. */
  priority(slot: number): number {
    return this.#float(slot, PRIORITY);
  }

  /** Gives the task in `slot` a new priority; the ready queue must not hold it meanwhile (it files tasks by priority). */
  setPriority(slot: number, priority: number): void {
    this.#setFloat(slot, PRIORITY, priority);
  }

  /** The task actor's persisted snapshot: its state code (`task-logic.ts`). */
  state(slot: number): number {
    return this.#int(slot, STATE);
  }

  /** Stores the task actor's new state code. */
  setState(slot: number, state: number): void {
    this.#setInt(slot, STATE, state);
  }

  /** Whether `slot` still holds the task `uid` and it has not finished. */
  isPending(slot: number, uid: number): boolean {
    // A slot held from before the store emptied and reset (a walk's worklist, a look at the pending
    // table, whose deletion is lazy) may lie past its chunks now: that task has finished.
    return slot < this.#capacity && this.#float(slot, UID) === uid && this.#int(slot, STATE) < FIRST_FINAL;
  }

  /** Upstream tasks still pending; the task is blocked while this is above 0. */
  pendingUpstream(slot: number): number {
    return this.#int(slot, PENDING_UPSTREAM);
  }

  /** Decrements {@link pendingUpstream} and returns the new count. */
  upstreamFinished(slot: number): number {
    return --((this.#ints[slot >>> CHUNK_SHIFT] as Int32Array)[
      (slot & CHUNK_MASK) * INTS + PENDING_UPSTREAM
    ] as number);
  }

  /** The ready queue's bookkeeping: -1 when not queued (see `ready-queue.ts`). */
  readyIndex(slot: number): number {
    return this.#int(slot, READY_INDEX);
  }

  /** See {@link readyIndex}. */
  setReadyIndex(slot: number, index: number): void {
    this.#setInt(slot, READY_INDEX, index);
  }

  /** The previous slot of the task's group list, or `NONE`. */
  groupPrev(slot: number): number {
    return this.#int(slot, GROUP_PREV);
  }

  /** See {@link groupPrev}. */
  setGroupPrev(slot: number, prev: number): void {
    this.#setInt(slot, GROUP_PREV, prev);
  }

  /** The next slot of the task's group list, or `NONE`. */
  groupNext(slot: number): number {
    return this.#int(slot, GROUP_NEXT);
  }

  /** See {@link groupNext}. */
  setGroupNext(slot: number, next: number): void {
    this.#setInt(slot, GROUP_NEXT, next);
  }

  /** What the task runs: a callable, a worker task or `PASS_THROUGH`. */
  work(slot: number): TaskWork | undefined {
    return this.#ref(slot, WORK) as TaskWork | undefined;
  }

  /** The task's positional arguments, if any. */
  args(slot: number): readonly unknown[] | undefined {
    return this.#ref(slot, ARGS) as readonly unknown[] | undefined;
  }

  /** An owned copy: the caller's `taskKwargs` is never mutated. */
  kwargs(slot: number): TaskKwargs | undefined {
    return this.#ref(slot, KWARGS) as TaskKwargs | undefined;
  }

  /** Replaces the task's kwargs (upstream results are merged into a copy). */
  setKwargs(slot: number, kwargs: TaskKwargs): void {
    this.#setRef(slot, KWARGS, kwargs);
  }

  /** The task's group, if it has one. */
  group(slot: number): TaskGroup | undefined {
    return (this.#ref(slot, GROUP) as GroupEntry | undefined)?.group;
  }

  /** The entry of the task's group in the group index (set when the task joins it). */
  groupEntry(slot: number): GroupEntry | undefined {
    return this.#ref(slot, GROUP) as GroupEntry | undefined;
  }

  /** See {@link groupEntry}. */
  setGroupEntry(slot: number, entry: GroupEntry): void {
    this.#setRef(slot, GROUP, entry);
  }

  /** The running work of a task: a main-thread task's `this`, or its worker job. */
  context(slot: number): RunningWork | undefined {
    return this.#ref(slot, CONTEXT) as RunningWork | undefined;
  }

  /** See {@link context}. */
  setContext(slot: number, context: RunningWork | undefined): void {
    this.#setRef(slot, CONTEXT, context);
  }

  /**
   * The uids of the task's upstream tasks, in the order linked (see
   * {@link addUpstream}): a new array, for the rare walk that needs them.
   */
  upstreamUids(slot: number): number[] {
    const ints = this.#ints[slot >>> CHUNK_SHIFT] as Int32Array;
    const i = (slot & CHUNK_MASK) * INTS + UPSTREAM;
    if (ints[i] === OVERFLOW) return [...(this.#upstreamOverflow.get(slot) as number[])];
    const uid = this.uid(slot);
    const uids: number[] = [];
    for (let cell = 0; cell < UPSTREAM_CELLS && ints[i + cell] !== 0; cell++)
      uids.push(uid - (ints[i + cell] as number));
    return uids;
  }

  /** The first edge of the task's downstream list. */
  downHead(slot: number): number {
    return this.#int(slot, DOWN_HEAD);
  }

  /** The slot an edge points at. */
  edgeSlot(edge: number): number {
    return (this.#edges[edge >>> EDGE_CHUNK_SHIFT] as Int32Array)[
      (edge & EDGE_CHUNK_MASK) * EDGE_INTS + EDGE_SLOT
    ] as number;
  }

  /** The uid of the task an edge points at. */
  edgeUid(edge: number): number {
    return (this.#edgeUids[edge >>> EDGE_CHUNK_SHIFT] as Float64Array)[
      (edge & EDGE_CHUNK_MASK) * EDGE_FLOATS
    ] as number;
  }

  /** The next edge of the same list, or {@link NONE}. */
  edgeNext(edge: number): number {
    return (this.#edges[edge >>> EDGE_CHUNK_SHIFT] as Int32Array)[
      (edge & EDGE_CHUNK_MASK) * EDGE_INTS + EDGE_NEXT
    ] as number;
  }

  /** Whether `from`'s most recent downstream link is to `to` (a repeated upstream id). */
  lastDownstreamIs(from: number, to: number, toUid: number): boolean {
    const last = this.#int(from, DOWN_TAIL);
    return last !== NONE && this.edgeSlot(last) === to && this.edgeUid(last) === toUid;
  }

  /** Appends an edge to `to` (slot and uid) at the end of `from`'s downstream list. */
  appendDownstream(from: number, to: number, toUid: number): void {
    let edge = this.#freeEdge;
    if (edge !== NONE) {
      this.#freeEdge = this.edgeNext(edge);
      this.#freeEdges--;
    } else {
      if (this.#edgesUsed === this.#edgeCapacity) this.#growEdges();
      edge = this.#edgesUsed++;
    }
    const edges = this.#edges[edge >>> EDGE_CHUNK_SHIFT] as Int32Array;
    const e = (edge & EDGE_CHUNK_MASK) * EDGE_INTS;
    edges[e + EDGE_SLOT] = to;
    edges[e + EDGE_NEXT] = NONE;
    (this.#edgeUids[edge >>> EDGE_CHUNK_SHIFT] as Float64Array)[(edge & EDGE_CHUNK_MASK) * EDGE_FLOATS] = toUid;
    const ints = this.#ints[from >>> CHUNK_SHIFT] as Int32Array;
    const fields = (from & CHUNK_MASK) * INTS;
    const tail = ints[fields + DOWN_TAIL] as number;
    if (tail === NONE) ints[fields + DOWN_HEAD] = edge;
    else this.#setEdgeNext(tail, edge);
    ints[fields + DOWN_TAIL] = edge;
    // Prefix, not `(… as number)++`: Stryker's instrumenter prints that without its parentheses.
    ++(ints[fields + DOWN_LENGTH] as number);
  }

  /**
   * Records `upstreamUid`, an earlier task, as one of the task's upstream
   * tasks (for the stop walk, contract S1). Up to four sit in the slot
   * itself, so a link costs no edge on this side; a task with more keeps
   * them in an array of its own.
   */
  addUpstream(slot: number, upstreamUid: number): void {
    const ints = this.#ints[slot >>> CHUNK_SHIFT] as Int32Array;
    const i = (slot & CHUNK_MASK) * INTS + UPSTREAM;
    if (ints[i] === OVERFLOW) {
      (this.#upstreamOverflow.get(slot) as number[]).push(upstreamUid);
      return;
    }
    const distance = this.uid(slot) - upstreamUid;
    if (distance <= MAX_DISTANCE) {
      for (let cell = i; cell < i + UPSTREAM_CELLS; cell++) {
        if (ints[cell] === 0) {
          ints[cell] = distance;
          return;
        }
      }
    }
    const uids = this.upstreamUids(slot);
    uids.push(upstreamUid);
    this.#upstreamOverflow.set(slot, uids);
    for (let cell = i; cell < i + UPSTREAM_CELLS; cell++) ints[cell] = 0;
    ints[i] = OVERFLOW;
  }

  /** One more pending upstream task. */
  upstreamAdded(slot: number): void {
    ++((this.#ints[slot >>> CHUNK_SHIFT] as Int32Array)[(slot & CHUNK_MASK) * INTS + PENDING_UPSTREAM] as number);
  }

  /**
   * Drops what a finished task carries (its work, arguments, group and
   * links) but keeps its slot, uid and state: a stopped task whose work is
   * still running keeps its slot until that work ends.
   */
  release(slot: number): void {
    const chunk = slot >>> CHUNK_SHIFT;
    const refs = this.#refs[chunk] as unknown[];
    const r = (slot & CHUNK_MASK) * REFS;
    refs[r + WORK] = undefined;
    refs[r + ARGS] = undefined;
    refs[r + KWARGS] = undefined;
    refs[r + GROUP] = undefined;
    const ints = this.#ints[chunk] as Int32Array;
    const i = (slot & CHUNK_MASK) * INTS;
    ints[i + GROUP_PREV] = NONE;
    ints[i + GROUP_NEXT] = NONE;
    this.#freeDownstream(ints, i);
    // The upstream cells are cleared when the slot is next allocated; only an array apart must go now.
    if (ints[i + UPSTREAM] === OVERFLOW) {
      this.#upstreamOverflow.delete(slot);
      ints[i + UPSTREAM] = 0;
    }
  }

  /**
   * Releases the slot for reuse; when the store empties after growing
   * large, it drops its chunks (the next add starts it again from its
   * initial size). It allocates nothing, so it cannot fail.
   */
  free(slot: number): void {
    this.release(slot);
    this.#setRef(slot, CONTEXT, undefined);
    this.#setFloat(slot, UID, -1);
    this.#setInt(slot, READY_INDEX, NONE);
    this.#setInt(slot, PENDING_UPSTREAM, this.#freeSlot);
    this.#freeSlot = slot;
    if (--this.live === 0 && this.#capacity > SHRINK_ABOVE) this.#reset();
  }

  #int(slot: number, field: number): number {
    return (this.#ints[slot >>> CHUNK_SHIFT] as Int32Array)[(slot & CHUNK_MASK) * INTS + field] as number;
  }

  #setInt(slot: number, field: number, value: number): void {
    (this.#ints[slot >>> CHUNK_SHIFT] as Int32Array)[(slot & CHUNK_MASK) * INTS + field] = value;
  }

  #float(slot: number, field: number): number {
    return (this.#floats[slot >>> CHUNK_SHIFT] as Float64Array)[(slot & CHUNK_MASK) * FLOATS + field] as number;
  }

  #setFloat(slot: number, field: number, value: number): void {
    (this.#floats[slot >>> CHUNK_SHIFT] as Float64Array)[(slot & CHUNK_MASK) * FLOATS + field] = value;
  }

  #ref(slot: number, field: number): unknown {
    return (this.#refs[slot >>> CHUNK_SHIFT] as unknown[])[(slot & CHUNK_MASK) * REFS + field];
  }

  #setRef(slot: number, field: number, value: unknown): void {
    (this.#refs[slot >>> CHUNK_SHIFT] as unknown[])[(slot & CHUNK_MASK) * REFS + field] = value;
  }

  #setEdgeNext(edge: number, next: number): void {
    (this.#edges[edge >>> EDGE_CHUNK_SHIFT] as Int32Array)[(edge & EDGE_CHUNK_MASK) * EDGE_INTS + EDGE_NEXT] = next;
  }

  /** Returns the downstream list of the slot whose fields start at `ints[fields]`, whole, to the free edges: O(1). */
  #freeDownstream(ints: Int32Array, fields: number): void {
    const head = ints[fields + DOWN_HEAD] as number;
    if (head === NONE) return;
    this.#setEdgeNext(ints[fields + DOWN_TAIL] as number, this.#freeEdge);
    this.#freeEdge = head;
    this.#freeEdges += ints[fields + DOWN_LENGTH] as number;
    ints[fields + DOWN_HEAD] = NONE;
    ints[fields + DOWN_TAIL] = NONE;
    ints[fields + DOWN_LENGTH] = 0;
  }

  #reset(): void {
    this.#capacity = 0;
    this.#used = 0;
    this.#ints = [];
    this.#floats = [];
    this.#refs = [];
    this.#freeSlot = NONE;
    this.#edgeCapacity = 0;
    this.#edgesUsed = 0;
    this.#edges = [];
    this.#edgeUids = [];
    this.#freeEdge = NONE;
    this.#freeEdges = 0;
    this.#upstreamOverflow.clear();
  }

  /** Doubles the first chunk up to its full size, then adds a chunk. */
  #growSlots(): void {
    const capacity =
      this.#capacity < CHUNK_SLOTS ? Math.max(INITIAL_SLOTS, this.#capacity * 2) : this.#capacity + CHUNK_SLOTS;
    const chunk = this.#capacity < CHUNK_SLOTS ? 0 : this.#capacity >>> CHUNK_SHIFT;
    // The chunk's slots before and after: the first chunk keeps those it had, a new one starts empty.
    const first = this.#capacity - chunk * CHUNK_SLOTS;
    const size = capacity - chunk * CHUNK_SLOTS;
    // The buffer first: it is the one allocation that can fail, and nothing has changed yet.
    const buffer = grown(this.#ints[chunk], size * SLOT_BYTES);
    const floats = new Float64Array(buffer);
    for (let slot = first; slot < size; slot++) floats[slot * FLOATS + UID] = -1;
    this.#ints[chunk] = new Int32Array(buffer);
    this.#floats[chunk] = floats;
    const refs = this.#refs[chunk];
    if (refs === undefined) this.#refs[chunk] = new Array<unknown>(size * REFS);
    else refs.length = size * REFS;
    this.#capacity = capacity;
  }

  /** Doubles the first chunk of edges up to its full size, then adds a chunk. New edges are handed out in order; only given-back ones are chained. */
  #growEdges(): void {
    const capacity =
      this.#edgeCapacity < EDGE_CHUNK
        ? Math.max(INITIAL_EDGES, this.#edgeCapacity * 2)
        : this.#edgeCapacity + EDGE_CHUNK;
    const chunk = this.#edgeCapacity < EDGE_CHUNK ? 0 : this.#edgeCapacity >>> EDGE_CHUNK_SHIFT;
    const buffer = grown(this.#edges[chunk], (capacity - chunk * EDGE_CHUNK) * EDGE_BYTES);
    this.#edges[chunk] = new Int32Array(buffer);
    this.#edgeUids[chunk] = new Float64Array(buffer);
    this.#edgeCapacity = capacity;
  }
}

/** A zeroed buffer of `bytes` bytes that starts with a copy of `view`'s bytes, if there is a view. */
function grown(view: Int32Array | undefined, bytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  if (view !== undefined) new Uint8Array(buffer).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return buffer;
}
