// A small application, as a user of the package writes it: compiled against the installed tarball
// under strict and nodenext, then run; it prints what its tasks returned.
import { BackgroundTaskManager, workerTask, type TaskContext } from 'background-task-manager';
import { startInspector } from 'background-task-manager/inspector';

const inspector = await startInspector({ port: 0 });
const manager = new BackgroundTaskManager({
  startProcessing: true,
  maxThreads: 2,
  workerScript: new URL('./tasks.worker.js', import.meta.url),
  inspect: inspector.inspect,
});
const outcomes = new Map<number, unknown>();
manager.on('taskCompleted', (uid, _group, result) => outcomes.set(uid, result));
manager.on('taskFailed', (uid, _group, message) => outcomes.set(uid, `failed: ${message}`));

const greeting = manager.addTask(
  function (this: TaskContext, kwargs: { name: string }) {
    return `${kwargs.name} ran as task ${this.uid}`;
  },
  { taskKwargs: { name: 'main thread' } },
);
const square = manager.addTask(workerTask('square'), { taskArgs: [7], taskKwargs: { offset: 1 } });
await manager.onIdle();
// The inspector serves its page and its state from the installed package.
const page = await fetch(inspector.url);
const state = (await (await fetch(new URL(`/api/state${new URL(inspector.url).search}`, inspector.url))).json()) as {
  managers: { counts: { done: number } }[];
};
await manager.shutDown();
await inspector.close();
const inspected = { done: state.managers[0]?.counts.done, page: page.status };
console.log(JSON.stringify({ greeting: outcomes.get(greeting), square: outcomes.get(square), inspected }));

/**
 * Never called: it only has to compile. Were the package's types missing or `any`, these lines
 * would not be errors, and tsc would fail on the unused directives.
 */
export function misuses(): void {
  // @ts-expect-error `priority` is a number.
  manager.addTask(() => 1, { priority: 'high' });
  // @ts-expect-error the event map types each listener: a uid is a number.
  manager.on('taskCompleted', (uid: string) => uid);
  manager.addTask(function (this: TaskContext) {
    // @ts-expect-error `this.uid` is a number.
    const uid: string = this.uid;
    return uid;
  });
}
