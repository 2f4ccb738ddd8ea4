/**
 * Pending tasks by uid. Uids are dense and increasing, so the table is a map
 * of small pages of consecutive uids, each freed as soon as it empties:
 * lookups touch one small array instead of a large hash table. Memory stays
 * bounded by the pending tasks: at worst one page (64 slots, about 0.5 KB)
 * per pending task, when each page keeps a single survivor.
 */
const PAGE_SIZE = 64;
const SLOT_MASK = PAGE_SIZE - 1;

interface Page<T> {
  readonly slots: Array<T | undefined>;
  live: number;
}

export class TaskTable<T> {
  readonly #pages = new Map<number, Page<T>>();
  #size = 0;
  // The page of the last access: most accesses are to the newest uids.
  #lastKey = -1;
  #lastPage: Page<T> | undefined;

  get size(): number {
    return this.#size;
  }

  get(uid: number): T | undefined {
    if (!Number.isSafeInteger(uid) || uid < 0) return undefined;
    return this.#page(Math.floor(uid / PAGE_SIZE))?.slots[uid & SLOT_MASK];
  }

  /** Adds a task under a uid not in the table. */
  set(uid: number, value: T): void {
    const key = Math.floor(uid / PAGE_SIZE);
    let page = this.#page(key);
    if (page === undefined) {
      page = { slots: new Array<T | undefined>(PAGE_SIZE).fill(undefined), live: 0 };
      this.#pages.set(key, page);
      this.#lastKey = key;
      this.#lastPage = page;
    }
    page.slots[uid & SLOT_MASK] = value;
    page.live++;
    this.#size++;
  }

  delete(uid: number): boolean {
    const key = Math.floor(uid / PAGE_SIZE);
    const page = this.#page(key);
    if (page?.slots[uid & SLOT_MASK] === undefined) return false;
    page.slots[uid & SLOT_MASK] = undefined;
    this.#size--;
    if (--page.live === 0) {
      this.#pages.delete(key);
      if (this.#lastKey === key) this.#lastPage = undefined;
    }
    return true;
  }

  /** Every task, in uid order. */
  values(): T[] {
    const values: T[] = [];
    for (const page of this.#pages.values()) for (const value of page.slots) if (value !== undefined) values.push(value);
    return values;
  }

  clear(): void {
    this.#pages.clear();
    this.#size = 0;
    this.#lastKey = -1;
    this.#lastPage = undefined;
  }

  #page(key: number): Page<T> | undefined {
    if (key === this.#lastKey && this.#lastPage !== undefined) return this.#lastPage;
    const page = this.#pages.get(key);
    if (page !== undefined) {
      this.#lastKey = key;
      this.#lastPage = page;
    }
    return page;
  }
}
