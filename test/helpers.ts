import { afterEach } from 'vitest';
import { BackgroundTaskManager, type BackgroundTaskManagerOptions, type TaskGroup } from '../src/index.js';

export interface Deferred<T = unknown> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask run (and those they queue): the manager is quiescent after it. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export type RecordedEvent =
  | ['taskCompleted', number, TaskGroup | undefined, unknown]
  | ['taskFailed', number, TaskGroup | undefined, string]
  | ['taskGroupFinished', TaskGroup];

/** Records the manager's events, in order, as tuples (tracebacks left out). */
export function record(manager: BackgroundTaskManager): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  manager.on('taskCompleted', (uid, group, result) => events.push(['taskCompleted', uid, group, result]));
  manager.on('taskFailed', (uid, group, message) => events.push(['taskFailed', uid, group, message]));
  manager.on('taskGroupFinished', (group) => events.push(['taskGroupFinished', group]));
  return events;
}

/** Resolves with the next event `name`'s arguments. */
export function nextEvent(
  manager: BackgroundTaskManager,
  name: 'taskCompleted' | 'taskFailed' | 'taskGroupFinished' | 'taskStarted',
  filter: (...args: unknown[]) => boolean = () => true,
): Promise<unknown[]> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]): void => {
      if (!filter(...args)) return;
      manager.off(name, listener);
      resolve(args);
    };
    manager.on(name, listener);
  });
}

/**
 * A main-thread task whose completion the test controls: `run` is the
 * callable; `calls` lists each invocation's arguments; `finish(i)` settles
 * the i-th invocation.
 */
export function controlled() {
  const calls: unknown[][] = [];
  const pending: Deferred[] = [];
  return {
    calls,
    run: (...args: unknown[]): Promise<unknown> => {
      calls.push(args);
      const d = deferred();
      pending.push(d);
      return d.promise;
    },
    resolve(index: number, value?: unknown): void {
      (pending[index] as Deferred).resolve(value);
    },
    reject(index: number, error: unknown): void {
      (pending[index] as Deferred).reject(error);
    },
  };
}

// Node 20 has Atomics.waitAsync; the es2023 lib (kept so src cannot use newer APIs) does not declare it.
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { value: Promise<string> | string };
  }
).waitAsync.bind(Atomics);

/** Resolves once `array[index]` is no longer `value` (woken by another thread's Atomics.notify). */
export async function waitWhileEqual(array: Int32Array, index: number, value: number): Promise<void> {
  await waitAsync(array, index, value).value;
}

/** A SharedArrayBuffer for the `gate` / `exitsWhenReleased` fixtures: [0] tasks inside, [1] most at once, [2..] cells. */
export function gates(cells: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (2 + cells)));
}

/** Resolves once `shared[0]` has reached `count` (worker tasks inside their gates, woken by the workers' notify). */
export async function inside(shared: Int32Array, count: number): Promise<void> {
  while (Atomics.load(shared, 0) < count) await waitWhileEqual(shared, 0, Atomics.load(shared, 0));
}

/** Sets `shared[cell]` to 1 and wakes the thread waiting on it. */
export function open(shared: Int32Array, cell: number): void {
  Atomics.store(shared, cell, 1);
  Atomics.notify(shared, cell);
}

/**
 * Returns a `create(options)` that makes managers with `defaults` and shuts
 * every one of them down after each test. Call it at the top of a test file.
 */
export function managersWith(
  defaults: BackgroundTaskManagerOptions,
): (options?: BackgroundTaskManagerOptions) => BackgroundTaskManager {
  const managers: BackgroundTaskManager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((manager) => manager.shutDown()));
  });
  return (options = {}) => {
    const manager = new BackgroundTaskManager({ ...defaults, ...options });
    managers.push(manager);
    return manager;
  };
}

/** The result of task `uid`, from its `taskCompleted` event. */
export function resultOf(manager: BackgroundTaskManager, uid: number): Promise<unknown> {
  return nextEvent(manager, 'taskCompleted', (id) => id === uid).then((args) => args[2]);
}

/** The message of task `uid`'s `taskFailed` event. */
export function failureOf(manager: BackgroundTaskManager, uid: number): Promise<string> {
  return nextEvent(manager, 'taskFailed', (id) => id === uid).then((args) => args[2] as string);
}
