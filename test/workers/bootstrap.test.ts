// Every thread starts on src/workers/worker-bootstrap.mjs, which loads the worker module: what the module
// sees there must be what it saw as the thread's entry, and a bundle of the library (no bootstrap beside it)
// must still run worker tasks on the module itself.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';
import { managersWith } from '../helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const create = managersWith({ startProcessing: true, maxThreads: 1 });

// Under the project's node_modules, where bundles find the packages they leave out.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const scratch = mkdtempSync(join(root, 'node_modules/.cache/bootstrap-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Bundles `entry` (under the project) as CommonJS into `outfile`, the packages left out. */
function bundleCjs(entry: string, outfile: string): void {
  buildSync({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

describe('threads that start on the bootstrap', () => {
  it('give the worker module the process.argv it has as the entry: its own path, then the argv option', async () => {
    const script = join(fixtures, 'edge-cases.worker.mjs');
    const manager = create({ workerScript: script, workerOptions: { argv: ['--flag'] } });
    expect(await manager.result(manager.addTask(workerTask('argv')))).toEqual([script, '--flag']);
  });

  it('run the tasks of a module with top-level awaits before and after defineWorkerTasks', async () => {
    const manager = create({ workerScript: join(fixtures, 'tla-around-define.worker.mjs') });
    expect(await manager.result(manager.addTask(workerTask('add'), { taskArgs: [2, 3] }))).toBe(5);
  });

  it.each(['with space', 'hash#dir', 'per%cent'])('load a worker module from a folder named %j', async (name) => {
    const dir = join(scratch, name);
    mkdirSync(dir);
    const script = join(dir, 'odd.worker.mjs');
    const loader = new URL('load-worker-fixture.mjs', `file://${fixtures}`).href;
    writeFileSync(
      script,
      `import { loadWorkerFixture } from ${JSON.stringify(loader)};\nawait loadWorkerFixture('tasks');\n`,
    );
    const manager = create({ workerScript: script });
    expect(await manager.result(manager.addTask(workerTask('add'), { taskArgs: [2, 3] }))).toBe(5);
  });

  it('load a CommonJS worker module from a folder whose name has a backslash, as the entry can', async () => {
    // A file URL encodes the backslash, and Node's loader refuses it there: such a module is the entry itself.
    const script = join(scratch, 'back\\slash', 'tasks.worker.cjs');
    bundleCjs('test/fixtures/tasks.worker.ts', script);
    const manager = create({ workerScript: script });
    expect(await manager.result(manager.addTask(workerTask('add'), { taskArgs: [2, 3] }))).toBe(5);
  });

  it('refuse a folder as workerScript, at the constructor, naming it', () => {
    expect(() => new BackgroundTaskManager({ workerScript: fixtures })).toThrow(
      new TypeError(`Expected \`workerScript\` to name an existing file, got ${fixtures.replace(/\/$/, '')}`),
    );
  });
});

describe('a CommonJS bundle of the library', () => {
  it('loads, and runs worker tasks on the worker module itself (no bootstrap beside it)', async () => {
    const bundle = join(scratch, 'library.cjs');
    bundleCjs('src/index.ts', bundle);
    const program = `
      const { BackgroundTaskManager, workerTask } = require(${JSON.stringify(bundle)});
      const manager = new BackgroundTaskManager({ startProcessing: true, workerScript: ${JSON.stringify(join(fixtures, 'tasks.worker.mjs'))} });
      manager.result(manager.addTask(workerTask('add'), { taskArgs: [2, 3] }))
        .then((value) => console.log('result', value), (error) => console.log('failed', error.message))
        .finally(() => manager.shutDown());
    `;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['-e', program], { cwd: root }, (error, out, err) => {
        if (error !== null && err === '') reject(error);
        else resolve({ stdout: out, stderr: err });
      });
    });
    expect({ stdout: stdout.trim(), stderr }).toEqual({ stdout: 'result 5', stderr: '' });
  });
});
