import { afterEach, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import {
  BackgroundTaskManager,
  RemoteUnavailableError,
  TaskFailedError,
  TaskStoppedError,
  workerTask,
} from '../../src/index.js';
import { BullMQExecutor } from '../../src/bullmq.js';
import { recordRun } from './dag.js';
import { RedisServer, runRedisTests } from './redis-server.js';
import { startRemoteProcess, stopRemoteProcess, type RemoteProcess } from './remote-processes.js';

const QUEUE = 'faults';
const TASKS = 200;

/** What a test started, stopped after it whatever happened. */
const started: { redis: RedisServer[]; remotes: RemoteProcess[]; managers: BackgroundTaskManager[] } = {
  redis: [],
  remotes: [],
  managers: [],
};

afterEach(async () => {
  await Promise.all(started.managers.splice(0).map((manager) => manager.shutDown()));
  await Promise.all(started.remotes.splice(0).map(stopRemoteProcess));
  await Promise.all(started.redis.splice(0).map((redis) => redis.stop()));
});

async function setUp(
  lostAfterMs?: number,
): Promise<{ redis: RedisServer; remotes: RemoteProcess[]; manager: BackgroundTaskManager }> {
  const redis = await RedisServer.start();
  started.redis.push(redis);
  const remotes = await Promise.all([startRemoteProcess(redis.url, QUEUE), startRemoteProcess(redis.url, QUEUE)]);
  started.remotes.push(...remotes);
  const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE, lostAfterMs });
  const manager = new BackgroundTaskManager({ executor, maxThreads: 8 });
  started.managers.push(manager);
  return { redis, remotes, manager };
}

/** Adds `TASKS` tasks that take 20 ms each; calls `midRun` once `after` of them have completed. */
function addTasks(manager: BackgroundTaskManager, after: number, midRun: () => void): void {
  let completed = 0;
  manager.on('taskCompleted', () => {
    if (++completed === after) midRun();
  });
  for (let i = 0; i < TASKS; i++) manager.addTask(workerTask('takes'), { taskArgs: [20, i] });
  manager.startProcessing();
}

describe.runIf(runRedisTests)('faults of remote execution', () => {
  it('ends every task exactly once when a worker process is killed mid-run: its jobs run again on the other', async () => {
    const { redis, remotes, manager } = await setUp();
    const record = recordRun(manager);
    const [victim] = remotes as [RemoteProcess];
    addTasks(manager, 40, () => victim.child.kill('SIGKILL'));
    await manager.onIdle();
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(record.outcomes.size).toBe(TASKS);
    expect([...record.endings.values()].every((count) => count === 1)).toBe(true);
    // At most once per task the outcome; the jobs the killed process held ran again (at least once).
    expect([...record.outcomes.entries()].every(([uid, outcome]) => outcome === String(uid))).toBe(true);
    expect(await redis.jobKeys(QUEUE)).toEqual([]);
  });

  it('ends every task when Redis is stopped and restarted mid-run: the lost ones fail, the later ones run', async () => {
    const { redis, manager } = await setUp(1500);
    const record = recordRun(manager);
    let restarted: Promise<void> | undefined;
    addTasks(manager, 40, () => {
      restarted = redis.stop().then(() => redis.resume());
    });
    await manager.onIdle();
    await restarted;
    expect(record.outcomes.size).toBe(TASKS);
    expect([...record.endings.values()].every((count) => count === 1)).toBe(true);
    const failed = [...record.outcomes.values()].filter((outcome) => outcome.startsWith('failed: '));
    expect(failed.length).toBeGreaterThan(0);
    // The tasks in flight when Redis went (8), and any started before the executor saw it back.
    expect(failed.length).toBeLessThan(TASKS / 4);
    expect(failed[0]).toMatch(
      /^failed: Remote worker task 'takes' did not end: the connection to Redis was lost and its job was not found there again within 1500 ms/,
    );
    // Recovered: the tasks after the lost ones completed, through the restarted Redis.
    expect(record.outcomes.get(TASKS - 1)).toBe(String(TASKS - 1));
  });

  it('shuts down while Redis is gone: every promise settles', async () => {
    const redis = await RedisServer.start();
    started.redis.push(redis);
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE, killAfterMs: 200 });
    const manager = new BackgroundTaskManager({ executor, startProcessing: true });
    const uid = manager.addTask(workerTask('takes'), { taskArgs: [20, 1] }); // no remote worker takes it
    const outcome = manager.result(uid).catch((error: unknown) => error);
    const added = new Promise<void>((resolve) => {
      manager.on('taskStarted', () => {
        resolve();
      });
    });
    await added;
    await redis.stop();
    await manager.shutDown();
    expect(await outcome).toBeInstanceOf(TaskStoppedError);
    expect(manager.phase).toBe('shutDown');
  });

  it("frees a stopped task's slot killAfterMs after the stop while Redis is gone, whatever Redis answers", async () => {
    const redis = await RedisServer.start();
    started.redis.push(redis);
    const executor = new BullMQExecutor({
      connection: redis.connection,
      queueName: QUEUE,
      killAfterMs: 50,
      lostAfterMs: Number.POSITIVE_INFINITY,
    });
    const manager = new BackgroundTaskManager({ executor, maxThreads: 1, startProcessing: true });
    started.managers.push(manager);
    const startedUids: number[] = [];
    const startedNext = new Promise<void>((resolve) => {
      manager.on('taskStarted', (uid) => {
        startedUids.push(uid);
        if (startedUids.length === 2) resolve();
      });
    });
    const stopped = manager.addTask(workerTask('takes'), { taskArgs: [60_000, 1] }); // no remote worker takes it
    const outcome = manager.result(stopped).catch((error: unknown) => error);
    const next = manager.addTask(workerTask('takes'), { taskArgs: [1, 2] });
    await redis.stop();
    manager.stopTask(stopped);
    // Its removal from Redis never answers: the slot is freed by the kill timer, started at the stop.
    expect(await outcome).toBeInstanceOf(TaskStoppedError);
    await startedNext;
    expect(startedUids).toEqual([stopped, next]);
    await redis.resume();
  });

  it('fails a task whose job Redis no longer holds while its outcome never came, lostAfterMs or so later', async () => {
    const redis = await RedisServer.start();
    started.redis.push(redis);
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE, lostAfterMs: 100 });
    const manager = new BackgroundTaskManager({ executor, startProcessing: true });
    started.managers.push(manager);
    // Someone else removes the waiting job (an outcome trimmed from the event stream looks the same here).
    const queue = new Queue(QUEUE, { connection: redis.connection });
    // From the stream's start (this Redis is the test's own): a job added before the first read is seen too.
    const events = new QueueEvents(QUEUE, { connection: redis.connection, lastEventId: '0-0' });
    const added = new Promise<string>((resolve) => {
      events.once('waiting', ({ jobId }) => {
        resolve(jobId);
      });
    });
    const uid = manager.addTask(workerTask('takes'), { taskArgs: [20, 1] }); // no remote worker takes it
    const outcome = manager.result(uid).catch((error: unknown) => error);
    await queue.remove(await added);
    const error = await outcome;
    await Promise.all([events.close(), queue.close()]);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).cause).toBeInstanceOf(RemoteUnavailableError);
    expect((error as Error).message).toMatch(/Redis no longer holds its job and its outcome never came/);
  });
});
