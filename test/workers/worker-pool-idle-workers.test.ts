import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerTask } from '../../src/index.js';
import { failureOf, managersWith, resultOf } from '../helpers.js';

// One thread only: a worker that the pool loses track of leaves no second one to hide the loss.
const create = managersWith({
  startProcessing: true,
  maxThreads: 1,
  workerScript: new URL('../fixtures/edge-cases.worker.mjs', import.meta.url),
});

/** Resolves once the next worker thread started in this process has exited (and every exit handler has run). */
function nextWorkerExit(): Promise<number> {
  return new Promise((resolve) => {
    process.once('worker', (worker: Worker) => {
      worker.once('exit', resolve);
    });
  });
}

describe('the worker pool keeps its idle workers', () => {
  it('gives a worker back when the arguments sent to it cannot be cloned', async () => {
    const manager = create();
    const refused = manager.addTask(workerTask('add'), { taskArgs: [() => 1, 2] });
    expect(await failureOf(manager, refused)).toMatch(/^The arguments of worker task 'add' cannot be sent/);
    const next = manager.addTask(workerTask('add'), { taskArgs: [1, 2] });
    expect(await resultOf(manager, next)).toBe(3);
  });

  it('forgets a worker that dies while idle, and runs the next task on its replacement', async () => {
    const manager = create();
    const exited = nextWorkerExit();
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const first = manager.addTask(workerTask('answersThenExits'), { taskArgs: [shared, 7] });
    expect(await resultOf(manager, first)).toBe('answered');
    Atomics.store(shared, 0, 1);
    Atomics.notify(shared, 0);
    expect(await exited).toBe(7);
    const next = manager.addTask(workerTask('add'), { taskArgs: [2, 3] });
    expect(await resultOf(manager, next)).toBe(5);
  });
});
