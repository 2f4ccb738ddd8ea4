import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Stall settings short enough for a test: a killed process's jobs run again about 2.5 s later. A lock
 * of 2 s leaves a busy machine room to renew it: a surviving worker whose lock lapsed would see its job
 * stalled as well.
 */
const TEST_STALL_ARGS = ['--lock-duration-ms', '2000', '--stalled-interval-ms', '500', '--max-stalled-count', '1'];

/** A remote worker process: the command line of the package's `bin`, run from source. */
export interface RemoteProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once it has exited. */
  readonly exited: Promise<unknown>;
}

/** Starts `background-task-manager-worker` for `queue`; resolves once it takes jobs. */
export async function startRemoteProcess(redisUrl: string, queue: string, concurrency = 4): Promise<RemoteProcess> {
  const args = ['--import', 'tsx', 'src/bullmq-worker.ts', '--redis', redisUrl, '--queue', queue];
  args.push(
    '--worker-script',
    'test/fixtures/remote.worker.ts',
    '--concurrency',
    String(concurrency),
    ...TEST_STALL_ARGS,
  );
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  let output = '';
  await new Promise<void>((resolve, reject) => {
    void exited.then(() => {
      reject(new Error(`The remote worker exited before it was ready: ${output}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('running the tasks of')) resolve();
    });
    // Connection errors while Redis is away are expected; kept for the message above only.
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
  return { child, pid: child.pid ?? -1, exited };
}

/** Stops a remote worker process (SIGTERM: it lets its jobs end); resolves once it has exited. */
export async function stopRemoteProcess(remote: RemoteProcess): Promise<void> {
  if (remote.child.exitCode === null && remote.child.signalCode === null) remote.child.kill('SIGTERM');
  await remote.exited;
}
