/**
 * Remote execution through BullMQ: 1 ms CPU worker tasks run by the manager
 * on 1 and 2 remote worker processes (the `background-task-manager-worker`
 * command, from source), against the local pool of 2 threads and against
 * BullMQ used directly (jobs added in bulk, one Worker per process, outcomes
 * counted from QueueEvents) on the same Redis. Needs redis-server. Part of
 * `npm run bench` (section 7, when redis-server is on the PATH), or alone:
 *   npm run bench:bullmq [-- --tasks=2000 --repeats=3]
 * which prints a table, then as its last line one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { BackgroundTaskManager, workerTask, type BackgroundTaskManagerOptions } from '../src/index.js';
import { BullMQExecutor } from '../src/bullmq.js';
import { RedisServer } from '../test/bullmq/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SPIN_MS = 1;
/** Jobs the manager keeps in flight on the remote side: enough that a worker always finds the next one waiting. */
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);

/** The ratios this bench adds to the JSON line (above 1 favours the numerator). */
export interface BullMQResult {
  bullmq_ours_over_direct_1ms: number;
  bullmq_ours_over_direct_1ms_2_processes: number;
  bullmq_ours_2_over_1_processes_1ms: number;
  bullmq_local_over_ours_1ms: number;
}

interface Sizes {
  readonly tasks: number;
  readonly repeats: number;
}

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
async function throughManager(options: BackgroundTaskManagerOptions, { tasks, repeats }: Sizes): Promise<number> {
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

async function remote(redis: RedisServer, processes: number, sizes: Sizes): Promise<number> {
  const queueName = `ours-${processes}`;
  const args = ['src/bullmq-worker.ts', '--redis', redis.url, '--queue', queueName];
  args.push('--worker-script', 'bench/workers/ours.worker.ts');
  const children = await Promise.all(Array.from({ length: processes }, () => startProcess(args)));
  try {
    const executor = new BullMQExecutor({ connection: redis.connection, queueName });
    return await throughManager({ executor, maxThreads: IN_FLIGHT }, sizes);
  } finally {
    await stopProcesses(children);
  }
}

async function direct(redis: RedisServer, processes: number, { tasks, repeats }: Sizes): Promise<number> {
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

/** Runs every row on a redis-server of its own; `log` gets the table. */
export async function measureBullMQ(sizes: Sizes, log: (line: string) => void): Promise<BullMQResult> {
  const redis = await RedisServer.start();
  try {
    const measure = async (label: string, run: () => Promise<number>): Promise<number> => {
      const perSecond = await run();
      log(`${label.padEnd(44)} ${Math.round(perSecond).toString().padStart(6)} tasks/s`);
      return perSecond;
    };
    log(`${sizes.tasks} tasks of ${SPIN_MS} ms CPU, best of ${sizes.repeats}; ours keeps ${IN_FLIGHT} in flight`);
    const workerScript = new URL('./workers/ours.worker.mjs', import.meta.url);
    const local = await measure('local pool, 2 threads', () => throughManager({ workerScript, maxThreads: 2 }, sizes));
    const ours1 = await measure('ours, 1 remote worker process', () => remote(redis, 1, sizes));
    const ours2 = await measure('ours, 2 remote worker processes', () => remote(redis, 2, sizes));
    const direct1 = await measure('BullMQ directly, 1 worker process', () => direct(redis, 1, sizes));
    const direct2 = await measure('BullMQ directly, 2 worker processes', () => direct(redis, 2, sizes));
    const round = (value: number): number => Math.round(value * 100) / 100;
    return {
      bullmq_ours_over_direct_1ms: round(ours1 / direct1),
      bullmq_ours_over_direct_1ms_2_processes: round(ours2 / direct2),
      bullmq_ours_2_over_1_processes_1ms: round(ours2 / ours1),
      bullmq_local_over_ours_1ms: round(local / ours1),
    };
  } finally {
    await redis.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { tasks: { type: 'string' }, repeats: { type: 'string' } } });
  const sizes = { tasks: Number(values.tasks ?? 2000), repeats: Number(values.repeats ?? 3) };
  const result = await measureBullMQ(sizes, (line) => {
    console.log(line);
  });
  console.log(JSON.stringify(result));
}
