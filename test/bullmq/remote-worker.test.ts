import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/index.js';
import { startRemoteWorker, type RemoteWorker } from '../../src/bullmq.js';
import { cancelChannel, type RemoteJobData } from '../../src/workers/remote/protocol.js';
import { nextReport } from '../fixtures/remote.worker.js';
import { RedisServer, runRedisTests } from './redis-server.js';

// The stop channel as a remote worker reads it, driven by hand: jobs added to the queue directly and
// stops published directly, so that a stop can come before its job, or be something else entirely.

const workerScript = fileURLToPath(new URL('../fixtures/remote.worker.ts', import.meta.url));
const QUEUE = 'stops';

describe.runIf(runRedisTests)('a remote worker reading its stop channel', () => {
  let redis: RedisServer;
  let publisher: Redis;
  let queue: Queue<RemoteJobData>;
  let events: QueueEvents;
  let worker: RemoteWorker;
  const errors: Error[] = [];
  let nextUid = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
    publisher = new Redis(redis.connection);
    queue = new Queue(QUEUE, { connection: redis.connection });
    events = new QueueEvents(QUEUE, { connection: redis.connection });
    await events.waitUntilReady();
    const onError = (error: Error): void => void errors.push(error);
    worker = await startRemoteWorker({
      connection: redis.connection,
      queueName: QUEUE,
      workerScript,
      concurrency: 2,
      onError,
    });
  });
  afterAll(async () => {
    await worker.close();
    await events.close();
    await queue.close();
    await publisher.quit();
    await redis.stop();
  });

  /** Runs worker task `name` as job `jobId`, and resolves with what the worker returned for it. */
  async function run(name: string, jobId: string): Promise<unknown> {
    const completed = new Promise((resolve) => {
      const listener = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
        if (id !== jobId) return;
        events.off('completed', listener);
        resolve(returnvalue);
      };
      events.on('completed', listener);
    });
    const data: RemoteJobData = { uid: nextUid++, group: null, name, args: [], kwargs: {} };
    await queue.add(name, data, { jobId, removeOnComplete: true });
    return completed;
  }

  const stop = (jobId: string, code: string = ErrorCodes.taskTimeout, message = `${jobId} timed out`): string =>
    JSON.stringify({ jobId, code, message, ...(code === ErrorCodes.taskTimeout && { timeoutMs: 250 }) });

  /**
   * Publishes `messages`, then resolves once the worker has read them all: it reads its channel in
   * order, so once the stop published after them has aborted a job it runs, it has read them.
   */
  async function published(messages: readonly string[]): Promise<void> {
    const uid = nextUid;
    const sentinel = run('untilAborted', `sentinel-${uid}`);
    await nextReport('running', uid);
    const pipeline = publisher.pipeline();
    for (const message of [...messages, stop(`sentinel-${uid}`)])
      pipeline.publish(cancelChannel(queue.qualifiedName), message);
    await pipeline.exec();
    await sentinel;
  }

  it('aborts the signal of a job whose stop came before it, with the stop’s reason, and forgets that stop once used', async () => {
    await published([stop('early'), stop('stopped early', ErrorCodes.taskStopped)]);
    // Rebuilt as the errors the manager made: a timeout's limit and the task's uid come with it.
    const early = nextUid;
    expect(await run('abortReason', 'early')).toEqual({
      ok: true,
      value: {
        name: 'TaskTimeoutError',
        code: ErrorCodes.taskTimeout,
        message: `Task ${early} timed out after 250 ms`,
        timeoutMs: 250,
      },
    });
    expect(await run('abortReason', 'stopped early')).toMatchObject({
      ok: true,
      value: { name: 'TaskStoppedError', code: ErrorCodes.taskStopped },
    });
    // A later job under the same id is not stopped again.
    expect(await run('context', 'early')).toMatchObject({ ok: true, value: { aborted: false } });
    expect(errors).toEqual([]);
  });

  it('remembers the latest 10,000 early stops, and forgets the oldest beyond them', async () => {
    const stops = Array.from({ length: 10_001 }, (_, i) => stop(`many-${i}`));
    await published(stops);
    expect(await run('context', 'many-0')).toMatchObject({ ok: true, value: { aborted: false } });
    expect(await run('context', 'many-1')).toMatchObject({ ok: true, value: { aborted: true } });
    expect(await run('context', 'many-10000')).toMatchObject({ ok: true, value: { aborted: true } });
  });

  it('ignores what is not a stop on its channel, and reads on', async () => {
    await published(['not JSON', 'null', '{"jobId":"x"}', JSON.stringify({ jobId: 1, code: 'c', message: 'm' })]);
    expect(await run('context', 'x')).toMatchObject({ ok: true, value: { aborted: false } });
    expect(errors).toEqual([]);
  });
});

describe.runIf(runRedisTests)('a remote worker closing', () => {
  it('closes while Redis is gone, with no job running: its connections get a grace, then are cut', async () => {
    const redis = await RedisServer.start();
    try {
      const worker = await startRemoteWorker({
        connection: redis.connection,
        queueName: 'closing',
        workerScript,
        onError: () => {},
      });
      await redis.stop();
      // The worker command's SIGTERM handler waits for this before it exits.
      await worker.close();
    } finally {
      await redis.stop();
    }
  });
});
