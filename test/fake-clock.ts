import type { Clock } from '../src/index.js';

interface Timer {
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A clock whose time moves only when the test calls `advance(ms)`. Timers
 * fire in the order they are due, those due at the same time in the order
 * they were set, synchronously inside `advance`; a timer set meanwhile
 * fires in the same call if it is due by the end.
 */
export class FakeClock implements Clock {
  now = 0;
  readonly #timers = new Map<number, Timer>();
  #nextId = 1;

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.now + ms, callback });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as number);
  }

  /** Moves time on by `ms`, firing every timer due by then. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (let next = this.#next(end); next !== undefined; next = this.#next(end)) {
      const [id, timer] = next;
      this.#timers.delete(id);
      this.now = timer.due;
      timer.callback();
    }
    this.now = end;
  }

  /** The earliest timer due by `end` (ids grow, so among equals the first set). */
  #next(end: number): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      if (entry[1].due <= end && (best === undefined || entry[1].due < best[1].due)) best = entry;
    }
    return best;
  }
}
