import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runWorkerCommand } from '../../src/workers/remote/worker-command.js';
import { deferred } from '../helpers.js';
import { RedisServer, runRedisTests } from './redis-server.js';

// The command in this process, where the tests that start it as a process (remote-processes.ts) cannot
// look: what it prints, its exit code, and its stop on a signal.

const workerScript = fileURLToPath(new URL('../fixtures/remote.worker.ts', import.meta.url));

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('background-task-manager-worker, run in this process', () => {
  it('prints the usage for --help, and exits with code 0', async () => {
    const logged = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await runWorkerCommand(['--help']);
    expect(logged.mock.calls).toEqual([[expect.stringMatching(/^Usage: background-task-manager-worker --redis/)]]);
    expect(printed).not.toHaveBeenCalled();
    expect(process.exitCode).toBeUndefined();
  });

  it('prints what is wrong, with exit code 2, when it cannot start', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await runWorkerCommand(['--redis', 'h:1', '--worker-script', 'w.js']);
    expect(printed).toHaveBeenCalledWith(expect.stringMatching(/^--redis must be a redis:\/\/ URL, got h:1\nUsage:/));
    expect(process.exitCode).toBe(2);
  });

  it.runIf(runRedisTests)('says what it runs, and closes the worker and exits on SIGINT or SIGTERM', async () => {
    const redis = await RedisServer.start();
    const url = redis.url;
    const logged = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const admin = new Redis(redis.connection);
    const listeners = new Map<string, () => void>();
    vi.spyOn(process, 'once').mockImplementation((event, listener) => {
      listeners.set(String(event), listener as () => void);
      return process;
    });
    for (const [signal, queue] of [
      ['SIGTERM', ['--queue', 'thumbs']],
      ['SIGINT', []],
    ] as const) {
      listeners.clear();
      logged.mockClear();
      await runWorkerCommand(['--redis', url, '--worker-script', workerScript, ...queue]);
      const named = queue[1] ?? 'background-task-manager';
      expect(logged.mock.calls).toEqual([
        [`background-task-manager-worker ${process.pid}: running the tasks of ${workerScript} from queue ${named}`],
      ]);
      expect([...listeners.keys()]).toEqual(['SIGINT', 'SIGTERM']);
      expect(listeners.get('SIGINT')).toBe(listeners.get('SIGTERM'));
      // It reads the stops of its queue: it runs that queue's jobs.
      expect(await admin.pubsub('CHANNELS')).toEqual([`bull:${named}:backgroundTaskManager:cancel`]);
      const exited = deferred();
      vi.spyOn(process, 'exit').mockImplementation((code) => {
        exited.resolve(code);
        return undefined as never;
      });
      listeners.get(signal)?.();
      expect(await exited.promise).toBe(0);
    }
    // Both workers had closed their queue's connections before exiting: only this one is left (their
    // subscribers, let go without a round trip, may still be closing).
    const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string;
    expect(clients.trim().split('\n')).toHaveLength(1);
    admin.disconnect();
    await redis.stop();
    expect(process.exitCode).toBeUndefined();
  });
});
