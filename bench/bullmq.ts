/**
 * Remote execution through BullMQ: 1 ms CPU worker tasks run by the manager
 * on 1 and 2 remote worker processes (the `background-task-manager-worker`
 * command, from source), against the local pool of 2 threads and against
 * BullMQ used directly (jobs added in bulk, one Worker per process, outcomes
 * counted from QueueEvents) on the same Redis. Needs redis-server.
 *   npm run bench:bullmq [-- --tasks=2000 --repeats=3]
 * Prints a table, then as its last line one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { BackgroundTaskManager, workerTask, type BackgroundTaskManagerOptions } from '../src/index.js';
import { BullMQExecutor } from '../src/bullmq.js';
import { RedisServer } from '../test/bullmq/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SPIN_MS = 1;
/** Jobs the manager keeps in flight on the remote side: enough that a worker always finds the next one waiting. */
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);

const { values } = parseArgs({ options: { tasks: { type: 'string' }, repeats: { type: 'string' } } });
const tasks = Number(values.tasks ?? 2000);
const repeats = Number(values.repeats ?? 3);

/** Starts a process running `args`; resolves once it printed `ready` (or the remote worker's start line). */
async function startProcess(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => {
      reject(new Error(`exited before it was ready: ${output}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready|running the tasks of/.test(output)) resolve();
    });
  });
  return child;
}

async function stopProcesses(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

/** Tasks per second of `tasks` 1 ms tasks through a manager made with `options`, best of `repeats`. */
async function throughManager(options: BackgroundTaskManagerOptions): Promise<number> {
  const manager = new BackgroundTaskManager(options);
  let best = 0;
  for (let round = 0; round < repeats; round++) {
    const start = performance.now();
    for (let i = 0; i < tasks; i++) manager.addTask(workerTask('spin'), { taskArgs: [SPIN_MS] });
    manager.startProcessing();
    await manager.onIdle();
    manager.pauseProcessing();
    best = Math.max(best, tasks / ((performance.now() - start) / 1000));
  }
  await manager.shutDown();
  return best;
}

async function remote(redis: RedisServer, processes: number): Promise<number> {
  const queueName = `ours-${processes}`;
  const args = ['src/bullmq-worker.ts', '--redis', redis.url, '--queue', queueName];
  args.push('--worker-script', 'bench/workers/ours.worker.ts');
  const children = await Promise.all(Array.from({ length: processes }, () => startProcess(args)));
  try {
    const executor = new BullMQExecutor({ connection: redis.connection, queueName });
    return await throughManager({ executor, maxThreads: IN_FLIGHT });
  } finally {
    await stopProcesses(children);
  }
}

async function direct(redis: RedisServer, processes: number): Promise<number> {
  const queueName = `direct-${processes}`;
  const args = ['bench/workers/bullmq-direct.worker.ts', String(redis.port), queueName];
  const children = await Promise.all(Array.from({ length: processes }, () => startProcess(args)));
  const queue = new Queue(queueName, { connection: redis.connection });
  const events = new QueueEvents(queueName, { connection: redis.connection });
  await events.waitUntilReady();
  try {
    let best = 0;
    for (let round = 0; round < repeats; round++) {
      let completed = 0;
      const done = new Promise<void>((resolve) => {
        const listener = (): void => {
          if (++completed < tasks) return;
          events.off('completed', listener);
          resolve();
        };
        events.on('completed', listener);
      });
      const start = performance.now();
      const jobs = Array.from({ length: tasks }, () => ({
        name: 'spin',
        data: { ms: SPIN_MS },
        opts: { removeOnComplete: true, removeOnFail: true },
      }));
      await queue.addBulk(jobs);
      await done;
      best = Math.max(best, tasks / ((performance.now() - start) / 1000));
    }
    return best;
  } finally {
    await events.close();
    await queue.close();
    await stopProcesses(children);
  }
}

const redis = await RedisServer.start();
try {
  const rows: Array<[string, number]> = [];
  const measure = async (label: string, run: () => Promise<number>): Promise<number> => {
    const perSecond = await run();
    rows.push([label, perSecond]);
    console.log(`${label.padEnd(44)} ${Math.round(perSecond).toString().padStart(6)} tasks/s`);
    return perSecond;
  };
  console.log(`${tasks} tasks of ${SPIN_MS} ms CPU, best of ${repeats}`);
  const local = await measure('local pool, 2 threads', () =>
    throughManager({ workerScript: new URL('./workers/ours.worker.mjs', import.meta.url), maxThreads: 2 }),
  );
  const ours1 = await measure('ours, 1 remote worker process', () => remote(redis, 1));
  const ours2 = await measure('ours, 2 remote worker processes', () => remote(redis, 2));
  const direct1 = await measure('BullMQ directly, 1 worker process', () => direct(redis, 1));
  const direct2 = await measure('BullMQ directly, 2 worker processes', () => direct(redis, 2));
  const round = (value: number): number => Math.round(value * 100) / 100;
  console.log(
    JSON.stringify({
      bullmq_ours_over_direct_1ms: round(ours1 / direct1),
      bullmq_ours_over_direct_1ms_2_processes: round(ours2 / direct2),
      bullmq_ours_2_over_1_processes_1ms: round(ours2 / ours1),
      bullmq_local_over_ours_1ms: round(local / ours1),
    }),
  );
} finally {
  await redis.stop();
}
