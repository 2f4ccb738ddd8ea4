import { BackgroundTaskManager } from '../src/index.js';

/** A trivial asynchronous task, the same for every queue measured. */
export const trivialTask = (): Promise<void> => Promise.resolve();

export const PRIORITIES = 5;
export const GROUPS = 10;

/**
 * Adds `count` trivial main-thread tasks with mixed priorities and groups to
 * a paused manager, starts it and resolves when the last one has finished.
 */
export function runPlain(count: number, maxThreads = 8): Promise<void> {
  const manager = new BackgroundTaskManager({ maxThreads, finishedTaskHistory: 0 });
  const finished = new Promise<void>((resolve, reject) => {
    let left = count;
    manager.on('taskCompleted', () => {
      if (--left === 0) resolve();
    });
    manager.on('taskFailed', (_uid, _group, message) => reject(new Error(message)));
  });
  for (let i = 0; i < count; i++) {
    manager.addTask(trivialTask, { priority: i % PRIORITIES, group: i % GROUPS });
  }
  manager.startProcessing();
  return finished.then(() => manager.shutDown());
}

/** Microseconds per task of `run(count)`, best of `repeats` runs. */
export async function microsPerTask(run: (count: number) => Promise<void>, count: number, repeats: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await run(count);
    const micros = Number(process.hrtime.bigint() - start) / 1000 / count;
    best = Math.min(best, micros);
  }
  return best;
}
