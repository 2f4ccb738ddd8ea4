/**
 * The guard on poolifier 5.3.2's message listener (src/workers/thread-pool.ts), on a real pool: a
 * worker's `ready` answer that the main thread reads only after the pool has removed the thread.
 */
import { once } from 'node:events';
import type { MessagePort, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ThreadPool } from '../../src/workers/thread-pool.js';
import { deferred } from '../helpers.js';

interface Relay {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly workerId: number;
}

const script = fileURLToPath(new URL('../fixtures/late-ready.worker.mjs', import.meta.url));

it('drops a ready message from a worker the pool has already removed instead of throwing it uncaught', async () => {
  const relayed = deferred<Relay>();
  const pool = new ThreadPool(1, script, {
    enableEvents: false,
    workerOptions: { workerData: { claimed: new Int32Array(new SharedArrayBuffer(4)) } },
    messageHandler(this: Worker, message: unknown) {
      const relay = (message as { relay?: Omit<Relay, 'worker'> } | null)?.relay;
      if (relay !== undefined) relayed.resolve({ worker: this, ...relay });
    },
  });
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };
  process.on('uncaughtException', onUncaught);
  try {
    const { worker, port, workerId } = await relayed.promise;
    const mainEnd = pool.workerNodes.find((node) => node.info.id === workerId)?.messageChannel?.port1;
    if (mainEnd === undefined) throw new Error(`worker ${workerId} has no node with a channel`);
    await worker.terminate(); // resolves from an 'exit' listener added after poolifier's, which removes the node
    expect(pool.workerNodes.some((node) => node.info.id === workerId)).toBe(false);
    // What a ThreadWorker answers poolifier's start-up message with, arriving after its thread is gone.
    const read = new Promise((resolve) => mainEnd.once('message', resolve));
    port.postMessage({ ready: true, taskFunctionsProperties: [{ name: 'default' }, { name: 'idle' }], workerId });
    await read; // poolifier's listener, registered first, has run
    // Node rethrows what a MessagePort listener threw from process.nextTick: surfaced by the next turn at the latest.
    await new Promise(setImmediate);
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    // poolifier 5.3.2's destroy() can hang on a replacement still starting (see worker-pool.ts): wait for the exits.
    const exited = pool.workerNodes.map((node) => once(node.worker, 'exit'));
    void pool.destroy();
    await Promise.all(exited);
  }
});
