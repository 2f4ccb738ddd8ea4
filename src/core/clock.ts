/**
 * Where the manager's timers come from: timeouts of running tasks. The
 * system clock by default; a test passes a clock of its own and moves time
 * itself, so nothing waits for real time.
 * @example
 * const manager = new BackgroundTaskManager({ clock: fakeClock, taskTimeoutMs: 1000 });
 */
export interface Clock {
  /** Calls `callback` once, `ms` milliseconds from now; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer that has not fired yet; a fired or cancelled one is ignored. */
  clearTimeout(timer: unknown): void;
}

/**
 * The longest delay a Node.js timer takes (about 24.8 days); a longer one
 * would fire at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Node.js's own `setTimeout` and `clearTimeout`. */
export const systemClock: Clock = Object.freeze({
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (timer: unknown): void => {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
});
