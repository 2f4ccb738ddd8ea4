import { parseArgs } from 'node:util';
import { DEFAULT_QUEUE_NAME } from './protocol.js';

/** What `--help` prints, and every argument error after its own line. */
export const USAGE = `Usage: background-task-manager-worker --redis redis://host:port --worker-script ./tasks.worker.js
         [--queue ${DEFAULT_QUEUE_NAME}] [--concurrency 1]
         [--lock-duration-ms 10000] [--stalled-interval-ms 5000] [--max-stalled-count 1]
Runs the worker tasks of the module for every manager whose BullMQExecutor uses the same Redis and queue.
Stops on SIGINT or SIGTERM once the running jobs have ended.`;

/** What the command line asks for. */
export interface CliOptions {
  readonly redis: string;
  readonly workerScript: string;
  readonly queueName: string | undefined;
  readonly concurrency: number | undefined;
  readonly lockDurationMs: number | undefined;
  readonly stalledIntervalMs: number | undefined;
  readonly maxStalledCount: number | undefined;
}

/**
 * The options of `argv` (the arguments after the script), or {@link USAGE}
 * for `--help` (or `-h`).
 * @throws {TypeError} with the usage, for missing or bad arguments.
 */
export function parseCli(argv: readonly string[]): CliOptions | typeof USAGE {
  // Asked for help, the usage is the answer, whatever else is on the line.
  if (argv.includes('--help') || argv.includes('-h')) return USAGE;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        redis: { type: 'string' },
        'worker-script': { type: 'string' },
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        'lock-duration-ms': { type: 'string' },
        'stalled-interval-ms': { type: 'string' },
        'max-stalled-count': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new TypeError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, { cause: error });
  }
  const { redis, queue } = values;
  const workerScript = values['worker-script'];
  if (redis === undefined || workerScript === undefined) throw new TypeError(USAGE);
  if (!/^rediss?:\/\//.test(redis)) throw new TypeError(`--redis must be a redis:// URL, got ${redis}\n${USAGE}`);
  return {
    redis,
    workerScript,
    queueName: queue,
    concurrency: number(values.concurrency),
    lockDurationMs: number(values['lock-duration-ms']),
    stalledIntervalMs: number(values['stalled-interval-ms']),
    maxStalledCount: number(values['max-stalled-count']),
  };
}

/** A numeric argument; `startRemoteWorker` says when it is out of range (NaN included). */
function number(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}
