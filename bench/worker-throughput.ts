/**
 * Worker-thread throughput with a pool of 2 threads: ours (`workerTask`,
 * maxThreads 2) vs raw poolifier `FixedThreadPool(2)` vs piscina (2 threads),
 * the same work in each (bench/workers/work.mjs), and three references
 * after them each round: poolifier given two tasks at a time, and plain
 * threads with one task in flight each or all sent at once. Each pool is
 * started and warmed before any clock starts; repeats alternate the order
 * of the pools.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import { BackgroundTaskManager, workerTask } from '../src/index.js';

export const POOL_SIZE = 2;
export type WorkerPeer = 'ours' | 'poolifier' | 'piscina';
export const WORKER_PEERS: readonly WorkerPeer[] = ['ours', 'poolifier', 'piscina'];
export type WorkerJob = 'noop' | 'spin';

const workerFile = (name: string): string => fileURLToPath(new URL(`./workers/${name}`, import.meta.url));

/** A started pool that runs `count` jobs and resolves when all are done. */
export interface BenchPool {
  readonly run: (job: WorkerJob, count: number, spinMillis: number) => Promise<void>;
  /** Like `run`, but never more than `limit` tasks handed to the pool at once (poolifier only). */
  readonly runBounded?: (job: WorkerJob, count: number, spinMillis: number, limit: number) => Promise<void>;
  readonly destroy: () => Promise<void>;
}

/** Like {@link settleAll}, but with at most `limit` promises from `start` pending at once. */
function settleBounded(count: number, limit: number, start: () => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let started = 0;
    let left = count;
    const next = (): void => {
      if (--left === 0) resolve();
      else if (started < count) launch();
    };
    const launch = (): void => {
      started++;
      start().then(next, reject);
    };
    while (started < Math.min(limit, count)) launch();
  });
}

/** Resolves when `count` promises from `start` have all resolved (rejects on the first failure). */
function settleAll(count: number, start: () => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let left = count;
    const done = (): void => {
      if (--left === 0) resolve();
    };
    for (let i = 0; i < count; i++) start().then(done, reject);
  });
}

function oursPool(): BenchPool {
  const manager = new BackgroundTaskManager({
    startProcessing: true,
    maxThreads: POOL_SIZE,
    workerScript: workerFile('ours.worker.mjs'),
    finishedTaskHistory: 0,
  });
  const tasks = { noop: workerTask('noop'), spin: workerTask('spin') };
  let left = 0;
  let resolveBatch: (() => void) | undefined;
  let rejectBatch: ((error: Error) => void) | undefined;
  manager.on('taskCompleted', () => {
    if (--left === 0) resolveBatch?.();
  });
  manager.on('taskFailed', (_uid, _group, message) => rejectBatch?.(new Error(message)));
  return {
    run: (job, count, spinMillis) =>
      new Promise<void>((resolve, reject) => {
        left = count;
        resolveBatch = resolve;
        rejectBatch = reject;
        const options = job === 'spin' ? { taskArgs: [spinMillis] } : undefined;
        for (let i = 0; i < count; i++) manager.addTask(tasks[job], options);
      }),
    destroy: () => manager.shutDown(),
  };
}

function poolifierPool(): BenchPool {
  let onExit = (): void => {};
  const pool = new FixedThreadPool<{ ms?: number }, undefined>(POOL_SIZE, workerFile('poolifier.worker.mjs'), {
    exitHandler: () =>
      setImmediate(() => {
        onExit();
      }),
  });
  // poolifier 5.3.2's destroy() now and then never resolves although every worker has exited
  // (seen here about once in 20 runs); the manager's adapter guards against it the same way.
  const allExited = (): Promise<void> =>
    new Promise((resolve) => {
      onExit = () => {
        if (pool.workerNodes.length === 0) resolve();
      };
    });
  return {
    run: (job, count, spinMillis) => {
      const data = job === 'spin' ? { ms: spinMillis } : {};
      return settleAll(count, () => pool.execute(data, job));
    },
    runBounded: (job, count, spinMillis, limit) => {
      const data = job === 'spin' ? { ms: spinMillis } : {};
      return settleBounded(count, limit, () => pool.execute(data, job));
    },
    destroy: () => Promise.race([pool.destroy(), allExited()]),
  };
}

function piscinaPool(): BenchPool {
  const pool = new Piscina({
    filename: workerFile('piscina.worker.mjs'),
    minThreads: POOL_SIZE,
    maxThreads: POOL_SIZE,
  });
  return {
    run: (job, count, spinMillis) => {
      const data = job === 'spin' ? { ms: spinMillis } : {};
      const options = { name: job };
      return settleAll(count, () => pool.run(data, options));
    },
    destroy: () => pool.destroy(),
  };
}

export interface RawThreads {
  /** Runs `count` jobs with at most `inFlight` sent to each thread and not yet answered. */
  readonly run: (job: WorkerJob, count: number, spinMillis: number, inFlight: number) => Promise<void>;
  readonly destroy: () => Promise<void>;
}

/**
 * A reference, not a peer: {@link POOL_SIZE} plain worker threads, no library, each with a
 * `MessageChannel` of its own (the fastest plain transport measured here), each sent a
 * task as soon as it has answered the one before it (`inFlight` 1, what one task per thread at
 * a time costs with nothing else on the way) or sent its share all at once (`inFlight`
 * unbounded: what pipelining buys).
 */
