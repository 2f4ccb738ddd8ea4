// Ctrl-C (SIGINT), or SIGTERM (a service manager, `docker stop`): the first stops every retriever
// (the manager shuts down gracefully and the run ends with a partial summary and index); a second
// one, while that is still under way, exits at once.
import { constants } from 'node:os';
import type { BackgroundTaskManager } from 'background-task-manager';
import type { GroupProgress, ProgressSnapshot } from './progress.js';

/** The signals that interrupt a run (and end the page's wait after it, `inspect.ts`). */
export const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Something that adds tasks to the manager: what the display shows and what Ctrl-C stops. */
export interface Retriever {
  progress(): Readonly<GroupProgress>;
}

/** The retrievers of a run, its Ctrl-C handler and its progress snapshots. */
export class Session {
  readonly #manager: BackgroundTaskManager;
  readonly #retrievers: { retriever: Retriever; stop: () => void }[] = [];
  #interrupted = false;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.#interrupted) process.exit(128 + constants.signals[signal]);
    this.#interrupted = true;
    for (const { stop } of this.#retrievers) stop();
  };

  constructor(manager: BackgroundTaskManager) {
    this.#manager = manager;
    for (const signal of SIGNALS) process.on(signal, this.#onSignal);
  }

  /** Whether Ctrl-C was pressed, or SIGTERM came. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** Shows `retriever` in the display from now on; Ctrl-C calls `stop`. */
  add<R extends Retriever>(retriever: R, stop: (retriever: R) => void): R {
    this.#retrievers.push({
      retriever,
      stop: () => {
        stop(retriever);
      },
    });
    if (this.#interrupted) stop(retriever);
    return retriever;
  }

  /** Shows `retriever` no more: its part of the run is over. */
  remove(retriever: Retriever): void {
    const index = this.#retrievers.findIndex((entry) => entry.retriever === retriever);
    if (index >= 0) this.#retrievers.splice(index, 1);
  }

  /** What the display shows now. */
  snapshot(): ProgressSnapshot {
    const { busyThreads, maxThreads } = this.#manager.stats();
    return { groups: this.#retrievers.map(({ retriever }) => retriever.progress()), busyThreads, maxThreads };
  }

  /** Removes the Ctrl-C and SIGTERM handler: call it once the manager has shut down. */
  close(): void {
    for (const signal of SIGNALS) process.off(signal, this.#onSignal);
  }
}
