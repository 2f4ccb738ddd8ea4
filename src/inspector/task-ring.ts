/**
 * The last `capacity` items, oldest first, in a ring: `push` is O(1) and
 * returns the item it pushed out, if any.
 */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends `item`; returns the oldest item when it had to make room for it. */
  push(item: T): T | undefined {
    const capacity = this.#items.length;
    if (capacity === 0) return item;
    if (this.#size < capacity) {
      this.#items[(this.#start + this.#size++) % capacity] = item;
      return undefined;
    }
    const oldest = this.#items[this.#start];
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % capacity;
    return oldest;
  }

  /** The `i`-th item from the newest (0 is the newest). */
  fromNewest(i: number): T | undefined {
    if (i < 0 || i >= this.#size) return undefined;
    return this.#items[(this.#start + this.#size - 1 - i) % this.#items.length];
  }

  /** The items, oldest first (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = this.#size - 1; i >= 0; i--) out.push(this.fromNewest(i) as T);
    return out;
  }
}
