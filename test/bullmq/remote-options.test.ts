import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask, type WorkerExecutor } from '../../src/index.js';
import { BullMQExecutor, startRemoteWorker } from '../../src/bullmq.js';

const connection = { host: '127.0.0.1', port: 1 };
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('the executor option', () => {
  it('takes any object with a run(job) method, and then needs no workerScript for worker tasks', async () => {
    const names: string[] = [];
    const executor: WorkerExecutor = {
      run(job) {
        names.push(job.name);
        queueMicrotask(() => {
          job.settle(true, job.args);
        });
        return { cancel: () => undefined };
      },
    };
    const manager = new BackgroundTaskManager({ executor, startProcessing: true });
    expect(await manager.result(manager.addTask(workerTask('echo'), { taskArgs: [1, 'a'] }))).toEqual([1, 'a']);
    expect(names).toEqual(['echo']);
    expect(manager.threadCount).toBe(0);
    await manager.shutDown(); // no destroy(): nothing to wait for
  });

  it('refuses anything else, and the options of the local pool next to it', () => {
    const executor: WorkerExecutor = { run: () => ({ cancel: () => undefined }) };
    expect(() => new BackgroundTaskManager({ executor: {} as WorkerExecutor })).toThrow(
      'Expected `executor` to be an object with a `run(job)` method (e.g. a BullMQExecutor), got [object Object] (object)',
    );
    expect(() => new BackgroundTaskManager({ executor: { run: () => undefined, destroy: 1 } as never })).toThrow(
      TypeError,
    );
    expect(() => new BackgroundTaskManager({ executor, killAfterMs: 5 })).toThrow(
      '`killAfterMs` is an option of the local worker pool: it cannot be given with `executor`',
    );
    expect(() => new BackgroundTaskManager({ executor, workerScript: fixture('tasks.worker.mjs') })).toThrow(
      '`workerScript` is an option of the local worker pool',
    );
  });
});

describe('BullMQExecutor and startRemoteWorker options', () => {
  it('refuse bad options before connecting to anything', async () => {
    expect(() => new BullMQExecutor(undefined as never)).toThrow('Expected BullMQExecutor options');
    expect(() => new BullMQExecutor({ connection: 'redis://x' as never })).toThrow(
      'Expected `connection` to be Redis connection options or a Redis client',
    );
    expect(() => new BullMQExecutor({ connection, queueName: 'a:b' })).toThrow(
      'Expected `queueName` to be a non-empty string without \':\', got "a:b" (string)',
    );
    expect(() => new BullMQExecutor({ connection, killAfterMs: -1 })).toThrow(
      'Expected `killAfterMs` to be an integer from 0 to 2147483647 or Infinity, got -1 (number)',
    );
    expect(() => new BullMQExecutor(null as never)).toThrow(new TypeError('Expected BullMQExecutor options'));
    expect(() => new BullMQExecutor({ connection, lostAfterMs: 0 })).toThrow(
      new RangeError('Expected `lostAfterMs` to be an integer from 1 to 2147483647 or Infinity, got 0 (number)'),
    );
    await expect(startRemoteWorker({ connection, workerScript: fixture('foreign.worker.mjs') })).rejects.toThrow(
      /^The worker module .*foreign\.worker\.mjs does not export defineWorkerTasks\(\.\.\.\) as its default$/,
    );
    await expect(startRemoteWorker({ connection, workerScript: 42 as never })).rejects.toThrow(
      'Expected `workerScript` to be a file path or a file: URL',
    );
    const script = fixture('remote.worker.ts');
    await expect(startRemoteWorker({ connection, workerScript: script, concurrency: 0 })).rejects.toThrow(
      'Expected `concurrency` to be an integer >= 1, got 0 (number)',
    );
    await expect(startRemoteWorker({ connection, workerScript: script, lockDurationMs: 10 })).rejects.toThrow(
      'Expected `lockDurationMs` to be an integer from 100 to 2147483647, got 10 (number)',
    );
  });
});
