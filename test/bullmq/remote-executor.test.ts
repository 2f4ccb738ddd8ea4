import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BackgroundTaskManager, ErrorCodes, TaskFailedError, TaskStoppedError, workerTask } from '../../src/index.js';
import { BullMQExecutor, RemoteUnavailableError, startRemoteWorker, type RemoteWorker } from '../../src/bullmq.js';
import { RemoteJob } from '../../src/workers/remote/remote-job.js';
import { nextReport, remoteReports } from '../fixtures/remote.worker.js';
import { runAdd } from './direct-job.js';
import { RedisServer, runRedisTests } from './redis-server.js';

// What the executor does when its connection goes and comes back, and on shut-down, where the other
// remote tests only see tasks run.

const workerScript = fileURLToPath(new URL('../fixtures/remote.worker.ts', import.meta.url));
const QUEUE = 'executor';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a BullMQExecutor that cannot reach Redis', () => {
  it('fails each task after lostAfterMs, also one added once the loss was seen, and logs nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // Nothing listens on port 1: every connection attempt fails, as when Redis has gone away.
    const executor = new BullMQExecutor({ connection: { host: '127.0.0.1', port: 1 }, lostAfterMs: 50 });
    const manager = new BackgroundTaskManager({ executor, startProcessing: true });
    const failure = (uid: number): Promise<unknown> => manager.result(uid).catch((error: unknown) => error);
    const lost =
      "Remote worker task 'add' did not end: the connection to Redis was lost and its job was not found there again within 50 ms";
    const first = await failure(manager.addTask(workerTask('add'), { taskArgs: [1, 2] }));
    expect(first).toBeInstanceOf(TaskFailedError);
    expect((first as TaskFailedError).cause).toBeInstanceOf(RemoteUnavailableError);
    expect((first as Error).message).toBe(lost);
    // The loss has been seen by now: a task added later is watched from its start.
    expect(((await failure(manager.addTask(workerTask('add'), { taskArgs: [3, 4] }))) as Error).message).toBe(lost);
    await manager.shutDown();
    // Connection errors are how a lost Redis shows; the timers deal with it, nothing is printed.
    expect(logged).not.toHaveBeenCalled();
  });
});

describe.runIf(runRedisTests)('a BullMQExecutor on a real Redis', () => {
  let redis: RedisServer;
  let worker: RemoteWorker;
  let admin: Redis;
  let manager: BackgroundTaskManager | undefined;
  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.connection);
    worker = await startRemoteWorker({
      connection: redis.connection,
      queueName: QUEUE,
      workerScript,
      concurrency: 4,
      // The CLIENT KILL test below resets the worker's connections on purpose: that reset is expected, anything else is shown.
      onError: (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') console.error(error);
      },
    });
  });
  afterEach(async () => {
    await manager?.shutDown();
    manager = undefined;
  });
  afterAll(async () => {
    await worker.close();
    await admin.quit();
    await redis.stop();
  });

  it('goes on with a job Redis still holds after its connection dropped, and watches no task added once it is back', async () => {
    const watch = vi.spyOn(RemoteJob.prototype, 'watch');
    const watched = (): number[] => (watch.mock.contexts as RemoteJob[]).map((job) => job.spec.uid);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its own job as `this`
    const found = RemoteJob.prototype.found;
    const foundAgain = new Promise<number>((resolve) => {
      vi.spyOn(RemoteJob.prototype, 'found').mockImplementation(function (this: RemoteJob) {
        if (!this.done) resolve(this.spec.uid); // settling clears the timer through found() too
        found.call(this);
      });
    });
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE, lostAfterMs: 60_000 });
    manager = new BackgroundTaskManager({ executor, startProcessing: true });
    const running = manager.addTask(workerTask('untilAborted'));
    await nextReport('running', running);
    // Every connection but the admin's dropped: the executor's, and the remote worker's (which reconnect).
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    expect(await foundAgain).toBe(running); // the job was looked for once the connection was back, and found
    expect(watched()).toEqual([running]);
    expect(await manager.result(manager.addTask(workerTask('add'), { taskArgs: [2, 3] }))).toBe(5);
    expect(watched()).toEqual([running]); // connected again: the new task has no lost-connection timer
    const aborted = nextReport('aborted', running);
    const stopped = manager.result(running);
    manager.stopTask(running);
    await expect(stopped).rejects.toBeInstanceOf(TaskStoppedError);
    expect(await aborted).toEqual([running, ErrorCodes.taskStopped]);
  });

  it("frees a stopped task's slot at once when no worker has taken its job, even with killAfterMs: Infinity", async () => {
    const queueName = 'unserved';
    const events = new QueueEvents(queueName, { connection: redis.connection });
    await events.waitUntilReady();
    const added = new Promise<void>((resolve) =>
      events.once('added', () => {
        resolve();
      }),
    );
    const executor = new BullMQExecutor({ connection: redis.connection, queueName, killAfterMs: Infinity });
    manager = new BackgroundTaskManager({ executor, maxThreads: 1, startProcessing: true });
    const first = manager.addTask(workerTask('add'), { taskArgs: [1, 1] });
    const second = manager.addTask(workerTask('add'), { taskArgs: [2, 2] });
    const secondStarted = new Promise<void>((resolve) => {
      manager?.on('taskStarted', (uid) => {
        if (uid === second) resolve();
      });
    });
    await added;
    manager.stopTask(first);
    await secondStarted; // the first job was removed from Redis, and its slot given to the next task
    await manager.shutDown();
    await events.close();
    expect(await redis.jobKeys(queueName)).toEqual([]);
  });

  it("gives a running task's stop its way on shut-down, waits for its answer, and closes its connections", async () => {
    const clients = async (): Promise<string[]> => {
      const list = (await admin.client('LIST')) as string;
      return list
        .trim()
        .split('\n')
        .map((line) => line.replace(/^id=(\d+) .*/, '$1'))
        .toSorted();
    };
    const others = await clients();
    // killAfterMs: Infinity waits 1 s at most for the answer here: the connections are closed next.
    const executor = new BullMQExecutor({
      connection: redis.connection,
      queueName: QUEUE,
      killAfterMs: Infinity,
      lostAfterMs: Infinity,
    });
    const tasks = new BackgroundTaskManager({ executor, startProcessing: true });
    const uid = tasks.addTask(workerTask('endsLate'), { taskArgs: [50] });

    await nextReport('running', uid);
    expect((await clients()).length).toBeGreaterThan(others.length);
    const ended: unknown[] = [];
    const onEnded = (endedUid: unknown): void => {
      ended.push(endedUid);
    };
    remoteReports.on('ended', onEnded);
    await tasks.shutDown();
    remoteReports.off('ended', onEnded);
    expect(ended).toEqual([uid]); // its signal aborted on the remote worker, and its answer came back
    // Its own connections to Redis are closed: every connection left was there before it.
    expect(others).toEqual(expect.arrayContaining(await clients()));
    expect(await redis.jobKeys(QUEUE)).toEqual([]);
  });

  it('fails the jobs still in flight when it is destroyed', async () => {
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: 'unserved' });
    const settled = runAdd(executor);
    await executor.destroy();
    const [ok, error] = await settled;
    expect(ok).toBe(false);
    expect(error).toEqual(new RemoteUnavailableError('add', 'the executor has been destroyed'));
  });
});
