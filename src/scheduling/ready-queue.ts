import { IndexedHeap, type HeapItem } from './indexed-heap.js';
import { NONE, type TaskStore } from './task-store.js';

/**
 * `store.readyIndex(slot)` of a slot waiting in a bucket's FIFO; >= 0: its
 * index in the bucket's `late` heap; -1: not queued.
 */
const IN_FIFO = -2;
/** Dead FIFO entries tolerated before a bucket is compacted (and only when they outnumber the live ones). */
const COMPACT_AFTER = 1024;
/** A drained heap array longer than this is replaced, not reused: it would keep its peak capacity. */
const REUSE_UP_TO = 1024;
/** Integer priorities from -SMALL_OFFSET to SMALL_OFFSET - 1 find their bucket by index. */
const SMALL_OFFSET = 64;
/** Empty buckets kept for reuse (beyond one per live bucket) before they are swept. */
const SPARE_BUCKETS = 64;

/**
 * Slots ordered by uid, lowest first; each slot's index is kept in
 * `store.readyIndex`, so any slot can be removed in O(log n). Each entry's
 * uid sits next to its slot in the heap's own array: sifting compares uids
 * without reading the tasks' slots, which lie scattered over the store.
 */
class LateHeap {
  readonly #store: TaskStore;
  #slots = new Int32Array(16);
  #uids = new Float64Array(16);
  size = 0;

  constructor(store: TaskStore) {
    this.#store = store;
  }

  /** The lowest uid queued; the heap must not be empty. */
  peekUid(): number {
    return this.#uids[0] as number;
  }

  push(slot: number): void {
    if (this.size === this.#slots.length) {
      const slots = new Int32Array(this.size * 2);
      slots.set(this.#slots);
      this.#slots = slots;
      const uids = new Float64Array(this.size * 2);
      uids.set(this.#uids);
      this.#uids = uids;
    }
    this.#siftUp(this.size++, slot, this.#store.uid(slot));
  }

  pop(): number {
    const top = this.#slots[0] as number;
    this.#removeAt(0);
    return top;
  }

  remove(slot: number): boolean {
    const index = this.#store.readyIndex(slot);
    if (index < 0 || index >= this.size || this.#slots[index] !== slot) return false;
    this.#removeAt(index);
    return true;
  }

  clear(): void {
    const store = this.#store;
    for (let i = 0; i < this.size; i++) store.setReadyIndex(this.#slots[i] as number, NONE);
    this.size = 0;
    if (this.#slots.length > REUSE_UP_TO) {
      this.#slots = new Int32Array(16);
      this.#uids = new Float64Array(16);
    }
  }

  #removeAt(index: number): void {
    this.#store.setReadyIndex(this.#slots[index] as number, NONE);
    const last = this.#slots[--this.size] as number;
    const lastUid = this.#uids[this.size] as number;
    if (index === this.size) return;
    if (index > 0 && lastUid < (this.#uids[(index - 1) >> 1] as number)) {
      this.#siftUp(index, last, lastUid);
    } else {
      this.#siftDown(index, last, lastUid);
    }
  }

  #siftUp(index: number, slot: number, uid: number): void {
    const store = this.#store;
    const slots = this.#slots;
    const uids = this.#uids;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parentUid = uids[parentIndex] as number;
      if (parentUid <= uid) break;
      const parent = slots[parentIndex] as number;
      slots[index] = parent;
      uids[index] = parentUid;
      store.setReadyIndex(parent, index);
      index = parentIndex;
    }
    slots[index] = slot;
    uids[index] = uid;
    store.setReadyIndex(slot, index);
  }

  #siftDown(index: number, slot: number, uid: number): void {
    const store = this.#store;
    const slots = this.#slots;
    const uids = this.#uids;
    const size = this.size;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      if (child + 1 < size && (uids[child + 1] as number) < (uids[child] as number)) child++;
      const childUid = uids[child] as number;
      if (childUid >= uid) break;
      const childSlot = slots[child] as number;
      slots[index] = childSlot;
      uids[index] = childUid;
      store.setReadyIndex(childSlot, index);
      index = child;
    }
    slots[index] = slot;
    uids[index] = uid;
    store.setReadyIndex(slot, index);
  }
}

/** Entries in a FIFO's first chunk; each further chunk is four times larger, up to {@link MAX_CHUNK}. */
const FIRST_CHUNK = 16;
const MAX_CHUNK = 1024;
/**
 * A drained FIFO keeps a head chunk up to this size; a larger one gives way
 * to a first-size chunk, so an idle queue holds little.
 */
const KEEP_CHUNK = 64;

/**
 * A run of FIFO entries of fixed capacity: arrays of numbers, allocated full
 * and never resized (typed arrays measured slower here: every chunk was an
 * off-heap buffer for the collector to track, and adding 1M tasks took about
 * 5 % longer).
 */
interface Chunk {
  readonly slots: number[];
  readonly uids: number[];
  /** Entries written. */
  length: number;
  next: Chunk | undefined;
}

