import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';

/** Debian's redis-server, which the tests start themselves. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
/** util-linux's, which execs the server with a signal for its parent's death. */
const SETPRIV = '/usr/bin/setpriv';
const inCi = !['', '0', 'false', undefined].includes(process.env.CI);

/**
 * Whether the Redis tests run: with a `redis-server`, or in CI, where a
 * missing one must fail them (`startRedis` throws) rather than skip them.
 */
export const runRedisTests = existsSync(REDIS_SERVER) || inCi;

if (!runRedisTests) {
  console.warn(
    `\n*** Redis tests SKIPPED: no redis-server at ${REDIS_SERVER}. Install it (apt-get install redis-server) ` +
      'or set REDIS_SERVER_PATH. With CI=true they fail instead. ***\n',
  );
}

/** A redis-server of one test file, on a free loopback port, keeping nothing on disk. */
export class RedisServer {
  readonly port: number;
  #process: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts one on a free port; resolves once it accepts connections. */
  static async start(): Promise<RedisServer> {
    if (!existsSync(REDIS_SERVER)) {
      throw new Error(
        `No redis-server at ${REDIS_SERVER}: CI must install it (.ci/run runs apt-get install redis-server)`,
      );
    }
    const server = new RedisServer(await freePort());
    await server.resume();
    return server;
  }

  /** `redis://127.0.0.1:port`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Connection options for BullMQ. */
  get connection(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /**
   * Starts it again on the same port (empty: it keeps nothing). Where
   * util-linux's `setpriv` is, the server is killed when the process that
   * started it dies, so a test run that is itself killed leaves no server
   * behind.
   */
  async resume(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const [command, commandArgs] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', REDIS_SERVER, ...args]]
      : [REDIS_SERVER, args];
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#process = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => {
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
    });
    child.stdout.resume();
  }

  /** The keys of jobs (and their locks and logs) of `queue` that Redis holds: none once every outcome is out. */
  async jobKeys(queue: string): Promise<string[]> {
    const client = new Redis(this.port, '127.0.0.1');
    try {
      // Job ids are a UUID, a dash and a counter.
      return await client.keys(`bull:${queue}:????????-????-????-????-????????????-*`);
    } finally {
      client.disconnect();
    }
  }

  /** Stops it (SIGKILL: like a crash, nothing said to the clients); resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
