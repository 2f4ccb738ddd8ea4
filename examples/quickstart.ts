// npm run example:quickstart: one manager for all background work, printing its events as they happen.
// npm run example:quickstart -- --inspect: the same, watched live in the inspector page until Ctrl-C.
import { BackgroundTaskManager, workerTask } from 'background-task-manager';
import { startInspector } from 'background-task-manager/inspector';

const inspector = process.argv.includes('--inspect') ? await startInspector() : undefined;

const manager = new BackgroundTaskManager({
  maxThreads: 2,
  workerScript: new URL('./tasks.worker.js', import.meta.url),
  ...(inspector && { inspect: inspector.inspect }),
});
if (inspector) console.log(`inspector: open ${inspector.url} (Ctrl-C to stop)`);

const names = new Map<number, string>();
const name = (uid: number): string => `${names.get(uid) ?? '?'} (#${uid})`;
manager.on('taskCompleted', (uid, group, result) => {
  console.log(`completed  ${name(uid)} group=${String(group)} result=${JSON.stringify(result)}`);
});
manager.on('taskFailed', (uid, group, message) => {
  console.log(`failed     ${name(uid)} group=${String(group)}: ${message}`);
});
manager.on('taskGroupFinished', (group) => {
  console.log(`group ${String(group)} finished`);
});

function add(label: string, uid: number): number {
  names.set(uid, label);
  return uid;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// 1. Priorities: added while paused, they run highest first.
const priorities = manager.nextGroupId();
for (const priority of [1, 10, 5]) {
  add(
    `priority ${priority}`,
    manager.addTask(async () => priority, { priority, group: priorities }),
  );
}

// 2. A dependency chain that passes results on: check a cache, then download, then render on a worker thread.
const images = manager.nextGroupId();
const check = add(
  'check cache',
  manager.addTask(async (kwargs: { url: string }) => ({ url: kwargs.url, cached: false }), {
    priority: 10,
    group: images,
    taskKwargs: { url: 'https://example.invalid/cat.png' },
  }),
);
const download = add(
  'download',
  manager.addTask(
    async (kwargs: { url: string; cached: boolean }) => {
      await sleep(20);
      return { path: `/tmp/${kwargs.url.split('/').pop() ?? 'file'}`, bytes: 1234 };
    },
    { group: images, upstreamTaskIds: [check] },
  ),
);
const render = add(
  'render on a worker thread',
  manager.addTask(workerTask('thumbnail'), { group: images, upstreamTaskIds: [download], taskArgs: [64] }),
);

// 3. A pass-through task gathers several upstream results into one.
add(
  'gather (pass-through)',
  manager.addPassThroughTask({ group: images, upstreamTaskIds: [check, download, render], taskKwargs: { tag: 'cat' } }),
);

// 4. A failure cascades to everything downstream of it; none of those runs.
const fragile = manager.nextGroupId();
const broken = add(
  'broken fetch',
  manager.addTask(
    async () => {
      throw new Error('connection refused');
    },
    { group: fragile },
  ),
);
add(
  'parse (never runs)',
  manager.addTask(async () => 'parsed', { group: fragile, upstreamTaskIds: [broken] }),
);

manager.startProcessing();

// 5. When the image group has finished, shut down: every thread exits, the process ends by itself.
//    With --inspect, the page stays live until Ctrl-C; then the manager and the inspector shut down.
function shutDown(): void {
  void manager
    .shutDown()
    .then(() => inspector?.close())
    .then(() => {
      console.log('shut down: all threads have exited');
    });
}
manager.on('taskGroupFinished', (group) => {
  if (group === images && !inspector) shutDown();
});
if (inspector) process.once('SIGINT', shutDown);
