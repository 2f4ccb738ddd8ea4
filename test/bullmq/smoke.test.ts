import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';
import { BullMQExecutor } from '../../src/bullmq.js';
import { RedisServer, runRedisTests } from './redis-server.js';
import { startRemoteProcess, stopRemoteProcess, type RemoteProcess } from './remote-processes.js';

describe.runIf(runRedisTests)('smoke', () => {
  let redis: RedisServer;
  let remote: RemoteProcess;
  beforeAll(async () => {
    redis = await RedisServer.start();
    remote = await startRemoteProcess(redis.url, 'smoke');
  });
  afterAll(async () => {
    await stopRemoteProcess(remote);
    await redis.stop();
  });
  it('adds', async () => {
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: 'smoke' });
    const manager = new BackgroundTaskManager({ executor, startProcessing: true });
    const uid = manager.addTask(workerTask('add'), { taskArgs: [1, 2] });
    expect(await manager.result(uid)).toBe(3);
    await manager.shutDown();
  });
});