const newChunk = (capacity: number): Chunk => ({
  slots: new Array<number>(capacity).fill(0),
  uids: new Array<number>(capacity).fill(0),
  length: 0,
  next: undefined,
});

/**
 * A FIFO of (slot, uid) entries in chunks of fixed capacity: a push never
 * copies what is already queued (a single array would, each time it grows,
 * which was 11 % of a run of a million tasks), drained chunks are released
 * as the head passes them, and a FIFO that drains keeps its head chunk (if
 * small) and only resets two indexes. Truncating an array instead
 * (`length = 0`) freed its backing store, to be grown again by the next
 * pushes: 3-10 % of a run with dependencies, whose small ready sets drain
 * all the time.
 */
class SlotFifo {
  #head = newChunk(FIRST_CHUNK);
  #headIndex = 0;
  #tail = this.#head;

  get empty(): boolean {
    return this.#headIndex === this.#head.length && this.#head.next === undefined;
  }

  /** The uid of the last entry pushed (live or not); the FIFO must not be empty. */
  get lastUid(): number {
    return this.#tail.uids[this.#tail.length - 1] as number;
  }

  push(slot: number, uid: number): void {
    let tail = this.#tail;
    if (tail.length === tail.slots.length) {
      tail = newChunk(Math.min(MAX_CHUNK, 4 * tail.slots.length));
      this.#tail.next = tail;
      this.#tail = tail;
    }
    tail.slots[tail.length] = slot;
    tail.uids[tail.length++] = uid;
  }

  /** The first entry's slot and uid; the FIFO must not be empty. */
  firstSlot(): number {
    return this.#head.slots[this.#headIndex] as number;
  }

  firstUid(): number {
    return this.#head.uids[this.#headIndex] as number;
  }

  shift(): void {
    if (++this.#headIndex === this.#head.length) {
      const next = this.#head.next;
      if (next !== undefined) {
        this.#head = next;
        this.#headIndex = 0;
      } else {
        this.clear();
      }
    }
  }

  /** Calls `visit` on every entry, oldest first. */
  forEach(visit: (slot: number, uid: number) => void): void {
    let index = this.#headIndex;
    for (let chunk: Chunk | undefined = this.#head; chunk !== undefined; chunk = chunk.next, index = 0) {
      for (; index < chunk.length; index++) visit(chunk.slots[index] as number, chunk.uids[index] as number);
    }
  }

  /** Empties the FIFO, keeping its head chunk for reuse unless it is large. */
  clear(): void {
    let head = this.#head;
    if (head.slots.length > KEEP_CHUNK) {
      head = newChunk(FIRST_CHUNK);
      this.#head = head;
    } else {
      head.length = 0;
      head.next = undefined;
    }
    this.#headIndex = 0;
    this.#tail = head;
  }
}

/**
 * The slots of one priority: a FIFO in uid order, plus a heap for the few
 * that arrive out of order. FIFO entries carry their uid, so an entry left
 * behind by a lazy removal is recognised even after its slot is reused.
 */
class Bucket implements HeapItem {
  readonly priority: number;
  heapIndex = -1;
  readonly #store: TaskStore;
  #fifo = new SlotFifo();
  /** Slots pushed with a uid below the FIFO's last one (unblocked late): kept in uid order apart. */
  #late: LateHeap | undefined;
  live = 0;
  /** Removed entries still in the FIFO (removal is lazy). */
  #dead = 0;

  constructor(store: TaskStore, priority: number) {
    this.#store = store;
    this.priority = priority;
  }

  push(slot: number): void {
    const store = this.#store;
    const uid = store.uid(slot);
    if (this.#fifo.empty || this.#fifo.lastUid < uid) {
      this.#fifo.push(slot, uid);
      store.setReadyIndex(slot, IN_FIFO);
    } else {
      (this.#late ??= new LateHeap(store)).push(slot);
    }
    this.live++;
  }

  /** The lowest-uid slot, removed; the bucket must not be empty. */
  shift(): number {
    this.#skipDead();
    const store = this.#store;
    const late = this.#late === undefined || this.#late.size === 0 ? undefined : this.#late;
    this.live--;
    if (!this.#fifo.empty && (late === undefined || this.#fifo.firstUid() < late.peekUid())) {
      const first = this.#fifo.firstSlot();
      this.#fifo.shift();
      store.setReadyIndex(first, NONE);
      return first;
    }
    return (this.#late as LateHeap).pop();
  }

  remove(slot: number): boolean {
    const store = this.#store;
    if (store.readyIndex(slot) === IN_FIFO) {
      store.setReadyIndex(slot, NONE);
      this.#dead++;
      if (this.#dead > COMPACT_AFTER && this.#dead > this.live) this.#compact();
    } else if (this.#late?.remove(slot) !== true) {
      return false;
    }
    this.live--;
    return true;
  }

  clear(): void {
    const store = this.#store;
    this.#fifo.forEach((slot, uid) => {
      if (this.#isLive(slot, uid)) store.setReadyIndex(slot, NONE);
    });
    this.#late?.clear();
    this.#fifo.clear();
    this.#dead = 0;
    this.live = 0;
  }

  /**
   * An entry is live while its slot still holds its task, waiting in a FIFO,
   * at this bucket's priority: a task moved to another priority by
   * `setPriority` may wait in that bucket's FIFO, leaving a dead entry here.
   */
  #isLive(slot: number, uid: number): boolean {
    const store = this.#store;
    return store.readyIndex(slot) === IN_FIFO && store.uid(slot) === uid && store.priority(slot) === this.priority;
  }

  #skipDead(): void {
    while (!this.#fifo.empty && !this.#isLive(this.#fifo.firstSlot(), this.#fifo.firstUid())) {
      this.#fifo.shift();
      this.#dead--;
    }
  }

