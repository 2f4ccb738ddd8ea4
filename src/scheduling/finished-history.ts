/**
 * Remembers the final states of the last `capacity` finished tasks, so that
 * `getTaskState` can still answer for them; older ones are released. Insert
 * and lookup are O(1): a `Map` iterates in insertion order, so its first key
 * is always the oldest.
 */
export class FinishedHistory<V> {
  readonly #capacity: number;
  readonly #entries = new Map<number, V>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records the final state of `uid`, releasing the oldest entry when full. */
  remember(uid: number, value: V): void {
    if (this.#capacity === 0) return;
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next().value as number;
      this.#entries.delete(oldest);
    }
    this.#entries.set(uid, value);
  }

  /** The final state of `uid`, if it is among the last `capacity` finished. */
  get(uid: number): V | undefined {
    return this.#entries.get(uid);
  }
}
