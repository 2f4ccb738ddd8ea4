import { WorkerDataCloneError } from '../../core/errors.js';
import { jsonTravelProblem } from './json-travel.js';

/** Where a remote task's progress goes: the job's progress, which the manager reads as a queue event. */
interface ProgressTarget {
  updateProgress(value: never): Promise<void>;
}

/**
 * Sends a remote task's progress values to its job in order, each checked
 * to travel as JSON first; {@link flushed} resolves once every value sent
 * so far has reached the queue, so the last one comes before the outcome.
 */
export class RemoteProgress {
  readonly #job: ProgressTarget;
  readonly #name: string;
  #last: Promise<void> = Promise.resolve();

  constructor(job: ProgressTarget, name: string) {
    this.#job = job;
    this.#name = name;
  }

  /** Checks `value`; returns it as it is (JSON values are sent as they are when held). */
  readonly check = (value: unknown): unknown => {
    const problem = jsonTravelProblem(value);
    if (problem !== undefined) {
      throw new WorkerDataCloneError(
        `The progress value of worker task '${this.#name}' cannot travel as JSON to the manager: ${problem}`,
        undefined,
      );
    }
    return structuredClone(value);
  };

  /** Sends `value` after the values sent before it. */
  readonly send = (value: unknown): void => {
    const checked = this.check(value);
    // A progress update lost with the connection is not the task's failure.
    this.#last = this.#last.then(() => this.#job.updateProgress(checked as never)).catch(() => undefined);
  };

  /** Resolves once every value sent so far has been written (or lost with the connection). */
  flushed(): Promise<void> {
    return this.#last;
  }
}