  #compact(): void {
    const fifo = new SlotFifo();
    this.#fifo.forEach((slot, uid) => {
      if (this.#isLive(slot, uid)) fifo.push(slot, uid);
    });
    this.#fifo = fifo;
    this.#dead = 0;
  }
}

/**
 * The startable tasks (by slot) in dispatch order: higher priority first,
 * equal priorities by lower uid (the order added). One bucket per distinct
 * priority: push and pop are O(1) in the usual case (tasks arrive in uid
 * order), O(log n) for a task unblocked out of order, plus O(log k) for the
 * k distinct priorities; removal is O(1) (lazy) or O(log n). Unlike one
 * binary heap over every task, the usual case walks memory in order, which
 * keeps a queue of a million tasks about as fast per task as one of a
 * thousand.
 */
export class ReadyQueue {
  readonly #store: TaskStore;
  /** Every bucket, empty ones included: a queue that empties and refills often would otherwise rebuild them each time. */
  readonly #buckets = new Map<number, Bucket>();
  /** The same buckets for small integer priorities, by `priority + SMALL_OFFSET`: no hashing on the usual path. */
  readonly #small: Array<Bucket | undefined> = new Array<Bucket | undefined>(2 * SMALL_OFFSET).fill(undefined);
  /** The non-empty buckets, highest priority on top. */
  readonly #priorities = new IndexedHeap<Bucket>((a, b) => a.priority > b.priority);
  #size = 0;

  constructor(store: TaskStore) {
    this.#store = store;
  }

  get size(): number {
    return this.#size;
  }

  /** Queues the task in `slot` behind the tasks of the same priority. */
  push(slot: number): void {
    const priority = this.#store.priority(slot);
    let bucket = this.#bucket(priority);
    if (bucket === undefined) {
      bucket = new Bucket(this.#store, priority);
      this.#buckets.set(priority, bucket);
      if (isSmall(priority)) this.#small[priority + SMALL_OFFSET] = bucket;
    }
    if (bucket.heapIndex === -1) this.#priorities.push(bucket);
    bucket.push(slot);
    this.#size++;
  }

  /** The next slot to start, removed; {@link NONE} when empty. */
  pop(): number {
    const bucket = this.#priorities.peek();
    if (bucket === undefined) return NONE;
    const slot = bucket.shift();
    this.#size--;
    if (bucket.live === 0) this.#retire(bucket);
    return slot;
  }

  /** Removes `slot` if it is queued; returns whether it was. */
  remove(slot: number): boolean {
    if (this.#store.readyIndex(slot) === NONE) return false;
    const bucket = this.#bucket(this.#store.priority(slot));
    if (bucket === undefined || !bucket.remove(slot)) return false;
    this.#size--;
    if (bucket.live === 0) this.#retire(bucket);
    return true;
  }

  /**
   * Gives the task in `slot` a new priority (in the store too) and, if it is
   * queued, its new place: behind the queued tasks of that priority added
   * before it, ahead of those added after. O(log n): a removal, then a push
   * (into the bucket's heap when tasks added after it are already there).
   */
  setPriority(slot: number, priority: number): void {
    const queued = this.remove(slot);
    this.#store.setPriority(slot, priority);
    if (queued) this.push(slot);
  }

  /** Empties the queue. */
  clear(): void {
    for (const bucket of this.#buckets.values()) bucket.clear();
    this.#buckets.clear();
    this.#small.fill(undefined);
    this.#priorities.clear();
    this.#size = 0;
  }

  /** An emptied bucket leaves the priority order but stays for reuse, until spare ones pile up. */
  #retire(bucket: Bucket): void {
    bucket.clear();
    this.#priorities.remove(bucket);
    if (this.#buckets.size > this.#priorities.size + SPARE_BUCKETS) {
      for (const [priority, spare] of this.#buckets) {
        if (spare.heapIndex !== -1) continue;
        this.#buckets.delete(priority);
        if (isSmall(priority)) this.#small[priority + SMALL_OFFSET] = undefined;
      }
    }
  }

  #bucket(priority: number): Bucket | undefined {
    return isSmall(priority) ? this.#small[priority + SMALL_OFFSET] : this.#buckets.get(priority);
  }
}

/** Whether `priority` is an integer in [-SMALL_OFFSET, SMALL_OFFSET) (-0 counts as 0, as in a `Map`). */
function isSmall(priority: number): boolean {
  return (priority | 0) === priority && priority >= -SMALL_OFFSET && priority < SMALL_OFFSET;
}
