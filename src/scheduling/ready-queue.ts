import { IndexedHeap, type HeapItem } from './indexed-heap.js';

/** What the ready queue orders: higher priority first, then lower uid. */
export interface ReadyItem extends HeapItem {
  readonly uid: number;
  readonly priority: number;
}

/** `heapIndex` of an item waiting in a bucket's FIFO (>= 0: in its `late` heap; -1: not queued). */
const IN_FIFO = -2;
/** Dead FIFO entries tolerated before a bucket is compacted (and only when they outnumber the live ones). */
const COMPACT_AFTER = 1024;
/** A drained array longer than this is replaced, not reused: it would keep its peak capacity. */
const REUSE_UP_TO = 1024;
/** Empty buckets kept for reuse (beyond one per live bucket) before they are swept. */
const SPARE_BUCKETS = 64;

const lowerUid = (a: ReadyItem, b: ReadyItem): boolean => a.uid < b.uid;

/** The tasks of one priority: a FIFO in uid order, plus a heap for the few that arrive out of order. */
class Bucket<T extends ReadyItem> {
  readonly priority: number;
  fifo: Array<T | undefined> = [];
  head = 0;
  /** Tasks pushed with a uid below the FIFO's tail (unblocked late): kept in uid order apart. */
  late: IndexedHeap<T> | undefined;
  live = 0;
  /** Removed entries still in the FIFO (removal is lazy). */
  dead = 0;

  constructor(priority: number) {
    this.priority = priority;
  }

  push(item: T): void {
    const tail = this.fifo.length > this.head ? this.fifo[this.fifo.length - 1] : undefined;
    if (tail === undefined || tail.uid < item.uid) {
      this.fifo.push(item);
      item.heapIndex = IN_FIFO;
    } else {
      (this.late ??= new IndexedHeap<T>(lowerUid)).push(item);
    }
    this.live++;
  }

  /** The lowest-uid item, removed; the bucket must not be empty. */
  shift(): T {
    this.#skipDead();
    const first = this.fifo[this.head];
    const late = this.late?.peek();
    this.live--;
    if (first !== undefined && (late === undefined || first.uid < late.uid)) {
      this.fifo[this.head++] = undefined;
      first.heapIndex = -1;
      if (this.head === this.fifo.length) this.#reset();
      return first;
    }
    return (this.late as IndexedHeap<T>).pop() as T;
  }

  remove(item: T): boolean {
    if (item.heapIndex === IN_FIFO) {
      item.heapIndex = -1;
      this.dead++;
      if (this.dead > COMPACT_AFTER && this.dead > this.live) this.#compact();
    } else if (this.late?.remove(item) !== true) {
      return false;
    }
    this.live--;
    return true;
  }

  clear(): void {
    for (let i = this.head; i < this.fifo.length; i++) {
      const item = this.fifo[i];
      if (item !== undefined) item.heapIndex = -1;
    }
    this.late?.clear();
    this.#reset();
    this.live = 0;
  }

  #skipDead(): void {
    while (this.head < this.fifo.length && (this.fifo[this.head] as T).heapIndex !== IN_FIFO) {
      this.fifo[this.head++] = undefined;
      this.dead--;
    }
  }

  #compact(): void {
    this.fifo = this.fifo.slice(this.head).filter((item) => item !== undefined && item.heapIndex === IN_FIFO);
    this.head = 0;
    this.dead = 0;
  }

  /** Reuses a small drained array (no allocation per drain); replaces a large one, which would keep its peak capacity. */
  #reset(): void {
    if (this.fifo.length > REUSE_UP_TO) this.fifo = [];
    else this.fifo.length = 0;
    this.head = 0;
    this.dead = 0;
  }
}

/**
 * The startable tasks in dispatch order: higher priority first, equal
 * priorities by lower uid (the order added). One bucket per distinct
 * priority: push and pop are O(1) in the usual case (tasks arrive in uid
 * order), O(log n) for a task unblocked out of order, plus O(log k) for the
 * k distinct priorities; removal is O(1) (lazy) or O(log n). Unlike one
 * binary heap over every task, the usual case walks memory in order, which
 * keeps a queue of a million tasks about as fast per task as one of a
 * thousand.
 */
export class ReadyQueue<T extends ReadyItem> {
  /** Every bucket, empty ones included: a queue that empties and refills often would otherwise rebuild them each time. */
  readonly #buckets = new Map<number, Bucket<T> & HeapItem>();
  /** The non-empty buckets, highest priority on top. */
  readonly #priorities = new IndexedHeap<Bucket<T> & HeapItem>((a, b) => a.priority > b.priority);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    let bucket = this.#buckets.get(item.priority);
    if (bucket === undefined) {
      bucket = Object.assign(new Bucket<T>(item.priority), { heapIndex: -1 });
      this.#buckets.set(item.priority, bucket);
    }
    if (bucket.heapIndex === -1) this.#priorities.push(bucket);
    bucket.push(item);
    this.#size++;
  }

  pop(): T | undefined {
    const bucket = this.#priorities.peek();
    if (bucket === undefined) return undefined;
    const item = bucket.shift();
    this.#size--;
    if (bucket.live === 0) this.#retire(bucket);
    return item;
  }

  /** Removes `item` if it is queued; returns whether it was. */
  remove(item: T): boolean {
    if (item.heapIndex === -1) return false;
    const bucket = this.#buckets.get(item.priority);
    if (bucket === undefined || !bucket.remove(item)) return false;
    this.#size--;
    if (bucket.live === 0) this.#retire(bucket);
    return true;
  }

  clear(): void {
    for (const bucket of this.#buckets.values()) bucket.clear();
    this.#buckets.clear();
    this.#priorities.clear();
    this.#size = 0;
  }

  /** An emptied bucket leaves the priority order but stays for reuse, until spare ones pile up. */
  #retire(bucket: Bucket<T> & HeapItem): void {
    bucket.clear();
    this.#priorities.remove(bucket);
    if (this.#buckets.size > this.#priorities.size + SPARE_BUCKETS) {
      for (const [priority, spare] of this.#buckets) if (spare.heapIndex === -1) this.#buckets.delete(priority);
    }
  }
}
