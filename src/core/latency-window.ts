/** Percentiles in milliseconds over a bounded window of recent tasks; `null` before the first sample. */
export interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

const NO_SAMPLES: Percentiles = Object.freeze({ p50: null, p95: null, p99: null });

/**
 * The last `capacity` durations, in a ring: `add` is O(1) and allocates
 * nothing; the percentiles are computed on first read after a change (a
 * sort of at most `capacity` numbers) and kept until the next change.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #size = 0;
  #cached: Percentiles | undefined = NO_SAMPLES;

  constructor(capacity: number) {
    this.#samples = new Float64Array(capacity);
  }

  /** Records one duration, replacing the oldest when the window is full. */
  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = this.#next + 1 === this.#samples.length ? 0 : this.#next + 1;
    if (this.#size < this.#samples.length) this.#size++;
    this.#cached = undefined;
  }

  /** p50, p95 and p99 by nearest rank, rounded to a microsecond. */
  percentiles(): Percentiles {
    if (this.#cached !== undefined) return this.#cached;
    const sorted = this.#samples.slice(0, this.#size).sort();
    const rank = (p: number): number => {
      const value = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
      return Math.round(value * 1000) / 1000;
    };
    this.#cached = Object.freeze({ p50: rank(50), p95: rank(95), p99: rank(99) });
    return this.#cached;
  }
}

/** The clock of task times: milliseconds since the epoch, with sub-millisecond precision. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