export function rawThreads(): RawThreads {
  const threads = Array.from({ length: POOL_SIZE }, () => new Worker(workerFile('raw.worker.mjs')));
  const ports = Promise.all(
    threads.map(
      (thread) =>
        new Promise<MessagePort>((resolve, reject) => {
          thread.once('message', (port: MessagePort) => {
            resolve(port);
          });
          thread.once('error', reject);
        }),
    ),
  );
  return {
    run: async (job, count, spinMillis, inFlight) => {
      const channels = await ports;
      await new Promise<void>((resolve, reject) => {
        const task = { job, ms: spinMillis };
        let sent = 0;
        let left = count;
        for (const [index, port] of channels.entries()) {
          const thread = threads[index] as Worker;
          thread.removeAllListeners('error').on('error', reject);
          port.removeAllListeners('message').on('message', () => {
            if (--left === 0) resolve();
            else if (sent < count) {
              sent++;
              port.postMessage(task);
            }
          });
        }
        for (let k = 0; sent < count && k < inFlight; k++) {
          for (const port of channels) {
            if (sent === count) break;
            sent++;
            port.postMessage(task);
          }
        }
      });
    },
    destroy: async () => {
      for (const port of await ports) port.close();
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}

const FACTORIES: Readonly<Record<WorkerPeer, () => BenchPool>> = {
  ours: oursPool,
  poolifier: poolifierPool,
  piscina: piscinaPool,
};

/** Starts one of the pools (not warmed). */
export function startPool(peer: WorkerPeer): BenchPool {
  return FACTORIES[peer]();
}

export interface WorkerThroughputOptions {
  readonly noopTasks: number;
  readonly spinTasks: number;
  readonly spinMillis: number;
  readonly repeats: number;
}

/** References measured beside the pools: what the one-task-per-thread rule costs, and what pipelining buys. */
export type WorkerReference = 'boundedPoolifier' | 'rawOneInFlight' | 'rawPipelined';
export const WORKER_REFERENCES: readonly WorkerReference[] = ['boundedPoolifier', 'rawOneInFlight', 'rawPipelined'];

/**
 * Best tasks per second, per job, of each pool and of three references:
 * poolifier with at most {@link POOL_SIZE} tasks handed to it at once, as
 * ours does (`boundedPoolifier`), and plain worker threads without any
 * library, one task in flight per thread (`rawOneInFlight`) or all of them
 * sent at once (`rawPipelined`).
 */
export type WorkerThroughput = Record<WorkerJob, Record<WorkerPeer | WorkerReference, number>>;

/**
 * Starts the three pools, warms each (its threads up and its worker module
 * loaded), then for each job runs `repeats` rounds, the order of the pools
 * rotating each round, and keeps each pool's best. Destroys every pool
 * before it resolves, also when a run fails.
 */
export async function measureWorkerThroughput(options: WorkerThroughputOptions): Promise<WorkerThroughput> {
  const pools = new Map<WorkerPeer, BenchPool>();
  const raw = rawThreads();
  try {
    for (const peer of WORKER_PEERS) pools.set(peer, startPool(peer));
    for (const pool of pools.values()) {
      // Warm-up, untimed: both threads started and ready, the module loaded, the code paths hot.
      await pool.run('noop', 200, options.spinMillis);
      await pool.run('spin', 2 * POOL_SIZE, options.spinMillis);
    }
    await raw.run('noop', 200, options.spinMillis, 1);
    await raw.run('noop', 200, options.spinMillis, Infinity);
    const none = { ours: 0, poolifier: 0, piscina: 0, boundedPoolifier: 0, rawOneInFlight: 0, rawPipelined: 0 };
    const best: WorkerThroughput = { noop: { ...none }, spin: { ...none } };
    const runBounded = (pools.get('poolifier') as BenchPool).runBounded as NonNullable<BenchPool['runBounded']>;
    const references: Readonly<Record<WorkerReference, (job: WorkerJob, count: number) => Promise<void>>> = {
      boundedPoolifier: (job, count) => runBounded(job, count, options.spinMillis, POOL_SIZE),
      rawOneInFlight: (job, count) => raw.run(job, count, options.spinMillis, 1),
      rawPipelined: (job, count) => raw.run(job, count, options.spinMillis, Infinity),
    };
    const perSecond = async (count: number, run: () => Promise<void>): Promise<number> => {
      const start = process.hrtime.bigint();
      await run();
      return count / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    const jobs: ReadonlyArray<readonly [WorkerJob, number]> = [
      ['noop', options.noopTasks],
      ['spin', options.spinTasks],
    ];
    for (const [job, count] of jobs) {
      for (let round = 0; round < options.repeats; round++) {
        for (let k = 0; k < WORKER_PEERS.length; k++) {
          const peer = WORKER_PEERS[(round + k) % WORKER_PEERS.length] as WorkerPeer;
          const pool = pools.get(peer) as BenchPool;
          best[job][peer] = Math.max(
            best[job][peer],
            await perSecond(count, () => pool.run(job, count, options.spinMillis)),
          );
        }
        for (const reference of WORKER_REFERENCES) {
          const perSecondNow = await perSecond(count, () => references[reference](job, count));
          best[job][reference] = Math.max(best[job][reference], perSecondNow);
        }
      }
    }
    return best;
  } finally {
    // Worker threads stop holding the event loop while they terminate (poolifier and piscina alike):
    // hold it until every pool has reported, or the process could exit with a destroy() unsettled.
    const keepAlive = setInterval(() => {}, 60_000);
    const destroyed = [...[...pools.values()].map((pool) => pool.destroy()), raw.destroy()];
    await Promise.all(destroyed).finally(() => {
      clearInterval(keepAlive);
    });
  }
}
