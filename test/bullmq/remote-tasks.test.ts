import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { QueueEvents, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { BackgroundTaskManager, ErrorCodes, TaskFailedError, TaskStoppedError, workerTask } from '../../src/index.js';
import {
  BullMQExecutor,
  RemoteJobFailedError,
  RemoteUnavailableError,
  startRemoteWorker,
  type RemoteWorker,
} from '../../src/bullmq.js';
import { nextReport, remoteReports } from '../fixtures/remote.worker.js';
import { runAdd } from './direct-job.js';
import { RedisServer, runRedisTests } from './redis-server.js';

const workerScript = fileURLToPath(new URL('../fixtures/remote.worker.ts', import.meta.url));
const QUEUE = 'tasks';

describe.runIf(runRedisTests)('worker tasks on a remote worker (in this process)', () => {
  let redis: RedisServer;
  let worker: RemoteWorker;
  let manager: BackgroundTaskManager | undefined;
  beforeAll(async () => {
    redis = await RedisServer.start();
    worker = await startRemoteWorker({ connection: redis.connection, queueName: QUEUE, workerScript, concurrency: 4 });
  });
  afterEach(async () => {
    await manager?.shutDown();
  });
  afterAll(async () => {
    await worker.close();
    await redis.stop();
  });

  function remoteManager(maxThreads = 4): BackgroundTaskManager {
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE });
    manager = new BackgroundTaskManager({ executor, maxThreads, startProcessing: true });
    return manager;
  }

  it('calls the task with the same `this` as a worker thread, and passes failures with their stack', async () => {
    const remote = remoteManager();
    expect(remote.threadCount).toBe(0);
    const context = remote.addTask(workerTask('context'), { group: 'g' });
    const contextSeen = remote.result(context);
    const failed = (uid: number): Promise<unknown> => remote.result(uid).catch((error: unknown) => error);
    const thrown = failed(remote.addTask(workerTask('throws'), { taskArgs: ['bad input'] }));
    const unknown = failed(remote.addTask(workerTask('nope')));
    expect(await contextSeen).toEqual({ uid: context, group: 'g', aborted: false });
    const failure = await thrown;
    expect(failure).toMatchObject({ code: ErrorCodes.taskFailed, message: 'bad input' });
    expect((failure as { traceback: string }).traceback).toMatch(/^TypeError: bad input\n\s+at /);
    expect(((await unknown) as Error).message).toContain("The worker module defines no worker task 'nope'");
  });

  it("keeps the manager's semantics: priority order, timeouts that abort the remote signal, groups", async () => {
    const remote = remoteManager(1);
    remote.pauseProcessing();
    const completed: unknown[] = [];
    remote.on('taskCompleted', (_uid, _group, result) => completed.push(result));
    const group = remote.nextGroupId();
    for (const priority of [0, 2, 10, 1, -1, -100]) {
      remote.addTask(workerTask('add'), { priority, group, taskArgs: [priority, 0] });
    }
    const finished = remote.whenGroupFinished(group);
    remote.startProcessing();
    await finished;
    expect(completed).toEqual([10, 2, 1, 0, -1, -100]);
    const slow = remote.addTask(workerTask('untilAborted'), { timeoutMs: 200 });
    const aborted = nextReport('aborted', slow);
    await expect(remote.result(slow)).rejects.toThrow(`Task ${slow} timed out after 200 ms`);
    expect(await aborted).toEqual([slow, ErrorCodes.taskTimeout]);
  });

  it('fails a task whose result, arguments or progress cannot travel as JSON unchanged, saying why', async () => {
    const remote = remoteManager();
    const failures = new Map<string, string>();
    for (const kind of ['map', 'bigint', 'date', 'nan', 'undefinedInArray']) {
      const uid = remote.addTask(workerTask('returns'), { taskArgs: [kind] });
      failures.set(kind, await remote.result(uid).then(String, (error: unknown) => (error as Error).message));
    }
    const travel = "The result of worker task 'returns' cannot travel as JSON to the manager:";
    expect(Object.fromEntries(failures)).toEqual({
      map: `${travel} $ is a Map`,
      bigint: `${travel} $.n is a bigint`,
      date: `${travel} $ is a Date`,
      nan: `${travel} $[1] is NaN`,
      undefinedInArray: `${travel} $[0] is undefined`,
    });
    const plain = remote.result(remote.addTask(workerTask('returns'), { taskArgs: ['plain'] }));
    const nothing = remote.result(remote.addTask(workerTask('returns'), { taskArgs: ['nothing'] }));
    expect(await plain).toEqual({ a: [1, 'b', null, { c: true }] });
    expect(await nothing).toBeUndefined();
    const badArgument = remote.result(remote.addTask(workerTask('add'), { taskArgs: [1n, 2] }));
    await expect(badArgument).rejects.toThrow(
      "The arguments of worker task 'add' cannot travel as JSON to a remote worker: taskArgs[0] is a bigint",
    );
    const badKwargs = remote.result(
      remote.addTask(workerTask('add'), { taskArgs: [1, 2], taskKwargs: { at: new Date(0) } }),
    );
    await expect(badKwargs).rejects.toThrow(
      "The arguments of worker task 'add' cannot travel as JSON to a remote worker: kwargs.at is a Date",
    );
    const progress: unknown[] = [];
    const reports = remote.addTask(workerTask('reports'), { taskArgs: [3] });
    remote.on('taskProgress', (uid, _group, value) => uid === reports && progress.push(value));
    expect(await remote.result(reports)).toBe(
      "The progress value of worker task 'reports' cannot travel as JSON to the manager: $ is a Map",
    );
    expect(progress).toEqual([1, 3]); // throttled like a worker thread's: the first at once, the latest held
  });

  it("aborts a stopped task's signal on the remote worker, and leaves no job behind", async () => {
    const remote = remoteManager();
    const uid = remote.addTask(workerTask('untilAborted'));
    await nextReport('running', uid);
    const aborted = nextReport('aborted', uid);
    const result = remote.result(uid);
    remote.stopTask(uid);
    await expect(result).rejects.toBeInstanceOf(TaskStoppedError);
    expect(await aborted).toEqual([uid, ErrorCodes.taskStopped]);
    await remote.shutDown();
    expect(await redis.jobKeys(QUEUE)).toEqual([]);
  });

  it('removes the waiting jobs of a stopped group and stops its running ones: no job is left in Redis', async () => {
    const events = new QueueEvents(QUEUE, { connection: redis.connection });
    await events.waitUntilReady();
    const remote = remoteManager(8);
    const group = remote.nextGroupId();
    const uids = Array.from({ length: 12 }, () => remote.addTask(workerTask('untilAborted'), { group }));
    // 8 jobs in Redis (the remote worker runs up to 4 of them), 4 tasks waiting in the manager.
    const added = new Promise<void>((resolve) => {
      let count = 0;
      events.on('added', () => {
        if (++count === 8) resolve();
      });
    });
    const [first] = (await once(remoteReports, 'running')) as [number];
    await added;
    const aborted = nextReport('aborted', first);
    const stopped: number[] = [];
    remote.on('taskStopped', (uid) => stopped.push(uid));
    remote.stopTaskGroup(group);
    expect(stopped.toSorted((a, b) => a - b)).toEqual(uids);
    expect(await aborted).toEqual([first, ErrorCodes.taskStopped]);
    await remote.shutDown();
    await events.close();
    expect(await redis.jobKeys(QUEUE)).toEqual([]);
  });

  it('removes the jobs of a stopped group that no worker has taken', async () => {
    const queueName = 'unserved';
    const events = new QueueEvents(queueName, { connection: redis.connection });
    await events.waitUntilReady();
    const added = new Promise<void>((resolve) => {
      let count = 0;
      events.on('added', () => {
        if (++count === 3) resolve();
      });
    });
    const executor = new BullMQExecutor({ connection: redis.connection, queueName, killAfterMs: Infinity });
    manager = new BackgroundTaskManager({ executor, startProcessing: true });
    const group = manager.nextGroupId();
    const outcomes = [1, 2, 3].map((i) =>
      manager?.result(manager.addTask(workerTask('add'), { group, taskArgs: [i, i] })),
    );
    await added;
    expect(await redis.jobKeys(queueName)).toHaveLength(3);
    manager.stopTaskGroup(group);
    await Promise.all(outcomes.map((outcome) => expect(outcome).rejects.toBeInstanceOf(TaskStoppedError)));
    await manager.shutDown();
    await events.close();
    expect(await redis.jobKeys(queueName)).toEqual([]);
  });

  it('fails a task whose job the queue failed, or whose worker returned no outcome (a worker not of this library)', async () => {
    const queueName = 'foreign';
    const foreign = new Worker(
      queueName,
      async (job) => {
        if (job.name === 'throws') throw new Error('not a task of ours');
        return 42;
      },
      { connection: redis.connection },
    );
    const executor = new BullMQExecutor({ connection: redis.connection, queueName });
    manager = new BackgroundTaskManager({ executor, startProcessing: true });
    const failed = manager.result(manager.addTask(workerTask('throws'))).catch((error: unknown) => error);
    const noOutcome = manager.result(manager.addTask(workerTask('add'))).catch((error: unknown) => error);
    expect(((await failed) as Error).message).toBe("The job of remote worker task 'throws' failed: not a task of ours");
    expect(((await failed) as TaskFailedError).cause).toBeInstanceOf(RemoteJobFailedError); // made on this side
    expect(await noOutcome).toBeInstanceOf(TaskFailedError); // a failure, not a result holding the error
    expect(((await noOutcome) as Error).message).toBe(
      "The job of remote worker task 'add' failed: its worker returned no outcome: is it a startRemoteWorker() worker?",
    );
    await manager.shutDown();
    await foreign.close();
  });

  it('fails a task whose job Redis refuses to add, saying why, and adds the next one once Redis takes writes again', async () => {
    const tasks = remoteManager();
    expect(await tasks.result(tasks.addTask(workerTask('add'), { taskArgs: [1, 2] }))).toBe(3);
    const admin = new Redis(redis.connection);
    await admin.config('SET', 'maxmemory', '1'); // every write is refused: out of memory
    let error: unknown;
    try {
      error = await tasks
        .result(tasks.addTask(workerTask('add'), { taskArgs: [2, 3] }))
        .catch((reason: unknown) => reason);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).cause).toBeInstanceOf(RemoteUnavailableError);
    const redisError = ((error as TaskFailedError).cause as RemoteUnavailableError).cause;
    expect((redisError as Error).message).toMatch(/^OOM command not allowed/); // what Redis said, as its cause
    expect((error as Error).message).toMatch(
      /^Remote worker task 'add' .*its job could not be added: OOM command not allowed/,
    );
    expect(await tasks.result(tasks.addTask(workerTask('add'), { taskArgs: [3, 4] }))).toBe(7);
    await admin.quit();
  });

  it('fails a task given to a destroyed executor', async () => {
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE });
    await executor.destroy();
    const settled = runAdd(executor);
    const [ok, error] = await settled;
    expect(ok).toBe(false);
    expect(error).toBeInstanceOf(RemoteUnavailableError);
    expect((error as Error).message).toBe("Remote worker task 'add' did not end: the executor has been destroyed");
    expect(executor.destroy()).toBe(executor.destroy());
  });
});
