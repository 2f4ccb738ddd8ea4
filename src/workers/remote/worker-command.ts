import { DEFAULT_QUEUE_NAME } from './protocol.js';
import { parseCli, USAGE } from './worker-cli.js';

const MISSING_PACKAGES =
  'background-task-manager-worker needs the packages bullmq and ioredis: npm install bullmq ioredis';

/**
 * The `background-task-manager-worker` command, given its arguments: starts
 * a remote worker, says so, and on SIGINT or SIGTERM closes it (the running
 * jobs end first) and exits. `--help` prints the usage. A bad argument, a
 * missing package or a worker that cannot start is printed, with exit code 2.
 */
export async function runWorkerCommand(argv: readonly string[]): Promise<void> {
  try {
    const parsed = parseCli(argv);
    if (parsed === USAGE) {
      console.log(USAGE);
      return;
    }
    const { redis, ...options } = parsed;
    // Loaded once the arguments are right: bullmq and ioredis are optional peer dependencies of the package.
    const { startRemoteWorker } = await import('./remote-worker.js').catch((error: unknown) => {
      const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
      throw missing ? new Error(MISSING_PACKAGES, { cause: error }) : error;
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
}
