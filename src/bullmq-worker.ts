#!/usr/bin/env node
// The `background-task-manager-worker` command: runs in the remote worker processes the tests start,
// where coverage is not collected; its arguments are parsed (and tested) in worker-cli.ts.
import { DEFAULT_QUEUE_NAME } from './workers/remote/protocol.js';
import { parseCli } from './workers/remote/worker-cli.js';

try {
  const { redis, ...options } = parseCli(process.argv.slice(2));
  // Loaded once the arguments are right: bullmq and ioredis are optional peer dependencies of the package.
  const { startRemoteWorker } = await import('./workers/remote/remote-worker.js').catch((error: unknown) => {
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
    throw missing
      ? new Error('background-task-manager-worker needs the packages bullmq and ioredis: npm install bullmq ioredis', {
          cause: error,
        })
      : error;
  });
  // An option left undefined takes its default.
  const worker = await startRemoteWorker({ connection: { url: redis }, ...options });
  console.log(
    `background-task-manager-worker ${process.pid}: running the tasks of ${options.workerScript} ` +
      `from queue ${options.queueName ?? DEFAULT_QUEUE_NAME}`,
  );
  const stop = (): void => {
    void worker.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}
