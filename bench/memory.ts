/**
 * Heap measurements: bytes per queued task for ours, p-queue and fastq, and
 * the heap ours retains once every task has finished.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fastq from 'fastq';
import PQueue from 'p-queue';
import { BackgroundTaskManager } from '../src/index.js';
import { GROUPS, PRIORITIES, trivialTask } from './workloads.js';

/** `global.gc`, exposed on the fly when the process was started without `--expose-gc` (e.g. under vitest). */
function exposedGc(): () => void {
  const gc = globalThis.gc;
  if (gc !== undefined) {
    return () => {
      gc();
    };
  }
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let gcFunction: (() => void) | undefined;

/** One full garbage collection (`global.gc`, exposed on the fly if need be). */
export function collectGarbage(): void {
  gcFunction ??= exposedGc();
  gcFunction();
}

/**
 * Resolves after the current macrotask: a queue that has just settled can
 * still be reachable from the promise jobs of its last turn (fastq holds
 * ~170 bytes per task that way until the next turn of the event loop).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The memory a queue holds: `heapUsed` plus `arrayBuffers`, the typed-array
 * memory V8 keeps outside its heap (ours keeps its tasks' numbers there).
 */
export function heldBytes(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Full garbage collections until the heap stops shrinking (at most 5), then {@link heldBytes}. */
export function heldBytesAfterGc(): number {
  let used = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    collectGarbage();
    const now = heldBytes();
    if (now >= used) return now;
    used = now;
  }
  return used;
}

export type MemoryPeer = 'ours' | 'p-queue' | 'fastq';

/** A queue holding `count` paused tasks; `release` empties it. */
interface HeldQueue {
  readonly release: () => Promise<void> | void;
}

function holdOurs(count: number): HeldQueue {
  const manager = new BackgroundTaskManager({ maxThreads: 8 });
  for (let i = 0; i < count; i++) manager.addTask(trivialTask, { priority: i % PRIORITIES, group: i % GROUPS });
  return { release: () => manager.shutDown() };
}

function holdPQueue(count: number): HeldQueue {
  const queue = new PQueue({ concurrency: 8, autoStart: false });
  for (let i = 0; i < count; i++) void queue.add(trivialTask, { priority: i % PRIORITIES });
  return {
    release: () => {
      queue.clear();
    },
  };
}

function runTask(task: () => Promise<void>): Promise<void> {
  return task();
}

function holdFastq(count: number): HeldQueue {
  const queue = fastq.promise(runTask, 8);
  queue.pause();
  for (let i = 0; i < count; i++) void queue.push(trivialTask);
  return {
    release: () => {
      queue.kill();
    },
  };
}

const HOLDERS: Readonly<Record<MemoryPeer, (count: number) => HeldQueue>> = {
  ours: holdOurs,
  'p-queue': holdPQueue,
  fastq: holdFastq,
};

/**
 * Bytes per queued task: {@link heldBytes} after GC with `count` tasks held
 * in a paused queue, minus the same before, divided by `count`.
 */
export async function bytesPerQueuedTask(peer: MemoryPeer, count: number): Promise<number> {
  await nextTurn();
  const before = heldBytesAfterGc();
  const held = HOLDERS[peer](count);
  const after = heldBytesAfterGc();
  await held.release();
  return (after - before) / count;
}

export interface RetainedHeap {
  readonly baselineBytes: number;
  readonly afterBytes: number;
  /** `afterBytes / baselineBytes`: 1 means nothing retained. */
  readonly ratio: number;
}

/**
 * Ours: {@link heldBytes} after GC once `count` tasks (workload 1's mix) have all
 * finished, the manager still held, relative to the same after GC with the
 * same manager before any task was added. `finishedTaskHistory: 0`, so the
 * bounded history of finished states (1,000 by default) is not counted.
 */
export async function retainedHeap(count: number): Promise<RetainedHeap> {
  const manager = new BackgroundTaskManager({ maxThreads: 8, finishedTaskHistory: 0 });
  let left = count;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  manager.on('taskCompleted', () => {
    if (--left === 0) resolveFinished();
  });
  await nextTurn();
  const baselineBytes = heldBytesAfterGc();
  for (let i = 0; i < count; i++) manager.addTask(trivialTask, { priority: i % PRIORITIES, group: i % GROUPS });
  manager.startProcessing();
  await finished;
  // Let the last settle's microtasks and the final dispatch run before measuring.
  await nextTurn();
  const afterBytes = heldBytesAfterGc();
  await manager.shutDown();
  return { baselineBytes, afterBytes, ratio: afterBytes / baselineBytes };
}
