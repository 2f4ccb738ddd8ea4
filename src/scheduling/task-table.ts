/**
 * Pending tasks by uid. Uids are dense and increasing, so the table is a map
 * of small pages of consecutive uids, each freed as soon as it empties:
 * lookups touch one small array instead of a large hash table. Memory stays
 * bounded by the pending tasks: at worst one page (64 slots, about 0.5 KB)
 * per pending task, when each page keeps a single survivor.
 *
 * Deletion is lazy: it counts the uid out of its page but leaves the entry,
 * so finishing a task never touches the page's array (at a million tasks
 * that write was the costliest cache miss of a finish). `get` and `entries`
 * may therefore return the value of a uid deleted from a page still in use:
 * the caller checks that the value still stands for that uid.
 */
const PAGE_SIZE = 64;
const SLOT_MASK = PAGE_SIZE - 1;
/**
 * Pages in the direct-mapped cache in front of the map, by the low bits of
 * their key (a mask, not `%`: a key computed from a uid is a double to V8,
 * and `%` on it a floating-point remainder):
 * the last 16k uids are found without hashing, whatever the order they are
 * looked up in (tasks that finish out of uid order, dependencies spread over
 * the previous thousand tasks).
 */
const CACHED = 256;
const CACHE_MASK = CACHED - 1;

interface Page<T> {
  readonly slots: Array<T | undefined>;
  live: number;
}

/** Pending tasks by uid, in pages of consecutive uids (see above). */
export class TaskTable<T> {
  readonly #pages = new Map<number, Page<T>>();
  #size = 0;
  readonly #cache: Array<Page<T> | undefined> = new Array<Page<T> | undefined>(CACHED).fill(undefined);
  /** The key of each cached page, -1 for none: a lookup that misses never touches the (cold) page held. */
  readonly #cacheKeys = new Array<number>(CACHED).fill(-1);

  get size(): number {
    return this.#size;
  }

  /** The value set for `uid`, or `undefined`; possibly a deleted uid's value (see above). */
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
      this.#cache[key & CACHE_MASK] = page;
      this.#cacheKeys[key & CACHE_MASK] = key;
    }
    page.slots[uid & SLOT_MASK] = value;
    page.live++;
    this.#size++;
  }

  /** Counts out a uid that is in the table; each uid must be deleted at most once. */
  delete(uid: number): void {
    const key = Math.floor(uid / PAGE_SIZE);
    const page = this.#page(key) as Page<T>;
    this.#size--;
    if (--page.live === 0) {
      this.#pages.delete(key);
      const index = key & CACHE_MASK;
      if (this.#cacheKeys[index] === key) {
        this.#cache[index] = undefined;
        this.#cacheKeys[index] = -1;
      }
    }
  }

  /** Every entry of the pages in use, in uid order, deleted ones among them (see above). */
  entries(): { uids: number[]; values: T[] } {
    const uids: number[] = [];
    const values: T[] = [];
    for (const [key, page] of this.#pages) {
      for (const [index, value] of page.slots.entries()) {
        if (value === undefined) continue;
        uids.push(key * PAGE_SIZE + index);
        values.push(value);
      }
    }
    return { uids, values };
  }

  /** Forgets every entry. */
  clear(): void {
    this.#pages.clear();
    this.#size = 0;
    this.#cache.fill(undefined);
    this.#cacheKeys.fill(-1);
  }

  #page(key: number): Page<T> | undefined {
    const index = key & CACHE_MASK;
    if (this.#cacheKeys[index] === key) return this.#cache[index];
    const page = this.#pages.get(key);
    if (page !== undefined) {
      this.#cache[index] = page;
      this.#cacheKeys[index] = key;
    }
    return page;
  }
}
