/**
 * The peers of workload 1, run on the same trivial task as ours: p-queue
 * (same priorities, concurrency 8) and fastq (promise API, FIFO, concurrency 8).
 * Each queues everything paused, then starts and resolves at the end.
 */
import fastq from 'fastq';
import PQueue from 'p-queue';
import { PRIORITIES, trivialTask } from './workloads.js';

export const PEER_CONCURRENCY = 8;

/** p-queue: `count` tasks with the priorities ours gets, added paused (`autoStart: false`), then started. */
export async function runPQueue(count: number, concurrency = PEER_CONCURRENCY): Promise<void> {
  const queue = new PQueue({ concurrency, autoStart: false });
  for (let i = 0; i < count; i++) void queue.add(trivialTask, { priority: i % PRIORITIES });
  queue.start();
  await queue.onIdle();
}

/** The fastq worker: runs the task it is given. */
function runTask(task: () => Promise<void>): Promise<void> {
  return task();
}

/** fastq (promise API, FIFO): `count` tasks pushed to a paused queue, then resumed. */
export async function runFastq(count: number, concurrency = PEER_CONCURRENCY): Promise<void> {
  const queue = fastq.promise(runTask, concurrency);
  queue.pause();
  for (let i = 0; i < count; i++) void queue.push(trivialTask);
  queue.resume();
  await queue.drained();
}
