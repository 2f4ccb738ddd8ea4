// The worker module of the quickstart: CPU-bound work runs here, on a worker thread.
import { threadId } from 'node:worker_threads';
import { defineWorkerTasks } from 'background-task-manager/worker';

export default defineWorkerTasks({
  /** Pretends to render a thumbnail: burns some CPU, returns a plain object (merged downstream). */
  thumbnail: (size: number, kwargs: { path?: string }) => {
    let checksum = 0;
    for (let i = 0; i < size * 50_000; i++) checksum = (checksum + i * 31) % 1_000_003;
    return { thumbnail: `${kwargs.path ?? '?'}@${size}px`, checksum, renderedOn: `thread ${threadId}` };
  },
});
