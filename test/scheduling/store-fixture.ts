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
