import { MAX_TIMER_MS, type Clock } from '../core/clock.js';

/** How a task is retried, with every field given (see `RetryOptions` for the defaults). */
export interface RetryPolicy {
  /** Attempts in all, the first run included: 1 retries nothing. */
  readonly attempts: number;
  readonly delayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
}

/** The delay before the attempt after the `attempt`-th failed: `delayMs * factor^(attempt-1)`, capped. */
function retryDelay(policy: RetryPolicy, attempt: number): number {
  // A zero delay stays zero once the power overflows to Infinity: 0 * Infinity is NaN, which no timer takes.
  if (policy.delayMs === 0) return 0;
  return Math.min(policy.delayMs * policy.factor ** (attempt - 1), policy.maxDelayMs, MAX_TIMER_MS);
}

/**
 * The retry policies of tasks, the attempts they have failed, and the
 * timers of the tasks waiting for their next attempt. Only tasks whose
 * policy differs from the manager's default cost an entry before they fail,
 * and only retried tasks count their attempts.
 */
export class TaskRetries {
  readonly #clock: Clock;
  readonly #default: RetryPolicy | undefined;
  /** Policies that differ from the default, by uid, for pending tasks. */
  readonly #policies = new Map<number, RetryPolicy>();
  /** Attempts failed so far, by uid, for tasks retried at least once. */
  readonly #failed = new Map<number, number>();
  /** The timers of tasks waiting for their next attempt, by uid. */
  readonly #timers = new Map<number, unknown>();

  constructor(clock: Clock, policy: RetryPolicy | undefined) {
    this.#clock = clock;
    this.#default = policy;
  }

  /** Gives the task `uid` its own policy. */
  policy(uid: number, policy: RetryPolicy): void {
    this.#policies.set(uid, policy);
  }

  /**
   * An attempt of the task `uid` failed: returns its number (1 for the
   * first run) if the task has attempts left, and counts it; otherwise 0.
   */
  failed(uid: number): number {
    const policy = this.#policies.get(uid) ?? this.#default;
    const attempt = (this.#failed.get(uid) ?? 0) + 1;
    if (policy === undefined || attempt >= policy.attempts) return 0;
    this.#failed.set(uid, attempt);
    return attempt;
  }

  /** Calls `requeue` once the delay after the `attempt`-th failure of task `uid` is over. */
  wait(uid: number, attempt: number, requeue: () => void): void {
    const policy = (this.#policies.get(uid) ?? this.#default) as RetryPolicy;
    this.#timers.set(
      uid,
      this.#clock.setTimeout(
        () => {
          this.#timers.delete(uid);
          requeue();
        },
        retryDelay(policy, attempt),
      ),
    );
  }

  /** The task `uid` finished: its timer, if any, is cleared and everything about it forgotten. */
  forget(uid: number): void {
    this.#policies.delete(uid);
    this.#failed.delete(uid);
    if (!this.#timers.has(uid)) return;
    this.#clock.clearTimeout(this.#timers.get(uid));
    this.#timers.delete(uid);
  }
}
