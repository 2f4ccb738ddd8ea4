import { TaskStore } from '../../src/scheduling/task-store.js';

/** A store whose slots are handed out to the data-structure tests, with a given uid and priority each. */
export function storeWithTasks(): { store: TaskStore; add: (uid: number, priority?: number) => number } {
  const store = new TaskStore();
  const work = (): void => undefined;
  return {
    store,
    add: (uid, priority = 0) => store.allocate(uid, work, priority, undefined, undefined),
  };
}

/** Runs `body` while every new ArrayBuffer fails, as when memory runs out; returns what it returns. */
export function withoutMemory<T>(body: () => T): T {
  const original = globalThis.ArrayBuffer;
  globalThis.ArrayBuffer = class {
    constructor() {
      throw new RangeError('Array buffer allocation failed');
    }
  } as unknown as ArrayBufferConstructor;
  try {
    return body();
  } finally {
    globalThis.ArrayBuffer = original;
  }
}
