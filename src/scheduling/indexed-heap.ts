/** An item that remembers its own position in an {@link IndexedHeap}; -1 when outside. */
export interface HeapItem {
  heapIndex: number;
}

/**
 * A binary heap whose items know their index, so `remove` of any item is
 * O(log n), like `push` and `pop`. `before(a, b)` is true when `a` must come
 * out before `b`; it must be a strict total order for the order to be stable.
 */
export class IndexedHeap<T extends HeapItem> {
  #items: T[] = [];
  /** The most items held since the array was last replaced. */
  #peak = 0;
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item`: O(log n). */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    if (this.#items.length > this.#peak) this.#peak = this.#items.length;
    this.#siftUp(item.heapIndex);
  }

  /** Removes and returns the first item: O(log n). */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` if it is in this heap; returns whether it was. */
  remove(item: T): boolean {
    const index = item.heapIndex;
    if (index < 0 || this.#items[index] !== item) return false;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    // A drained array keeps its peak capacity: replace a large one (a small one is reused as is).
    if (this.#items.length === 0 && this.#peak > 1024) {
      this.#items = [];
      this.#peak = 0;
    }
    if (last !== item) {
      this.#place(last, index);
      this.#siftDown(index);
      this.#siftUp(last.heapIndex);
    }
    return true;
  }

  /** Removes every item; O(n). */
  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items = [];
    this.#peak = 0;
  }

  #place(item: T, index: number): void {
    this.#items[index] = item;
    item.heapIndex = index;
  }

  #siftUp(index: number): void {
    const items = this.#items;
    const item = items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.#before(item, parent)) break;
      this.#place(parent, index);
      index = parentIndex;
    }
    this.#place(item, index);
  }

  #siftDown(index: number): void {
    const items = this.#items;
    const length = items.length;
    const item = items[index] as T;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.#before(items[right] as T, items[left] as T) ? right : left;
      if (!this.#before(items[child] as T, item)) break;
      this.#place(items[child] as T, index);
      index = child;
    }
    this.#place(item, index);
  }
}
