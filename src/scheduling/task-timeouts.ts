import type { Clock } from '../core/clock.js';

/**
 * The running-time limits of tasks (`timeoutMs`, `taskTimeoutMs`) and the
 * timers of the running tasks that have one. A limit counts running time
 * only: its timer is armed when the task starts and cleared when it
 * finishes, however it finishes. Only tasks whose limit differs from the
 * manager's default cost an entry before they start, and only running
 * tasks with a limit hold a timer.
 */
export class TaskTimeouts {
  readonly #clock: Clock;
  /** The manager's `taskTimeoutMs`; `Infinity` for none. */
  readonly #defaultMs: number;
  /** Limits that differ from the default, by uid, for pending tasks. */
  readonly #limits = new Map<number, number>();
  /** The timers of running tasks, by uid. */
  readonly #timers = new Map<number, unknown>();

  constructor(clock: Clock, defaultMs: number) {
    this.#clock = clock;
    this.#defaultMs = defaultMs;
  }

  /** Gives the task `uid` its own limit (`Infinity`: none, whatever the default). */
  limit(uid: number, ms: number): void {
    if (ms !== this.#defaultMs) this.#limits.set(uid, ms);
  }

  /**
   * The task `uid` started: arms its timer, if it has a limit, to call
   * `expired` with that limit. Returns whether it did.
   */
  arm(uid: number, expired: (ms: number) => void): boolean {
    const ms = this.#limits.get(uid) ?? this.#defaultMs;
    if (ms === Infinity) return false;
    this.#timers.set(
      uid,
      this.#clock.setTimeout(() => {
        this.#timers.delete(uid);
        expired(ms);
      }, ms),
    );
    return true;
  }

  /** The task `uid` finished: its timer, if armed, is cleared and its limit forgotten. */
  forget(uid: number): void {
    this.#limits.delete(uid);
    this.disarm(uid);
  }

  /** A run of the task `uid` ended and the task runs again later: its timer, if armed, is cleared. */
  disarm(uid: number): void {
    if (!this.#timers.has(uid)) return;
    this.#clock.clearTimeout(this.#timers.get(uid));
    this.#timers.delete(uid);
  }
}
