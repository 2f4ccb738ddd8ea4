/**
 * How soon a stopped worker task that honours its signal gives its slot
 * back: from `stopTask` to the start of the task queued behind it on the
 * same (only) thread, which can start only once the stopped task's worker
 * has answered. `killAfterMs` is far above it, so no thread is killed.
 *
 *   node --import tsx bench/stop-latency.ts [rounds]
 */
import { BackgroundTaskManager, workerTask } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 50);
const manager = new BackgroundTaskManager({
  startProcessing: true,
  maxThreads: 1,
  killAfterMs: 60_000,
  workerScript: new URL('../test/fixtures/tasks.worker.mjs', import.meta.url),
});

/** Resolves when `event` is emitted with `match` as the listener's arguments say. */
function when(event: 'taskProgress' | 'taskStarted', match: (uid: number, value: unknown) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const listener = (uid: number, _group: unknown, value?: unknown): void => {
      if (!match(uid, value)) return;
      manager.off(event, listener);
      resolve();
    };
    manager.on(event, listener);
  });
}

const millis: number[] = [];
for (let round = 0; round < rounds; round++) {
  const running = when('taskProgress', (_uid, value) => value === 'running');
  const stopped = manager.addTask(workerTask('reportsWhenAborted'));
  await running;
  const next = manager.addTask(workerTask('threadId'));
  const started = when('taskStarted', (uid) => uid === next);
  const start = performance.now();
  manager.stopTask(stopped);
  await started;
  millis.push(performance.now() - start);
  await manager.onIdle();
}
await manager.shutDown();
millis.sort((a, b) => a - b);
const at = (q: number): string =>
  (millis[Math.min(millis.length - 1, Math.floor(q * millis.length))] as number).toFixed(2);
console.log(
  `stopTask → next task started on the freed thread, ${rounds} rounds: median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`,
);
