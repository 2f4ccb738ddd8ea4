import type { RemoteJob } from './remote-job.js';

/** The longest time between two looks, whatever `lostAfterMs` is. */
const MAX_INTERVAL_MS = 5000;

/**
 * Looks now and then for jobs whose outcome was lost. An outcome comes only
 * through the queue's event stream, which Redis caps (the latest 10,000
 * events): a process that did not read it while more were written (its
 * event loop blocked, say) never sees the entries trimmed meanwhile, and
 * the job itself is gone, removed once done. A job in flight that Redis no
 * longer holds at two looks in a row, and whose outcome has still not
 * come, has lost it. Each look costs one round trip per job in flight
 * (`maxThreads` at most), and there is none while no job is.
 */
export class OutcomeAudit {
  readonly #intervalMs: number;
  readonly #inFlight: () => Iterable<RemoteJob>;
  readonly #state: (id: string) => Promise<string>;
  readonly #lost: (job: RemoteJob) => void;
  /** Jobs Redis did not hold at the last look. */
  readonly #gone = new WeakSet<RemoteJob>();
  #timer: NodeJS.Timeout | undefined;
  #looking = false;

  constructor(
    lostAfterMs: number,
    inFlight: () => Iterable<RemoteJob>,
    state: (id: string) => Promise<string>,
    lost: (job: RemoteJob) => void,
  ) {
    this.#intervalMs = Math.min(lostAfterMs, MAX_INTERVAL_MS);
    this.#inFlight = inFlight;
    this.#state = state;
    this.#lost = lost;
  }

  /** Looks every interval from now on, until no job is in flight. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(this.#look, this.#intervalMs);
    this.#timer.unref();
  }

  /** Looks no more (until the next start). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  readonly #look = (): void => {
    if (this.#looking) return;
    const jobs = [...this.#inFlight()];
    if (jobs.length === 0) {
      this.stop();
      return;
    }
    this.#looking = true;
    void Promise.all(jobs.map((job) => this.#lookAt(job))).then(() => {
      this.#looking = false;
    });
  };

  async #lookAt(job: RemoteJob): Promise<void> {
    try {
      await job.added;
      const held = (await this.#state(job.id)) !== 'unknown';
      // Settled meanwhile, or the lost-connection timer has it.
      if (job.done || job.watched) return;
      if (held) this.#gone.delete(job);
      else if (this.#gone.has(job)) this.#lost(job);
      else this.#gone.add(job);
    } catch {
      // Not added, or Redis cannot be reached: the lost-connection timers deal with that.
    }
  }
}
