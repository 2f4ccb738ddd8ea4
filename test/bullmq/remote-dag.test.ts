import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { BullMQExecutor } from '../../src/bullmq.js';
import { addDag, recordRun, type RunRecord } from './dag.js';
import { RedisServer, runRedisTests } from './redis-server.js';
import { startRemoteProcess, stopRemoteProcess, type RemoteProcess } from './remote-processes.js';

const DAG_SIZE = 2000;
const QUEUE = 'dag';

async function run(manager: BackgroundTaskManager): Promise<RunRecord> {
  const record = recordRun(manager);
  addDag(manager, DAG_SIZE);
  manager.startProcessing();
  await manager.onIdle();
  await manager.shutDown();
  return record;
}

describe.runIf(runRedisTests)('a DAG on two remote worker processes', () => {
  let redis: RedisServer;
  let remotes: RemoteProcess[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    remotes = await Promise.all([startRemoteProcess(redis.url, QUEUE), startRemoteProcess(redis.url, QUEUE)]);
  });
  afterAll(async () => {
    await Promise.all(remotes.map(stopRemoteProcess));
    await redis.stop();
  });

  it(`gives the same outcomes and events as the local pool, for ${DAG_SIZE} tasks`, async () => {
    const local = await run(
      new BackgroundTaskManager({
        maxThreads: 2,
        workerScript: new URL('../fixtures/remote.worker.mjs', import.meta.url),
      }),
    );
    const executor = new BullMQExecutor({ connection: redis.connection, queueName: QUEUE });
    const remote = await run(new BackgroundTaskManager({ maxThreads: 8, executor }));

    expect(remote.outcomes.size).toBe(DAG_SIZE);
    expect(remote.outcomes).toEqual(local.outcomes);
    expect([...remote.endings.values()].every((count) => count === 1)).toBe(true);
    expect(remote.groupsFinished.toSorted()).toEqual(local.groupsFinished.toSorted());
    const failed = [...remote.outcomes.values()].filter((outcome) => outcome.startsWith('failed: step'));
    expect(failed.length).toBeGreaterThan(DAG_SIZE / 50); // cascades, not only the tasks that throw
    expect(failed.length).toBeLessThan(DAG_SIZE / 2);
    expect(await redis.jobKeys(QUEUE)).toEqual([]);
  });
});
